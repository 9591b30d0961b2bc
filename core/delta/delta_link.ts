/**
 * `custom.delta` of a release or image target: where its chunked form is. Both the index and the
 * pack are TUF targets of their own (fetched at `targets/<dir>/<sha256>.<basename>`); the link is
 * inside the signed release entry, so its hashes anchor the index, and the index's sha256 of the
 * uncompressed stream anchors what is reassembled.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDeltaLink } from "./delta_link.ts";
 * import { DEFAULT_CHUNKER } from "./chunker_params.ts";
 * const link = parseDeltaLink({
 *   index: "apps/a/b/main/c.cidx", indexSha256: "00".repeat(32), indexLength: 100,
 *   pack: "apps/a/b/main/c.cpack", packSha256: "11".repeat(32), packLength: 1000, chunker: { ...DEFAULT_CHUNKER },
 * });
 * assert.equal(link.packLength, 1000);
 * assert.throws(() => parseDeltaLink({ ...link, index: "../x" }), SyntaxError);
 * ```
 * @module
 */
import { isSha256 } from "../names/mod.ts";
import { checkChunkerParams, type ChunkerParams } from "./chunker_params.ts";

/** Where the chunked form of a target is. */
export interface DeltaLink {
  /** TUF target path of the chunk index. */
  index: string;
  indexSha256: string;
  indexLength: number;
  /** TUF target path of the pack. */
  pack: string;
  packSha256: string;
  packLength: number;
  chunker: ChunkerParams;
}

const PATH = /^[A-Za-z0-9][A-Za-z0-9._+-]*(\/[A-Za-z0-9][A-Za-z0-9._+-]*)*$/;
/** Indexes are small: 48 bytes a chunk. */
export const MAX_INDEX_LENGTH = 64 * 2 ** 20;

/** `value` as a {@linkcode DeltaLink}; `SyntaxError` when any field is missing or malformed. */
export function parseDeltaLink(value: unknown): DeltaLink {
  const v = value as Record<string, unknown>;
  if (typeof v !== "object" || v === null) throw new SyntaxError("Cannot read delta link: not an object");
  const { index, indexSha256, indexLength, pack, packSha256, packLength } = v;
  const paths = [index, pack].every((p) => typeof p === "string" && PATH.test(p) && !p.includes(".."));
  const lengths = Number.isSafeInteger(indexLength) && Number.isSafeInteger(packLength) &&
    (indexLength as number) > 0 && (indexLength as number) <= MAX_INDEX_LENGTH && (packLength as number) >= 0;
  if (!paths || !lengths || !isSha256(indexSha256) || !isSha256(packSha256)) {
    throw new SyntaxError("Cannot read delta link: bad index or pack path, length or sha256");
  }
  return {
    index: index as string,
    indexSha256,
    indexLength: indexLength as number,
    pack: pack as string,
    packSha256,
    packLength: packLength as number,
    chunker: checkChunkerParams(v.chunker),
  };
}
