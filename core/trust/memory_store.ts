/**
 * An in-memory store that serves as both a {@linkcode RepoStore} (get/put, repository side)
 * and a {@linkcode MetadataStore} (read/write/remove, client side). For tests and for the
 * edge's caches; copies bytes in and out so callers cannot alter what is stored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore } from "./memory_store.ts";
 * const store = new MemoryStore();
 * await store.put("tuf/timestamp.json", new Uint8Array([1]));
 * assert.equal((await store.read("tuf/timestamp.json"))?.[0], 1);
 * ```
 * @module
 */
import type { MetadataStore } from "./refresh_trust.ts";
import type { RepoStore } from "./repo_store.ts";

/** Bytes by path, in memory. */
export class MemoryStore implements RepoStore, MetadataStore {
  #files = new Map<string, Uint8Array>();

  /** The bytes at `path`, or `undefined`. */
  get(path: string): Promise<Uint8Array | undefined> {
    const b = this.#files.get(path);
    return Promise.resolve(b ? b.slice() : undefined);
  }
  /** Store a copy of `bytes` at `path`. */
  put(path: string, bytes: Uint8Array): Promise<void> {
    this.#files.set(path, bytes.slice());
    return Promise.resolve();
  }
  /** Same as {@linkcode MemoryStore.get}. */
  read(name: string): Promise<Uint8Array | undefined> {
    return this.get(name);
  }
  /** Same as {@linkcode MemoryStore.put}. */
  write(name: string, bytes: Uint8Array): Promise<void> {
    return this.put(name, bytes);
  }
  /** Delete `name` if present. */
  remove(name: string): Promise<void> {
    this.#files.delete(name);
    return Promise.resolve();
  }
  /** Paths stored, sorted. */
  paths(): string[] {
    return [...this.#files.keys()].sort();
  }
}
