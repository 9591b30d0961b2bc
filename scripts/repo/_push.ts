/**
 * Private: `repo push`, a repository directory onto an edge (Deno or Workers) through its publish
 * API, sending only what the edge lacks:
 *
 * 1. The edge must serve this repository: its `tuf/1.root.json` is the repository's, and its root
 *    version the same (the API takes no root metadata).
 * 2. Each target of the repository's current targets metadata the edge does not serve
 *    (`HEAD /targets/<dir>/<sha256>.<name>`) is streamed with `PUT /v1/targets/<sha256>`; the rest is
 *    skipped, so a push run again after an interruption uploads only what is still missing. The
 *    chunked forms (`.cidx`, `.cpack`) are targets like any other, so they go too (the edge refuses
 *    metadata whose `custom.delta` links one it does not have: 409 `E_DELTA_LINK`).
 * 3. The targets metadata goes last (`POST /v1/metadata`), unless the edge has that version already
 *    (the same bytes); the edge then signs snapshot and timestamp with its online keys (the API takes
 *    targets metadata only). An edge ahead of the repository is refused (`E_STALE`).
 * 4. Verified as a device would: core/trust `refreshTrust` against the edge, from the repository's
 *    root, and every target of the repository offered with its length and sha256.
 */
import { stat } from "node:fs/promises";
import { IntegrityError, TrustError } from "../../core/errors.ts";
import { decodeMetadata, MemoryStore, refreshTrust, type RoleName } from "../../core/trust/mod.ts";
import type { CommandIO } from "../../device/cli/command.ts";
import { ProgressBar } from "../../device/cli/progress.ts";
import type { EdgeClient } from "./_edge_client.ts";
import { readLocalState } from "./_local_state.ts";
import { EdgeAnswerError } from "./edge_answer_error.ts";
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
  uploaded: PushedTarget[];
  skipped: PushedTarget[];
  bytes: {
    uploaded: number;
    skipped: number;
    /** Of `uploaded`, the bytes of chunked forms (delta index and pack targets, DESIGN §10). */
    chunkedForm: number;
  };
  metadata: {
    targets: number;
    /** False when the edge had this targets metadata already. */
    published: boolean;
    /** The edge's versions after the push. */
    versions: Record<RoleName, number>;
    /** The edge's warnings (releases not offered to legacy clients). */
    warnings: string[];
  };
  /** What a device refreshing from the edge with the repository's root now trusts. */
  verified: { targets: number; offered: number };
}

const MAX_METADATA = 16 * 1024 * 1024;
/** `custom.kind` of the targets of a chunked form (`repo add-app|add-image`, DESIGN §10). */
const CHUNKED_FORM = new Set(["delta-index", "delta-pack"]);

async function edgeTargets(edge: EdgeClient): Promise<{ version: number; bytes?: Uint8Array }> {
  const timestamp = await edge.get("tuf/timestamp.json", MAX_METADATA);
  if (!timestamp) return { version: 0 };
  const meta = (signed: unknown, name: string) =>
    Number((signed as { meta?: Record<string, { version?: number }> }).meta?.[name]?.version);
  const snapshotVersion = meta(decodeMetadata(timestamp).signed, "snapshot.json");
  const snapshot = await edge.get(`tuf/${snapshotVersion}.snapshot.json`, MAX_METADATA);
  if (!snapshot) throw new Error(`Cannot push: the edge serves no tuf/${snapshotVersion}.snapshot.json`);
  const version = meta(decodeMetadata(snapshot).signed, "targets.json");
  return { version, bytes: await edge.get(`tuf/${version}.targets.json`, MAX_METADATA) };
}

const same = (a: Uint8Array, b: Uint8Array | undefined) =>
  b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

async function checkSameRepository(edge: EdgeClient, local: { firstRoot: Uint8Array; rootVersion: number }) {
  const first = await edge.get("tuf/1.root.json", MAX_METADATA);
  if (!first) {
    throw new Error(
      `Cannot push: ${edge.base.href} serves no repository yet (no tuf/1.root.json); give the edge this ` +
        "repository's tuf/ first (DROVER_DATA, or the R2 bucket)",
    );
  }
  if (!same(local.firstRoot, first)) {
    throw new Error(`Cannot push: ${edge.base.href} serves another repository (its tuf/1.root.json differs)`);
  }
  const root = await edge.get("tuf/root.json", MAX_METADATA);
  const version = root ? Number((decodeMetadata(root).signed as { version?: number }).version) : 0;
  if (version !== local.rootVersion) {
    throw new Error(
      `Cannot push: the edge has root v${version}, the repository v${local.rootVersion}; root metadata ` +
        "is not taken over the API: copy the repository's tuf/<N>.root.json and tuf/root.json to the edge",
    );
  }
}

/** Pushes the repository in `store` to `edge`; progress on stderr (none with `json`). */
export async function pushRepo(
  store: FsRepoStore,
  edge: EdgeClient,
  options: { io: CommandIO; json: boolean },
): Promise<PushReport> {
  const { io, json } = options;
  const local = await readLocalState(store);
  await checkSameRepository(edge, local);
  const before = await edgeTargets(edge);
  const pushed = local.targets;
  if (
    before.version > pushed.version ||
    (before.version === pushed.version && !same(pushed.bytes, before.bytes))
  ) {
    throw new EdgeAnswerError(
      `Cannot push targets v${pushed.version}: the edge has targets v${before.version}${
        before.version === pushed.version ? " with other content" : ""
      } (published from elsewhere); build on the edge's metadata, or publish a newer version`,
      { status: 409, code: "E_STALE" },
    );
  }
  const report: PushReport = {
    edge: edge.base.href,
    uploaded: [],
    skipped: [],
    bytes: { uploaded: 0, skipped: 0, chunkedForm: 0 },
    metadata: {
      targets: pushed.version,
      published: false,
      versions: {} as Record<RoleName, number>,
      warnings: [],
    },
    verified: { targets: pushed.list.length, offered: 0 },
  };
  for (const target of pushed.list) {
    const sha256 = target.hashes.sha256;
    if (!sha256) {
      throw new Error(`Cannot push ${target.path}: it has no sha256 (the edge stores targets by it)`);
    }
    const entry = { path: target.path, sha256, bytes: target.length };
    if (await edge.has(target.url)) {
      report.skipped.push(entry);
      report.bytes.skipped += target.length;
      continue;
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
  if (before.version < pushed.version) {
    const answer = await edge.postTargets(pushed.bytes, pushed.version);
    report.metadata.published = true;
    if (Array.isArray(answer.warnings)) report.metadata.warnings = answer.warnings.map(String);
  }
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
  for (const target of pushed.list) {
    const offered = trusted.targets.get(target.path);
    if (offered?.hashes.sha256 !== target.hashes.sha256 || offered?.length !== target.length) {
      throw new IntegrityError(
        `Cannot verify the edge after the push: it does not offer ${target.path} as pushed`,
      );
    }
    report.verified.offered++;
  }
  if (trusted.versions.targets !== pushed.version) {
    throw new IntegrityError(
      `Cannot verify the edge after the push: devices see targets v${trusted.versions.targets}, not v${pushed.version}`,
    );
  }
  return report;
}
