/** Private: strict base64 (RFC 4648 §4, padded) and base64url (§5, unpadded) for core/fleet. */

const URL_SAFE = /^[A-Za-z0-9_-]*$/;

/** Bytes to padded base64. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/** Sextet of each character code below 128 of the standard alphabet; -1 for any other. */
const SEXTET = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) SEXTET[ALPHABET.charCodeAt(i)] = i;

function sextet(text: string, i: number): number {
  const code = text.charCodeAt(i);
  return code < 128 ? SEXTET[code]! : -1;
}

/**
 * Padded base64 to bytes; `undefined` when `text` is not canonical padded base64: a length that is
 * a multiple of 4, only the alphabet, `=` only as one or two final characters, and the bits a
 * padded ending leaves unused all zero (RFC 4648 §3.5: one value, one spelling).
 */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  const n = text.length;
  if (n % 4 !== 0) return undefined;
  const pad = n === 0 ? 0 : text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((n / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < n; i += 4) {
    const a = sextet(text, i), b = sextet(text, i + 1);
    const last = i + 4 === n;
    const c = last && pad === 2 ? 0 : sextet(text, i + 2);
    const d = last && pad >= 1 ? 0 : sextet(text, i + 3);
    if ((a | b | c | d) < 0) return undefined;
    const bits = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = bits >> 16;
    if (o < out.length) out[o++] = (bits >> 8) & 0xff;
    if (o < out.length) out[o++] = bits & 0xff;
    if (last && pad > 0 && (bits & (pad === 2 ? 0xffff : 0xff)) !== 0) return undefined;
  }
  return out;
}

/** Bytes to unpadded base64url. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return encodeBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Unpadded base64url to bytes; `undefined` when `text` is not canonical unpadded base64url. */
export function decodeBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!URL_SAFE.test(text) || text.length % 4 === 1) return undefined;
  const std = text.replace(/-/g, "+").replace(/_/g, "/");
  return decodeBase64(std + "=".repeat((4 - (std.length % 4)) % 4));
}
