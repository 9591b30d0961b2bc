/**
 * Private: `repo push`, a repository directory onto an edge (Deno or Workers) through its publish
 * API, sending only what the edge lacks:
 *
 * 1. The edge must serve this repository: its `tuf/1.root.json` is the repository's, and it is not
 *    ahead of it (`_push_metadata.ts`: `E_STALE` otherwise).
 * 2. Each target any metadata document of the repository lists (top-level targets and every
 *    delegated role) the edge does not serve (`HEAD /targets/<dir>/<sha256>.<name>`) is streamed with
 *    `PUT /v1/targets/<sha256>`; the rest is skipped, so a push run again after an interruption uploads
 *    only what is still missing. The chunked forms (`.cidx`, `.cpack`) are targets like any other, so
 *    they go too (the edge refuses metadata whose `custom.delta` links one it does not have: 409
 *    `E_DELTA_LINK`).
 * 3. The metadata goes last (`POST /v1/metadata`): the root versions, targets metadata and delegated
 *    roles the edge lacks, one document in its own form or several as one metadata set; the edge
 *    checks them and signs snapshot and timestamp with its online keys.
 * 4. Verified as a device would: core/trust `refreshTrust` against the edge, from the repository's
 *    first root along the root chain, with the repository's root, targets and role versions, and
 *    every target devices resolve offered with its length and sha256.
 */
import { stat } from "node:fs/promises";
import { IntegrityError, TrustError } from "../../core/errors.ts";
import { MemoryStore, refreshTrust, type RoleName, type TargetInfo } from "../../core/trust/mod.ts";
import type { CommandIO } from "../../device/cli/command.ts";
import { ProgressBar } from "../../device/cli/progress.ts";
import type { EdgeClient } from "./_edge_client.ts";
import { readEdgeState } from "./_edge_state.ts";
import { type LocalState, readLocalState } from "./_local_state.ts";
import { missingMetadata, sendMetadata } from "./_push_metadata.ts";
import { edgeOnlyReleases } from "./_edge_only_releases.ts";
import { RemovalRefusedError } from "./removal_refused_error.ts";
import type { FsRepoStore } from "./fs_repo_store.ts";

/** One target of the push. */
export interface PushedTarget {
  path: string;
  sha256: string;
  bytes: number;
}

/** What `repo push --json` reports (besides `command`, `ok`, `exitCode`). */
export interface PushReport {
  edge: string;
  /** Releases the edge served that the repository never had, removed by `--allow-removal`. */
  removed: string[];
  uploaded: PushedTarget[];
  skipped: PushedTarget[];
  bytes: {
    uploaded: number;
    skipped: number;
    /** Of `uploaded`, the bytes of chunked forms (delta index and pack targets, DESIGN §10). */
    chunkedForm: number;
  };
  metadata: {
    /** The repository's root version. */
    root: number;
    /** The root versions sent, in order (none when the edge had the repository's root). */
    roots: number[];
    targets: number;
    /** False when the edge had this targets metadata already. */
    published: boolean;
    /** Each delegated role of the repository; `published` false when the edge had that version. */
    roles: { name: string; version: number; published: boolean }[];
    /** The edge's versions after the push. */
    versions: Record<RoleName, number>;
    /** The edge's warnings (releases not offered to legacy clients). */
    warnings: string[];
  };
  /**
   * What a device refreshing from the edge with the repository's first root now trusts: `targets`
   * resolved paths, all `offered` as pushed, under root `root`, with delegated `roles` at these versions.
   */
  verified: { targets: number; offered: number; root: number; roles: Record<string, number> };
}

/** `custom.kind` of the targets of a chunked form (`repo add-app|add-image`, DESIGN §10). */
const CHUNKED_FORM = new Set(["delta-index", "delta-pack"]);

/** Pushes the repository in `store` to `edge`; progress on stderr (none with `json`). */
export async function pushRepo(
  store: FsRepoStore,
  edge: EdgeClient,
  options: { io: CommandIO; json: boolean; allowRemoval?: boolean },
): Promise<PushReport> {
  const local = await readLocalState(store);
  const edgeState = await readEdgeState(edge);
  const out = await missingMetadata(store, { local, edge: edgeState, base: edge.base.href });
  const removed = out.targets || out.roles.length > 0
    ? await edgeOnlyReleases(store, { local, edge: edgeState })
    : [];
  if (removed.length > 0 && !options.allowRemoval) throw removalRefused(removed, local.targets.version);
  const sent = new Set(out.roles.map((r) => r.name));
  const report: PushReport = {
    edge: edge.base.href,
    removed,
    uploaded: [],
    skipped: [],
    bytes: { uploaded: 0, skipped: 0, chunkedForm: 0 },
    metadata: {
      root: local.rootVersion,
      roots: out.roots.map((r) => r.version),
      targets: local.targets.version,
      published: out.targets !== undefined,
      roles: [...local.roles].map(([name, doc]) => ({
        name,
        version: doc.version,
        published: sent.has(name),
      })),
      versions: {} as Record<RoleName, number>,
      warnings: [],
    },
    verified: { targets: local.resolved.size, offered: 0, root: 0, roles: {} },
  };
  for (const target of local.files) await upload(store, { edge, target, report, ...options });
  const answer = await sendMetadata(edge, out);
  if (Array.isArray(answer.warnings)) report.metadata.warnings = answer.warnings.map(String);
  await verify(edge, { local, report });
  return report;
}

