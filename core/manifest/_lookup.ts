/**
 * Private: finding a valid copy of a manifest or an artifact among sources in priority order. A source that
 * throws is skipped; a damaged copy is remembered and the next copy tried.
 * @module
 */
import {
  checkManifest,
  type Manifest,
  type ManifestArtifact,
  type ManifestPolicy,
  MAX_MANIFEST_BYTES,
} from "./manifest.ts";
import { miniHash } from "./mini_hash.ts";
import { isCorruptCode, type ValidationFailure } from "./reasons.ts";
import type { ArtifactSource, ItemKind, SourceItem } from "./source.ts";
import { readAll } from "../verify/read_all.ts";

/** Every copy of `id` in `sources`, in order; failing sources are skipped (unless aborted). */
export async function* copiesOf(
  sources: readonly ArtifactSource[],
  id: string,
  kind: ItemKind,
  signal?: AbortSignal,
): AsyncIterable<SourceItem> {
  for (const s of sources) {
    signal?.throwIfAborted();
    try {
      if (s.getAll) {
        for await (const c of s.getAll(id, kind)) yield c;
      } else {
        const c = await s.get(id, kind);
        if (c) yield c;
      }
    } catch (e) {
      if (signal?.aborted) throw e;
      // a failing source does not stop the next one
    }
  }
}

/** The result of {@linkcode findManifest}. */
export type FoundManifest =
  | { ok: true; manifest: Manifest; copy: SourceItem }
  | { ok: false; failure: ValidationFailure }
  | undefined;

/**
 * The first valid copy of manifest `id`; else the first failure that is not corruption (a real verdict on
 * the manifest), else the first corruption; `undefined` when no source holds it.
 */
export async function findManifest(
  copies: AsyncIterable<SourceItem>,
  id: string,
  policy: ManifestPolicy & { signal?: AbortSignal },
): Promise<FoundManifest> {
  let first: ValidationFailure | undefined;
  let firstSemantic: ValidationFailure | undefined;
  for await (const copy of copies) {
    let bytes: Uint8Array;
    try {
      if (copy.size > MAX_MANIFEST_BYTES) throw new RangeError("manifest file is too large");
      bytes = await readAll(await copy.open({ signal: policy.signal }), {
        maxBytes: MAX_MANIFEST_BYTES,
        name: "manifest",
      });
    } catch (e) {
      if (e instanceof RangeError) {
        first ??= { code: "NO_MANIFEST_JSON", message: e.message, source: copy.source };
      }
      continue; // the source failed: try the next one
    }
    const r = await checkManifest(bytes, { ...policy, id });
    if (r.ok) return { ok: true, manifest: r.manifest, copy };
    const f = { ...r.failure, source: copy.source };
    first ??= f;
    if (!isCorruptCode(f.code)) firstSemantic ??= f;
  }
  const failure = firstSemantic ?? first;
  return failure ? { ok: false, failure } : undefined;
}

/**
 * The first copy whose size and mini-hash match the manifest's entry; else the first INVALID_MINI_HASH
 * failure; `undefined` when no source holds it (or every source failed to read).
 */
export async function findArtifact(
  copies: AsyncIterable<SourceItem>,
  a: ManifestArtifact,
): Promise<SourceItem | ValidationFailure | undefined> {
  let failure: ValidationFailure | undefined;
  for await (const copy of copies) {
    if (copy.size !== a.size) {
      failure ??= {
        code: "INVALID_MINI_HASH",
        message: `size is ${copy.size}, the manifest says ${a.size}`,
        source: copy.source,
      };
      continue;
    }
    if (a.miniHash === undefined) return copy;
    let got: string;
    try {
      got = await miniHash(a.size, async (offset, length) => {
        const b = await copy.readRange(offset, length);
        if (b.byteLength !== length) throw new RangeError(`short read at ${offset}`);
        return b;
      });
    } catch (e) {
      if (e instanceof RangeError) {
        failure ??= { code: "INVALID_MINI_HASH", message: e.message, source: copy.source };
      }
      continue;
    }
    if (got === a.miniHash) return copy;
    failure ??= { code: "INVALID_MINI_HASH", message: "mini-hash mismatch", source: copy.source };
  }
  return failure;
}
