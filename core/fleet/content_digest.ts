/**
 * `Content-Digest` (RFC 9530): the digest of a message's content, as a Structured Field
 * Dictionary of byte sequences (`sha-256=:<base64>:`). Signing it (RFC 9421) binds the body to
 * the signature. Hashing is the injected hasher of `core/abilities.ts` (native on Deno, Node and
 * workerd through `core/node.ts`, `@noble/hashes` elsewhere): synchronous, with no WebCrypto round
 * trip per request.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { contentDigest, verifyContentDigest } from "./content_digest.ts";
 * const body = '{"hello": "world"}';
 * const header = await contentDigest(body);
 * assert.equal(header, "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:");
 * assert.deepEqual(await verifyContentDigest(header, body), ["sha-256"]);
 * await assert.rejects(verifyContentDigest(header, "{}"), { code: "E_INTEGRITY" });
 * ```
 * @module
 */
import { getAbilities, type HashAlgorithm } from "../abilities.ts";
import { IntegrityError } from "../errors.ts";
import { encodeBase64 } from "./_base64.ts";
import { parseDictionary } from "./_structured_fields.ts";

/** The digest algorithms Drover computes and checks (RFC 9530 registry names). */
export type DigestAlgorithm = "sha-256" | "sha-512";

const HASHES: Record<DigestAlgorithm, HashAlgorithm> = { "sha-256": "sha256", "sha-512": "sha512" };
const encoder = new TextEncoder();

function bytesOf(body: Uint8Array | string): Uint8Array {
  if (typeof body === "string") return encoder.encode(body);
  if (body instanceof Uint8Array) return body;
  throw new TypeError("Cannot digest body: expected a Uint8Array or a string");
}

function digest(algorithm: DigestAlgorithm, bytes: Uint8Array): Uint8Array {
  const hasher = getAbilities().createHasher(HASHES[algorithm]);
  hasher.update(bytes);
  return hasher.digest();
}

/**
 * The `Content-Digest` field value of `body` (strings are UTF-8), e.g. `sha-256=:…:`.
 * `RangeError` for an algorithm other than `sha-256` (default) or `sha-512`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { contentDigest } from "./content_digest.ts";
 * assert.equal(
 *   await contentDigest('{"hello": "world"}', { algorithm: "sha-512" }),
 *   "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
 * );
 * ```
 */
export function contentDigest(
  body: Uint8Array | string,
  options: { algorithm?: DigestAlgorithm } = {},
): Promise<string> {
  return new Promise((resolve) => {
    const algorithm = options.algorithm ?? "sha-256";
    if (!Object.hasOwn(HASHES, algorithm)) {
      throw new RangeError(`Cannot digest body: unsupported algorithm '${String(algorithm)}'`);
    }
    resolve(`${algorithm}=:${encodeBase64(digest(algorithm, bytesOf(body)))}:`);
  });
}

/**
 * Check `body` against a received `Content-Digest` field value. Every supported algorithm the
 * field lists must match; unknown algorithms are ignored, but at least one must be supported.
 * Resolves with the algorithms checked; rejects with `IntegrityError` when the field is missing,
 * malformed, lists no supported algorithm, or does not match.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verifyContentDigest } from "./content_digest.ts";
 * await assert.rejects(verifyContentDigest(null, ""), /no Content-Digest/);
 * await assert.rejects(verifyContentDigest("md5=:AAAA:", ""), /no supported algorithm/);
 * ```
 */
export function verifyContentDigest(
  header: string | null | undefined,
  body: Uint8Array | string,
): Promise<DigestAlgorithm[]> {
  return new Promise((resolve) => resolve(checkContentDigest(header, body)));
}

function checkContentDigest(header: string | null | undefined, body: Uint8Array | string): DigestAlgorithm[] {
  const bytes = bytesOf(body);
  if (header === null || header === undefined || header.trim() === "") {
    throw new IntegrityError("Cannot verify body: no Content-Digest");
  }
  let dict;
  try {
    dict = parseDictionary(header);
  } catch (cause) {
    throw new IntegrityError(`Cannot verify body: malformed Content-Digest (${(cause as Error).message})`, {
      cause,
    });
  }
  const checked: DigestAlgorithm[] = [];
  for (const [name, member] of dict) {
    if (!Object.hasOwn(HASHES, name)) continue;
    const algorithm = name as DigestAlgorithm;
    if (member.kind !== "item" || member.value.type !== "bytes") {
      throw new IntegrityError(`Cannot verify body: Content-Digest ${algorithm} is not a byte sequence`);
    }
    const expected = member.value.value;
    const actual = digest(algorithm, bytes);
    if (expected.length !== actual.length || expected.some((b, i) => b !== actual[i])) {
      throw new IntegrityError(`Cannot verify body: Content-Digest ${algorithm} does not match the body`);
    }
    checked.push(algorithm);
  }
  if (checked.length === 0) {
    throw new IntegrityError("Cannot verify body: Content-Digest lists no supported algorithm");
  }
  return checked;
}
