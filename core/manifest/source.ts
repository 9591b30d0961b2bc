/**
 * The sources interface of the install builder: where manifests and artifacts can be found (a directory or
 * USB mount, an HTTP repository, what is already installed, a composite of those). Sources are untrusted
 * carriers: the builder checks every manifest's signature and every artifact's size and mini-hash against
 * the signed manifest, and the installer checks the full SHA-256.
 *
 * Ids share one namespace: a manifest `id` and an artifact `id` never collide within a chain.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ArtifactSource } from "./source.ts";
 * const empty: ArtifactSource = { name: "empty", list: async () => [], get: async () => undefined };
 * assert.equal((await empty.get("x", "artifact")), undefined);
 * ```
 * @module
 */

/** What an id names in a source. */
export type ItemKind = "manifest" | "artifact";

/** An entry of a source's listing (metadata only). */
export interface SourceEntry {
  id: string;
  kind: ItemKind;
  size: number;
}

/** One copy of a manifest or artifact in one source. */
export interface SourceItem extends SourceEntry {
  /** Name of the source that holds this copy (for reports). */
  readonly source: string;
  /** True when the copy is already installed on the device (nothing to fetch). */
  readonly installed?: boolean;
  /** Reads up to `length` bytes at `offset` (fewer only at end of file). */
  readRange(offset: number, length: number): Promise<Uint8Array>;
  /** The whole copy as a stream (must be consumed or cancelled). */
  open(options?: { signal?: AbortSignal }): Promise<ReadableStream<Uint8Array>>;
}

/**
 * A place that may hold manifests and artifacts. `get` returns `undefined` when the source does not hold the
 * id, and throws when the source itself fails (I/O, network): the builder then tries the next source.
 */
export interface ArtifactSource {
  /** Human name, e.g. `dir:/media/usb` or `http://host/repo/`. */
  readonly name: string;
  /** What the source holds (may be more than a manifest needs). */
  list(): Promise<SourceEntry[]>;
  /** One copy of `id`, or `undefined`. */
  get(id: string, kind: ItemKind): Promise<SourceItem | undefined>;
  /** Every copy of `id`, best first (composites); the builder uses it when present, else `get`. */
  getAll?(id: string, kind: ItemKind): AsyncIterable<SourceItem>;
}
