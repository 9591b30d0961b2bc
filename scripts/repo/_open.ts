/**
 * Private: open the repository named by --repo with the keys in --keys, holding its lock
 * (`_repo_lock.ts`) until the returned handle is disposed: a mutating command keeps it across its
 * whole read-modify-write of metadata (`await using repo = await openRepo(parsed, io)`).
 */
import type { CommandIO } from "../../device/cli/command.ts";
import { type Parsed, required } from "../../device/cli/define_command.ts";
import type { Lock } from "../../device/fs/lock.ts";
import { NotFoundError } from "../../core/errors.ts";
import { type KeyPair, RepositoryWriter, type RoleName } from "../../core/trust/mod.ts";
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

/** Options of {@linkcode openRepo}. */
export interface OpenRepoOptions {
  /** Open for this delegated role: the writer acts on it, signed with its keys in --keys (`_role_keys.ts`). */
  role?: string;
  /**
   * The command will publish (sign targets or the role, snapshot and timestamp), e.g. "add app": a key
   * missing from --keys is then a `NotFoundError` (`Cannot add app: no targets key in DIR (targets.json)`)
   * before the lock is taken, so nothing is imported for a commit that would fail.
   */
  publishes?: string;
}

/** Takes the repository's lock, then opens it (the lock is released if opening fails). */
export async function openRepo(
  parsed: Parsed,
  io?: CommandIO,
  options: OpenRepoOptions = {},
): Promise<OpenedRepo> {
  const store = new FsRepoStore(required(parsed, "repo"));
  const keysDir = required(parsed, "keys");
  const keys = await readKeyring(keysDir);
  const role = options.role === undefined
    ? undefined
    : { name: options.role, keys: await readRoleKeys(keysDir, options.role) };
  if (options.publishes !== undefined) {
    const signer: [string, KeyPair[] | undefined] = role ? [role.name, role.keys] : ["targets", keys.targets];
    const needed = [signer, ...(["snapshot", "timestamp"] as RoleName[]).map((r) => [r, keys[r]] as const)];
    for (const [name, held] of needed) {
      if (!held?.length) {
        throw new NotFoundError(`Cannot ${options.publishes}: no ${name} key in ${keysDir} (${name}.json)`);
      }
    }
  }
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
