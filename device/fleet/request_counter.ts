/**
 * The request counter of a device identity (the `drover-counter` of every signed request,
 * `core/fleet/device_request.ts`): it only grows, and each value is written to disk (atomically,
 * fsynced) before it is handed out, so a crash never hands the same value out twice. It never looks
 * at the clock (device clocks may be wrong).
 *
 * The file (`<workspace>/identity/counter.json`) holds `{ "deviceId": "d_…", "counter": N }`, N the
 * last value handed out. A file that names another device id (left by a key rotation) starts the
 * new identity at 0. Reservations are serialized by a lock file beside it (`counter.json.lock`,
 * `device/fs/lock.ts`), so processes sharing a workspace never get the same value. A file that
 * cannot be read is refused: starting again at 0 would make the edge refuse every request as a
 * replay; `drover enroll --rotate-key` starts afresh with a new identity.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { RequestCounter } from "./request_counter.ts";
 * const dir = await mkdtemp(join(tmpdir(), "counter-"));
 * const id = "d_" + "0".repeat(32);
 * const counter = new RequestCounter(join(dir, "counter.json"), { deviceId: id });
 * assert.equal(await counter.next(), 1);
 * assert.equal(await new RequestCounter(join(dir, "counter.json"), { deviceId: id }).next(), 2);
 * await rm(dir, { recursive: true });
 * ```
 * @module
 */
import { readFile } from "node:fs/promises";
import { assertDeviceId } from "../../core/fleet/device_identity.ts";
import { writeFileAtomic } from "../fs/atomic_file.ts";
import { acquireLock } from "../fs/lock.ts";

/** Longest wait for another process's reservation, in seconds. */
const LOCK_WAIT_SECONDS = 10;

/** A persisted, only-growing request counter for one device id. */
export class RequestCounter {
  readonly path: string;
  readonly deviceId: string;

  constructor(path: string, options: { deviceId: string }) {
    if (typeof path !== "string" || path === "") throw new TypeError("Cannot open counter: empty path");
    assertDeviceId(options?.deviceId);
    this.path = path;
    this.deviceId = options.deviceId;
  }

  /** The last value handed out (0 before the first). Throws when the file cannot be read. */
  async current(): Promise<number> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return 0;
      throw error;
    }
    let doc: { deviceId?: unknown; counter?: unknown };
    try {
      doc = JSON.parse(text);
    } catch (cause) {
      throw this.#damaged("not JSON", cause);
    }
    if (typeof doc !== "object" || doc === null) throw this.#damaged("not an object");
    if (doc.deviceId !== this.deviceId) return 0; // another identity's (a rotated key)
    const n = doc.counter;
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) throw this.#damaged("bad counter");
    return n;
  }

  /** Reserves and returns the next value (persisted before it is returned). */
  async next(): Promise<number> {
    return await this.reserve(1);
  }

  /**
   * Reserves `count` values at once and returns the first; all of them are persisted as used
   * before this returns (those a caller leaves unused are skipped, never handed out again).
   */
  async reserve(count: number): Promise<number> {
    if (!Number.isSafeInteger(count) || count < 1) {
      throw new RangeError(`Cannot reserve counter values: count must be a positive integer, got ${count}`);
    }
    await using _lock = await acquireLock(`${this.path}.lock`, { waitSeconds: LOCK_WAIT_SECONDS });
    const last = await this.current();
    const first = last + 1;
    const next = last + count;
    if (!Number.isSafeInteger(next)) throw new RangeError("Cannot reserve counter values: counter exhausted");
    const doc = JSON.stringify({ deviceId: this.deviceId, counter: next }) + "\n";
    await writeFileAtomic(this.path, doc, { mode: 0o600 });
    return first;
  }

  #damaged(detail: string, cause?: unknown): Error {
    return new Error(
      `Cannot read request counter ${this.path}: ${detail}; run drover enroll --rotate-key to start afresh`,
      { cause },
    );
  }
}
