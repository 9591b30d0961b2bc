/**
 * Where a repository's files live, for {@linkcode RepositoryWriter}: bytes by path relative to the
 * repository root. `MemoryRepoStore` (tests, the edge's development repository) and the repository
 * builder's `FsRepoStore` implement it.
 * @module
 */

/** Bytes by path relative to the repository root ("tuf/1.root.json", "releases.json", …). */
export interface RepoStore {
  get(path: string): Promise<Uint8Array | undefined>;
  /** Must be atomic (temp + rename) on disk. */
  put(path: string, bytes: Uint8Array): Promise<void>;
  /** Optional: delete `path` if present (staged metadata once published). */
  remove?(path: string): Promise<void>;
}
