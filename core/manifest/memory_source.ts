/**
 * An in-memory source: manifests and artifacts held as bytes. Handy for tests, for manifests given inline,
 * and for runtimes with no file system (Workers).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemorySource } from "./memory_source.ts";
 * const s = new MemorySource("mem");
 * s.put("blob", "artifact", new TextEncoder().encode("hi"));
 * assert.equal((await s.get("blob", "artifact"))?.size, 2);
 * ```
 * @module
 */
import type { ArtifactSource, ItemKind, SourceEntry, SourceItem } from "./source.ts";

/** A source backed by a Map of byte arrays. */
export class MemorySource implements ArtifactSource {
  readonly name: string;
  #items = new Map<string, Uint8Array>();
  #installed: boolean;

  /** `installed: true` marks every item as already installed on the device. */
  constructor(name = "memory", options: { installed?: boolean } = {}) {
    this.name = name;
    this.#installed = options.installed ?? false;
  }

  /** Adds or replaces an item. */
  put(id: string, kind: ItemKind, bytes: Uint8Array): this {
    this.#items.set(`${kind}\0${id}`, bytes);
    return this;
  }

  /** Removes an item. */
  delete(id: string, kind: ItemKind): boolean {
    return this.#items.delete(`${kind}\0${id}`);
  }

  list(): Promise<SourceEntry[]> {
    return Promise.resolve(
      [...this.#items].map(([key, bytes]) => {
        const [kind, id] = key.split("\0") as [ItemKind, string];
        return { id, kind, size: bytes.byteLength };
      }),
    );
  }

  get(id: string, kind: ItemKind): Promise<SourceItem | undefined> {
    const bytes = this.#items.get(`${kind}\0${id}`);
    if (bytes === undefined) return Promise.resolve(undefined);
    return Promise.resolve({
      id,
      kind,
      size: bytes.byteLength,
      source: this.name,
      installed: this.#installed,
      readRange: (offset: number, length: number) => Promise.resolve(bytes.slice(offset, offset + length)),
      open: () =>
        Promise.resolve(
          new ReadableStream<Uint8Array>({
            start(c) {
              c.enqueue(bytes.slice());
              c.close();
            },
          }),
        ),
    });
  }
}
