/**
 * Verify keys of enrolled devices, imported once: {@linkcode DeviceKeyCache.verifyKey} checks that a
 * stored public key is the device's (it hashes to the device id) and imports it (WebCrypto), then
 * answers later requests of that device from memory while its stored key stays the same. An entry is used
 * only when both the device id and the public-key string match, so a changed key (rotation,
 * re-enrolment) is checked and imported again, never verified with the old one. What the key may
 * do (the device's state) is not cached here. A server may also skip reading the stored key:
 * {@linkcode DeviceKeyCache.publicKeyOf} tells the key last verified for a device, and the server
 * then makes its write conditional on the device still having that key (the edge's store does,
 * in the write's transaction). Bounded: the least recently used entries go first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateDeviceKey } from "./device_identity.ts";
 * import { DeviceKeyCache } from "./device_key_cache.ts";
 * const cache = new DeviceKeyCache({ maxEntries: 100 });
 * const a = await generateDeviceKey(), b = await generateDeviceKey();
 * const key = await cache.verifyKey(a.kid, a.x);
 * assert.equal(await cache.verifyKey(a.kid, a.x), key, "imported once");
 * await assert.rejects(cache.verifyKey(a.kid, b.x), { code: "E_SIGNATURE" });
 * assert.equal(cache.size, 1);
 * assert.equal(cache.publicKeyOf(a.kid), a.x);
 * ```
 * @module
 */
import { deviceIdOf, importPublicKey } from "./device_identity.ts";
import { SignatureError } from "./errors.ts";

/** Options of {@linkcode DeviceKeyCache}. */
export interface DeviceKeyCacheOptions {
  /** Most keys kept (default 10,000; 0 keeps none). */
  maxEntries?: number;
}

interface Entry {
  publicKey: string;
  key: CryptoKey;
}

/** Imported Ed25519 verify keys by device id and stored public key (least recently used dropped). */
export class DeviceKeyCache {
  readonly #max: number;
  readonly #entries = new Map<string, Entry>();

  constructor(options: DeviceKeyCacheOptions = {}) {
    const max = options.maxEntries ?? 10_000;
    if (!Number.isSafeInteger(max) || max < 0) {
      throw new RangeError("Cannot create device key cache: maxEntries must be a non-negative integer");
    }
    this.#max = max;
  }

  /** How many keys are kept. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The verify key of `deviceId`, whose stored public key (base64url of the raw 32 bytes) is
   * `publicKey`. `SignatureError` when that key is malformed or is not the key of `deviceId`
   * (nothing is kept then).
   */
  async verifyKey(deviceId: string, publicKey: string): Promise<CryptoKey> {
    const entry = this.#entries.get(deviceId);
    if (entry !== undefined && entry.publicKey === publicKey) {
      this.#entries.delete(deviceId); // most recently used goes last
      this.#entries.set(deviceId, entry);
      return entry.key;
    }
    let id: string;
    try {
      id = await deviceIdOf(publicKey);
    } catch (cause) {
      throw new SignatureError(`Cannot verify request: the key of ${deviceId} is malformed`, { cause });
    }
    if (id !== deviceId) {
      throw new SignatureError(`Cannot verify request: the key presented is not ${deviceId}'s`);
    }
    const key = await importPublicKey(publicKey);
    if (this.#max > 0) {
      this.#entries.delete(deviceId);
      if (this.#entries.size >= this.#max) this.#entries.delete(this.#entries.keys().next().value!);
      this.#entries.set(deviceId, { publicKey, key });
    }
    return key;
  }

  /** The public key last checked for `deviceId`, if kept (to verify with it before reading the store). */
  publicKeyOf(deviceId: string): string | undefined {
    return this.#entries.get(deviceId)?.publicKey;
  }

  /** Forgets the key of `deviceId`. */
  forget(deviceId: string): void {
    this.#entries.delete(deviceId);
  }

  /** Forgets every key. */
  clear(): void {
    this.#entries.clear();
  }
}
