/** Private: read and check the current metadata of a repository (for RepositoryWriter.open). */
import { TrustError } from "../errors.ts";
import { parseRole, type SignedByRole } from "./_metadata.ts";
import type { Envelope } from "./envelope.ts";
import type { RepoStore } from "./repo_store.ts";
import { type RoleName, verifyEnvelope } from "./verify_envelope.ts";

type Env<R extends RoleName> = Envelope<SignedByRole[R]>;

/** The newest root and the timestamp -> snapshot -> targets chain, each verified against that root. */
export async function loadRepository(store: RepoStore): Promise<{
  root: Env<"root">;
  timestamp: Env<"timestamp">;
  snapshot: Env<"snapshot">;
  snapshotBytes: Uint8Array;
  targets: Env<"targets">;
}> {
  const read = async <R extends RoleName>(role: R, path: string) => {
    const bytes = await store.get(path);
    if (!bytes) throw new TrustError(`Cannot open repository: ${path} not found (run 'repo init' first?)`);
    return { env: parseRole(role, bytes), bytes };
  };
  const root = (await read("root", "tuf/root.json")).env;
  await verifyEnvelope(root, root.signed, "root", { label: "tuf/root.json" });
  const timestamp = (await read("timestamp", "tuf/timestamp.json")).env;
  const snap = await read("snapshot", `tuf/${timestamp.signed.meta["snapshot.json"].version}.snapshot.json`);
  const targetsVersion = snap.env.signed.meta["targets.json"]?.version;
  const targets = (await read("targets", `tuf/${targetsVersion}.targets.json`)).env;
  await verifyEnvelope(targets, root.signed, "targets");
  await verifyEnvelope(snap.env, root.signed, "snapshot");
  await verifyEnvelope(timestamp, root.signed, "timestamp");
  return { root, timestamp, snapshot: snap.env, snapshotBytes: snap.bytes, targets };
}
