/**
 * A composite source: several sources in priority order behind one. A source that fails (throws) is skipped,
 * and every copy is offered in turn (`getAll`), so a corrupt copy in one source does not hide a good one in the
 * next.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CompositeSource } from "./composite_source.ts";
 * import { MemorySource } from "./memory_source.ts";
 * const a = new MemorySource("a"), b = new MemorySource("b").put("x", "artifact", new Uint8Array(1));
 * const c = new CompositeSource([a, b]);
 * assert.equal((await c.get("x", "artifact"))?.source, "b");
 * ```
 * @module
 */
import type { ArtifactSource, ItemKind, SourceEntry, SourceItem } from "./source.ts";

/** Several sources, in priority order, as one. */
export class CompositeSource implements ArtifactSource {
  readonly name: string;
  #sources: ArtifactSource[];

  constructor(sources: Iterable<ArtifactSource>, options: { name?: string } = {}) {
    this.#sources = [...sources];
    this.name = options.name ?? `composite(${this.#sources.map((s) => s.name).join(", ")})`;
  }

  /** The member sources, in priority order. */
  get sources(): readonly ArtifactSource[] {
    return this.#sources;
  }

  /** The union of the members' listings (first copy of each id wins); failing members are skipped. */
  async list(): Promise<SourceEntry[]> {
    const out = new Map<string, SourceEntry>();
    for (const s of this.#sources) {
      let entries: SourceEntry[];
      try {
        entries = await s.list();
      } catch {
        continue;
      }
      for (const e of entries) if (!out.has(`${e.kind}\0${e.id}`)) out.set(`${e.kind}\0${e.id}`, e);
    }
    return [...out.values()];
  }

  async get(id: string, kind: ItemKind): Promise<SourceItem | undefined> {
    for await (const item of this.getAll(id, kind)) return item;
    return undefined;
  }

  async *getAll(id: string, kind: ItemKind): AsyncIterable<SourceItem> {
    for (const s of this.#sources) {
      if (s.getAll) {
        try {
          for await (const item of s.getAll(id, kind)) yield item;
        } catch {
          // a failing member does not stop the next one
        }
        continue;
      }
      let item: SourceItem | undefined;
      try {
        item = await s.get(id, kind);
      } catch {
        continue;
      }
      if (item) yield item;
    }
  }
}