/** The refusal of a push that would remove `releases` (more than 3: the first 3 and how many more). */
function removalRefused(releases: string[], targetsVersion: number): RemovalRefusedError {
  const shown = releases.slice(0, 3).join(", ") +
    (releases.length > 3 ? ` and ${releases.length - 3} more` : "");
  return new RemovalRefusedError(
    `Cannot push targets v${targetsVersion}: the edge would stop serving ${releases.length} release` +
      `${releases.length === 1 ? "" : "s"} this repository never had (published from elsewhere): ${shown}; ` +
      "add them here (add-app with the same --name, --ref, --commit and archive), or pass --allow-removal " +
      "to remove them from the edge",
    { releases },
  );
}

/** Streams `target` to the edge unless it serves it already; counts it in `report`. */
async function upload(
  store: FsRepoStore,
  options: { edge: EdgeClient; target: TargetInfo; report: PushReport; io: CommandIO; json: boolean },
): Promise<void> {
  const { edge, target, report, io, json } = options;
  const sha256 = target.hashes.sha256;
  if (!sha256) {
    throw new Error(`Cannot push ${target.path}: it has no sha256 (the edge stores targets by it)`);
  }
  const entry = { path: target.path, sha256, bytes: target.length };
  if (await edge.has(target.url)) {
    report.skipped.push(entry);
    report.bytes.skipped += target.length;
    return;
  }
  const file = store.resolve(target.url);
  const size = (await stat(file).catch(() => undefined))?.size;
  if (size !== target.length) {
    throw new IntegrityError(
      `Cannot push ${target.path}: ${target.url} is ${size ?? "missing"}${
        size === undefined ? "" : " bytes"
      }, ` +
        `the signed length is ${target.length}`,
    );
  }
  const bar = new ProgressBar(io, { label: target.path, total: size, json, action: "upload" });
  try {
    await edge.putTarget(sha256, { file, size, onProgress: (sent) => bar.update(sent) });
    bar.done();
  } catch (error) {
    bar.done({ ok: false });
    throw error;
  }
  report.uploaded.push(entry);
  report.bytes.uploaded += target.length;
  if (CHUNKED_FORM.has((target.custom as { kind?: string }).kind ?? "")) {
    report.bytes.chunkedForm += target.length;
  }
}

/**
 * Refreshes from the edge as a device given the repository's first root; the versions it trusts must
 * be the repository's and every target devices resolve offered as pushed (`IntegrityError`).
 */
async function verify(edge: EdgeClient, options: { local: LocalState; report: PushReport }): Promise<void> {
  const { local, report } = options;
  const trusted = await refreshTrust({
    fetch: (path, maxLength) => edge.get(path, maxLength),
    store: new MemoryStore(),
    trustedRoot: local.firstRoot,
  }).catch((error) => {
    if (!(error instanceof TrustError)) throw error;
    throw new TrustError(
      `Cannot verify the edge after the push: ${error.message} (does the edge sign snapshot and ` +
        "timestamp with the keys the repository's root names?)",
      { cause: error },
    );
  });
  report.metadata.versions = { ...trusted.versions };
  report.verified.root = trusted.versions.root;
  report.verified.roles = { ...trusted.delegatedVersions };
  const seen = (what: string, version: number, expected: number) => {
    if (version !== expected) {
      throw new IntegrityError(
        `Cannot verify the edge after the push: devices see ${what} v${version}, not v${expected}`,
      );
    }
  };
  seen("root", trusted.versions.root, local.rootVersion);
  seen("targets", trusted.versions.targets, local.targets.version);
  for (const [name, version] of Object.entries(trusted.delegatedVersions)) {
    seen(`role '${name}'`, version, local.roles.get(name)?.version ?? 0);
  }
  for (const target of local.resolved.values()) {
    const offered = trusted.targets.get(target.path);
    if (offered?.hashes.sha256 !== target.hashes.sha256 || offered?.length !== target.length) {
      throw new IntegrityError(
        `Cannot verify the edge after the push: it does not offer ${target.path} as pushed`,
      );
    }
    report.verified.offered++;
  }
}
