/** Private: open the repository named by --repo with the keys in --keys. */
import { RepositoryWriter } from "../../core/trust/mod.ts";
import { need } from "./_args.ts";
import { readKeys } from "./_keys.ts";
import { FsRepoStore } from "./fs_repo_store.ts";

/** The store and an opened writer. */
export async function openRepo(
  values: Record<string, unknown>,
): Promise<{ store: FsRepoStore; writer: RepositoryWriter }> {
  const store = new FsRepoStore(need(values, "repo"));
  const keys = await readKeys(need(values, "keys"));
  return { store, writer: await RepositoryWriter.open(store, keys) };
}
