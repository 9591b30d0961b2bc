/**
 * The device identity in the workspace (`fleet_paths.ts`): an Ed25519 key made by WebCrypto
 * (`core/fleet/device_identity.ts`), kept as a private JWK in `<workspace>/identity/device.json`
 * (mode 0600, directory 0700). It is created once and never overwritten: two processes creating
 * it at once end up with the same key (the file is hard-linked into place, so the second finds the
 * first's). Only {@linkcode IdentityStore.rotate} replaces it, after keeping the old key in
 * `identity/retired/<old id>.json`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { IdentityStore } from "./identity_store.ts";
 * const ws = await mkdtemp(join(tmpdir(), "ws-"));
 * const store = new IdentityStore(ws);
 * assert.equal(await store.load(), undefined);
 * const { identity, created } = await store.create();
 * assert.ok(created);
 * assert.equal((await store.create()).identity.id, identity.id); // never replaced
 * await rm(ws, { recursive: true });
 * ```
 * @module
 */
import { link, mkdir, open, readFile, unlink } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import {
  type DeviceIdentity,
  deviceIdOf,
  generateDeviceKey,
  loadDeviceIdentity,
} from "../../core/fleet/device_identity.ts";
import { fsyncDir, writeFileAtomic } from "../fs/atomic_file.ts";
import { type FleetPaths, fleetPaths } from "./fleet_paths.ts";
import { RequestCounter } from "./request_counter.ts";

/** The identity files of one workspace. */
export class IdentityStore {
  readonly paths: FleetPaths;

  constructor(workspace: string) {
    this.paths = fleetPaths(workspace);
  }

  /** The stored identity, or `undefined` when there is none; `TypeError` when the key file is damaged. */
  async load(): Promise<DeviceIdentity | undefined> {
    const jwk = await this.#readKey();
    if (jwk === undefined) return undefined;
    try {
      return await loadDeviceIdentity(jwk);
    } catch (error) {
      throw new TypeError(`Cannot load device key ${this.paths.key}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /**
   * The device id of the stored key without importing it (for `drover status`), or `undefined`.
   * `TypeError` when the key file is damaged.
   */
  async deviceId(): Promise<string | undefined> {
    const jwk = await this.#readKey();
    if (jwk === undefined) return undefined;
    const x = (jwk as { x?: unknown })?.x;
    try {
      return await deviceIdOf(typeof x === "string" ? x : "");
    } catch (error) {
      throw new TypeError(`Cannot read device key ${this.paths.key}: ${(error as Error).message}`);
    }
  }

  /** The stored identity, or a new one (created: true). Never replaces a stored key. */
  async create(): Promise<{ identity: DeviceIdentity; created: boolean }> {
    const existing = await this.load();
    if (existing) return { identity: existing, created: false };
    await this.#mkdirs();
    const jwk = await generateDeviceKey();
    const tmp = `${this.paths.key}.new-${process.pid}-${randomBytes(4).toString("hex")}`;
    await writeNew(tmp, JSON.stringify(jwk, null, 2) + "\n");
    let created = true;
    try {
      await link(tmp, this.paths.key);
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
      created = false; // another process was first: use its key
    } finally {
      await unlink(tmp).catch(() => {});
    }
    await fsyncDir(this.paths.identity);
    const identity = await this.load();
    if (!identity) throw new Error(`Cannot create device key ${this.paths.key}: it vanished`);
    return { identity, created };
  }

  /**
   * Replaces the key by a new one (a new device id): the old key is kept in
   * `identity/retired/<old id>.json` first. Without a stored key this is {@linkcode create}.
   */
  async rotate(): Promise<{ identity: DeviceIdentity; retired?: string }> {
    const text = await readFile(this.paths.key, "utf8").catch((error) => {
      if ((error as { code?: string }).code === "ENOENT") return undefined;
      throw error;
    });
    if (text === undefined) return { identity: (await this.create()).identity };
    // a damaged key is retired too: rotation is how a device recovers from it
    const oldId = await this.deviceId().catch(() => `damaged-${randomBytes(4).toString("hex")}`);
    await mkdir(this.paths.retired, { recursive: true, mode: 0o700 });
    const retired = join(this.paths.retired, `${oldId}.json`);
    await writeFileAtomic(retired, text, { mode: 0o600 });
    const jwk = await generateDeviceKey();
    await writeFileAtomic(this.paths.key, JSON.stringify(jwk, null, 2) + "\n", { mode: 0o600 });
    return { identity: await loadDeviceIdentity(jwk), retired };
  }

  /** The request counter of `identity`. */
  counter(identity: Pick<DeviceIdentity, "id">): RequestCounter {
    return new RequestCounter(this.paths.counter, { deviceId: identity.id });
  }

  async #mkdirs(): Promise<void> {
    await mkdir(this.paths.identity, { recursive: true, mode: 0o700 });
  }

  async #readKey(): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(this.paths.key, "utf8");
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return undefined;
      throw error;
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new TypeError(`Cannot load device key ${this.paths.key}: not JSON`);
    }
  }
}

/** Writes a new file (mode 0600), fsynced. */
async function writeNew(path: string, text: string): Promise<void> {
  const handle = await open(path, "wx", 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
