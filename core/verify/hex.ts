/**
 * Lower-case hex encoding of bytes (digests, keys).
 *
 * @module
 */

const TABLE: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Bytes to lower-case hex.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toHex } from "./hex.ts";
 * assert.equal(toHex(new Uint8Array([0, 171, 255])), "00abff");
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("Cannot encode hex: expected a Uint8Array");
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += TABLE[bytes[i]!];
  return out;
}

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/**
 * Hex (either case) to bytes; `SyntaxError` on an odd length or a non-hex character.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromHex } from "./hex.ts";
 * assert.equal(fromHex("00abFF").join(","), "0,171,255");
 * ```
 */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== "string") throw new TypeError("Cannot decode hex: expected a string");
  if (hex.length % 2 !== 0) throw new SyntaxError(`Cannot decode hex: odd length ${hex.length}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(hex.charCodeAt(2 * i));
    const lo = nibble(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) {
      throw new SyntaxError(`Cannot decode hex: invalid character at offset ${hi < 0 ? 2 * i : 2 * i + 1}`);
    }
    out[i] = (hi << 4) | lo;
  }
  return out;
}
