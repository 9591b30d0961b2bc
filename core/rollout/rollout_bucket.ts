/**
 * A device's place in a rollout: SHA-256 of the UTF-8 text `<rolloutId>\n<deviceId>`, its first 8
 * bytes read as a big-endian integer (the top 53 bits, so exact in a double) and mapped onto
 * [0, 100). A device is in the rollout while its bucket is below the percent. Device and edge
 * compute the same bucket; a new rollout id (every publication has one) draws a fresh order, so
 * the same devices are not always first (operators mark canaries for that).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rolloutBucket } from "./rollout_bucket.ts";
 * const b = rolloutBucket("acme:radio:main:7:0123abc", "d_00112233445566778899aabbccddeeff");
 * assert.ok(b >= 0 && b < 100);
 * assert.equal(rolloutBucket("acme:radio:main:7:0123abc", "d_00112233445566778899aabbccddeeff"), b);
 * ```
 * @module
 */
import { getAbilities } from "../abilities.ts";

const TWO_53 = 2 ** 53;

/**
 * The bucket in [0, 100) of `deviceId` in rollout `rolloutId` (synchronous: core's hasher).
 * `TypeError` for an empty id or one holding a line feed (it would make the input ambiguous).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rolloutBucket } from "./rollout_bucket.ts";
 * assert.notEqual(rolloutBucket("r1", "d_1"), rolloutBucket("r2", "d_1"));
 * assert.throws(() => rolloutBucket("r1", ""), TypeError);
 * ```
 */
export function rolloutBucket(rolloutId: string, deviceId: string): number {
  for (const [name, value] of [["rolloutId", rolloutId], ["deviceId", deviceId]] as const) {
    if (typeof value !== "string" || value === "" || value.includes("\n")) {
      throw new TypeError(`Cannot compute rollout bucket: ${name} must be a non-empty one-line string`);
    }
  }
  const hasher = getAbilities().createHasher("sha256");
  hasher.update(new TextEncoder().encode(`${rolloutId}\n${deviceId}`));
  const digest = hasher.digest();
  const view = new DataView(digest.buffer, digest.byteOffset, 8);
  const top53 = view.getUint32(0) * 2 ** 21 + (view.getUint32(4) >>> 11);
  // top53 / 2^53 is at most 1 - 2^-53, and (1 - 2^-53) * 100 rounds to 99.99999999999999
  return (top53 / TWO_53) * 100;
}
