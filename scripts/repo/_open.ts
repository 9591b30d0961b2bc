/** Private: open the repository named by --repo with the keys in --keys. */
import { type Parsed, required } from "../../device/cli/define_command.ts";
import { RepositoryWriter } from "../../core/trust/mod.ts";
import { readKeys } from "./_keys.ts";
import { FsRepoStore } from "./fs_repo_store.ts";

/** The store and an opened writer. */
export async function openRepo(parsed: Parsed): Promise<{ store: FsRepoStore; writer: RepositoryWriter }> {
  const store = new FsRepoStore(required(parsed, "repo"));
  const keys = await readKeys(required(parsed, "keys"));
  return { store, writer: await RepositoryWriter.open(store, keys) };
}
