/**
 * Private: open the repository named by --repo with the keys in --keys, holding its lock
 * (`_repo_lock.ts`) until the returned handle is disposed: a mutating command keeps it across its
 * whole read-modify-write of metadata (`await using repo = await openRepo(parsed, io)`).
 */
import type { CommandIO } from "../../device/cli/command.ts";
import { type Parsed, required } from "../../device/cli/define_command.ts";
import type { Lock } from "../../device/fs/lock.ts";
import { RepositoryWriter } from "../../core/trust/mod.ts";
import { readKeyring } from "./_keys.ts";
import { stagedNote } from "./_staged_note.ts";
import { readRoleKeys } from "./_role_keys.ts";
import { lockRepo } from "./_repo_lock.ts";
import { FsRepoStore } from "./fs_repo_store.ts";

/** The store, an opened writer and the repository's lock (released on dispose). */
export interface OpenedRepo extends AsyncDisposable {
  store: FsRepoStore;
  writer: RepositoryWriter;
  lock: Lock;
}

/**
 * Takes the repository's lock, then opens it (the lock is released if opening fails). With `role`,
 * the writer acts on that delegated role, signed with its keys in --keys (`_role_keys.ts`).
 */
export async function openRepo(
  parsed: Parsed,
  io?: CommandIO,
  options: { role?: string } = {},
): Promise<OpenedRepo> {
  const store = new FsRepoStore(required(parsed, "repo"));
  const keysDir = required(parsed, "keys");
  const keys = await readKeyring(keysDir);
  const role = options.role === undefined
    ? undefined
    : { name: options.role, keys: await readRoleKeys(keysDir, options.role) };
  const lock = await lockRepo(store.root, { parsed, io });
  try {
    const writer = await RepositoryWriter.open(store, keys, {
      role,
      onStaged: (s) => io?.stderr(stagedNote(s)),
    });
    return { store, writer, lock, [Symbol.asyncDispose]: () => lock.release() };
  } catch (error) {
    await lock.release();
    throw error;
  }
}
