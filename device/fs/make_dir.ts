/**
 * `mkdir -p` that says why it failed: Node's recursive `mkdir` reports ENOENT when the file system
 * is read-only (the parent exists), so on failure the last level is tried once more on its own for
 * the real cause; a full or read-only file system becomes `NoSpaceError` / `ReadOnlyError`
 * (`Cannot <action>: … (<path>)`, `device/fs/storage_error.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm, stat } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { makeDir } from "./make_dir.ts";
 * const dir = await mkdtemp(join(tmpdir(), "make-dir-"));
 * await makeDir(join(dir, "a/b"), { action: "create a/b" });
 * assert.ok((await stat(join(dir, "a/b"))).isDirectory());
 * await rm(dir, { recursive: true });
 * ```
 * @module
 */
import { mkdir } from "node:fs/promises";
import { storageErrorOf } from "./storage_error.ts";

/** Creates `path` and its missing parents (idempotent); see the module doc for its errors. */
export async function makeDir(path: string, options: { action: string }): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    const cause = await mkdir(path).then(
      () => undefined,
      (e) => ((e as { code?: string }).code === "EEXIST" ? undefined : e),
    );
    if (cause === undefined) return; // made meanwhile
    const { action } = options;
    throw storageErrorOf(cause, { action, path }) ?? storageErrorOf(error, { action, path }) ?? error;
  }
}
