/**
 * How the fleet routes reach their store: a `FleetStore` given to `createApp`, or a function that
 * opens one on first use (the Worker: D1 migrations run on the first fleet request, not at
 * isolate start, and a failed open is retried by the next request). Without either the fleet API
 * is absent: every fleet route answers 404 `E_NO_FLEET`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FleetAccess } from "./fleet_access.ts";
 * import { SqliteFleetStore } from "../sqlite_fleet_store.ts";
 * const access = new FleetAccess(() => SqliteFleetStore.open(":memory:"));
 * const store = await access.get();
 * assert.equal(await access.get(), store, "opened once");
 * await access.close();
 * await assert.rejects(new FleetAccess().get(), { code: "E_NO_FLEET" });
 * ```
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { HttpError } from "../../http_error.ts";
import type { FleetStore } from "../fleet_store.ts";

/** A store, or a function opening one. */
export type FleetSource = FleetStore | (() => Promise<FleetStore>);

const noFleet = () =>
  new HttpError(404, "Cannot serve fleet API: this edge has no fleet database", { code: "E_NO_FLEET" });

/** The fleet store of an app, opened at most once (again after a failed open). */
export class FleetAccess {
  #source: FleetSource | undefined;
  #store: FleetStore | undefined;
  #opening: Promise<FleetStore> | undefined;

  constructor(source?: FleetSource) {
    if (source !== undefined && typeof source !== "function" && typeof source?.enroll !== "function") {
      throw new TypeError("Cannot create edge app: 'fleet' must be a FleetStore or a function opening one");
    }
    this.#source = source;
    if (source !== undefined && typeof source !== "function") this.#store = source;
  }

  /** True when the app has a fleet. */
  get configured(): boolean {
    return this.#source !== undefined;
  }

  /** 404 `E_NO_FLEET` when the app has no fleet (routes check it before anything else). */
  assertConfigured(): void {
    if (!this.configured) throw noFleet();
  }

  /** Middleware answering 404 `E_NO_FLEET` (before any other check) when the app has no fleet. */
  readonly required: MiddlewareHandler = async (_c, next) => {
    this.assertConfigured();
    await next();
  };

  /** The store: 404 `E_NO_FLEET` without one, 503 `E_UNAVAILABLE` when it cannot be opened. */
  get(): Promise<FleetStore> {
    if (this.#store) return Promise.resolve(this.#store);
    const source = this.#source;
    if (typeof source !== "function") return Promise.reject(noFleet());
    return this.#opening ??= source().then(
      (store) => this.#store = store,
      (cause) => {
        this.#opening = undefined;
        throw new HttpError(503, "Cannot open fleet database: try later", { cause });
      },
    );
  }

  /** Closes the store when one was opened (idempotent). */
  async close(): Promise<void> {
    const store = this.#store ?? await this.#opening?.catch(() => undefined);
    await store?.close();
  }
}
