/**
 * Deltas: content-defined chunking of an artifact's uncompressed stream, the signed chunk index,
 * the link from a release's `custom.delta`, and the planner that decides what a device copies from
 * what it holds and what it fetches.
 * @module
 */
export { checkChunkerParams, type ChunkerParams, DEFAULT_CHUNKER } from "./chunker_params.ts";
export { type Chunk, ChunkStream } from "./chunk_stream.ts";
export { type ChunkIndex, decodeChunkIndex, encodeChunkIndex, type IndexChunk } from "./chunk_index.ts";
export { type DeltaLink, MAX_INDEX_LENGTH, parseDeltaLink } from "./delta_link.ts";
export { type DeltaPlan, type PackRange, planDelta, type SeedChunk } from "./plan_delta.ts";
export { ChunkDigestStream, type DigestedChunk } from "./chunk_digest_stream.ts";
