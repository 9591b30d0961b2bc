/**
 * Private to test/ (re-exported by `harness.ts`): repositories made by `scripts/repo.ts`, and
 * hand-made metadata published in them (re-signed with the repository's keys or others) for the
 * attacks that need bad-but-signed metadata.
 * @module
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { encodeMetadata, type KeyPair, parseKeyFile, signEnvelope } from "../core/trust/mod.ts";
import { repoCli } from "./_runner.ts";
import { sha256 } from "./_tree.ts";

/** An app release to publish. */
export interface AppRelease {
  name: string;
  ref: string;
  commit: string;
  file: string;
  version?: string;
}

/** A repository made by `scripts/repo.ts`: `dir` is served, `keys` holds the four role keys. */
export interface Repo {
  dir: string;
  keys: string;
  /** Publishes one more release (new signed targets, snapshot, timestamp). */
  addApp(release: AppRelease): Promise<void>;
}

/** `repo init` in `dir` (keys in `dir + ".keys"`) then `repo add-app` for each release. */
export async function buildRepo(dir: string, releases: AppRelease[], options: { expiresDays?: number } = {}) {
  const keys = `${dir}.keys`;
  const init = ["init", "--repo", dir, "--keys", keys];
  if (options.expiresDays) init.push("--expires-days", String(options.expiresDays));
  await repoCli(init);
  const repo: Repo = {
    dir,
    keys,
    async addApp(r) {
      const args = ["add-app", "--repo", dir, "--keys", keys, "--name", r.name, "--ref", r.ref];
      args.push("--commit", r.commit, "--file", r.file);
      if (r.version) args.push("--version", r.version);
      await repoCli(args);
    },
  };
  for (const r of releases) await repo.addApp(r);
  return repo;
}

/** A signed role as JSON (what {@linkcode resign} hands to the mutators). */
// deno-lint-ignore no-explicit-any
export type Signed = Record<string, any>;

/** Options of {@linkcode resign}. */
export interface ResignOptions {
  /** Roles to publish anew, in this order (default targets, snapshot, timestamp). */
  roles?: ("targets" | "snapshot" | "timestamp")[];
  /** Edit each role's signed part after its version is bumped and its references are updated. */
  targets?: (signed: Signed) => void;
  snapshot?: (signed: Signed) => void;
  timestamp?: (signed: Signed) => void;
  /** Sign with these keys instead of the repository's key for that role. */
  keys?: Partial<Record<"targets" | "snapshot" | "timestamp", KeyPair[]>>;
}

/** The repository's key of `role` (from `<repo>.keys/<role>.json`). */
export async function repoKey(repo: Repo, role: string): Promise<KeyPair> {
  return parseKeyFile(await readFile(join(repo.keys, `${role}.json`), "utf8"));
}

/**
 * Publishes hand-made metadata in `repo` as `scripts/repo.ts` would (targets v+1, snapshot v+1 that points
 * at it, timestamp v+1 that points at that), after `options` mutated it: for attacks that need
 * bad-but-signed metadata.
 */
export async function resign(repo: Repo, options: ResignOptions = {}): Promise<void> {
  const tuf = join(repo.dir, "tuf");
  const read = async (name: string) => JSON.parse(await readFile(join(tuf, name), "utf8"));
  const timestamp = await read("timestamp.json");
  let snapshotVersion: number = timestamp.signed.meta["snapshot.json"].version;
  const snapshot = await read(`${snapshotVersion}.snapshot.json`);
  let targetsVersion: number = snapshot.signed.meta["targets.json"].version;
  const ref = (version: number, bytes: Uint8Array) => ({
    version,
    length: bytes.length,
    hashes: { sha256: sha256(bytes) },
  });
  const roles = options.roles ?? ["targets", "snapshot", "timestamp"];
  let targetsBytes: Uint8Array | undefined;
  let snapshotBytes: Uint8Array | undefined;
  if (roles.includes("targets")) {
    const signed: Signed = (await read(`${targetsVersion}.targets.json`)).signed;
    signed.version = ++targetsVersion;
    options.targets?.(signed);
    const keys = options.keys?.targets ?? [await repoKey(repo, "targets")];
    targetsBytes = encodeMetadata(await signEnvelope(signed, keys));
    await writeFile(join(tuf, `${targetsVersion}.targets.json`), targetsBytes);
  }
  if (roles.includes("snapshot")) {
    const signed: Signed = snapshot.signed;
    signed.version = ++snapshotVersion;
    if (targetsBytes) signed.meta["targets.json"] = ref(targetsVersion, targetsBytes);
    options.snapshot?.(signed);
    const keys = options.keys?.snapshot ?? [await repoKey(repo, "snapshot")];
    snapshotBytes = encodeMetadata(await signEnvelope(signed, keys));
    await writeFile(join(tuf, `${snapshotVersion}.snapshot.json`), snapshotBytes);
  }
  if (roles.includes("timestamp")) {
    const signed: Signed = timestamp.signed;
    signed.version += 1;
    if (snapshotBytes) signed.meta["snapshot.json"] = ref(snapshotVersion, snapshotBytes);
    options.timestamp?.(signed);
    const keys = options.keys?.timestamp ?? [await repoKey(repo, "timestamp")];
    await writeFile(join(tuf, "timestamp.json"), encodeMetadata(await signEnvelope(signed, keys)));
  }
}
