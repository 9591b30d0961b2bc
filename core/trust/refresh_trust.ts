/**
 * The TUF client workflow (spec 5.3-5.6): update root through the chain of signed roots, then
 * timestamp, snapshot and targets, each checked for signature threshold, version rollback,
 * consistency with the role above it, length cap and expiry against ONE fixed `now`. New
 * metadata is persisted to the store only after it has been verified.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStore, RepositoryWriter, generateKeyPair, refreshTrust } from "./mod.ts";
 * const keys = { root: await generateKeyPair(), targets: await generateKeyPair(),
 *   snapshot: await generateKeyPair(), timestamp: await generateKeyPair() };
 * const served = new MemoryStore(); // stands in for an HTTP server or a USB stick
 * await RepositoryWriter.init(served, keys);
 * const repo = await refreshTrust({
 *   fetch: (path, _maxLength) => served.get(path), // HTTP: read at most maxLength bytes; 404 -> undefined
 *   store: new MemoryStore(), // device: <workspace>/tuf/
 *   trustedRoot: await served.get("tuf/1.root.json"), // provisioned on the device
 * });
 * assert.equal(repo.findApp("acme/radio", "main"), undefined);
 * ```
 * @module
 */
import { NotFoundError, TrustError } from "../errors.ts";
import { notServed } from "./_not_served.ts";
import {
  assertNotExpired,
  checkMetaRef,
  checkMetaRefHashes,
  expiresOf,
  type MetaRef,
  parseRole,
  type RootSigned,
  type SignedByRole,
} from "./_metadata.ts";
import { walkDelegations } from "./_delegation_walk.ts";
import type { Envelope } from "./envelope.ts";
import { MAX_DELEGATED_ROLES } from "./target_search.ts";
import { TrustedRepository } from "./trusted_repository.ts";
import { type RoleName, verifyEnvelope } from "./verify_envelope.ts";

/** Where a device keeps its trusted metadata ("root.json", "timestamp.json", "snapshot.json", "targets.json",
 * and "<role>.json" for each delegated role: names checked by core/trust/role_name.ts). */
export interface MetadataStore {
  read(name: string): Promise<Uint8Array | undefined>;
  /** Must be atomic (temp + rename) on disk. */
  write(name: string, bytes: Uint8Array): Promise<void>;
  /** Delete (spec 5.3.11: stale timestamp/snapshot after their keys rotate). Optional: when absent, stale
   * metadata is simply ignored because it no longer verifies against the new root. */
  remove?(name: string): Promise<void>;
}

/**
 * Fetch repository metadata by path relative to the repository root ("tuf/2.root.json",
 * "tuf/timestamp.json", …), reading at most `maxLength` bytes; `undefined` for 404; throw
 * `TransientError` for network trouble. Its result is also checked against `maxLength`.
 */
export type MetadataFetcher = (path: string, maxLength: number) => Promise<Uint8Array | undefined>;

/** Byte caps on metadata fetches. */
export interface MetadataMaxLengths {
  root: number;
  timestamp: number;
  snapshot: number;
  targets: number;
}

/** Default caps: root 512 KiB, timestamp 16 KiB, snapshot 2 MiB, targets 16 MiB. */
export const DEFAULT_MAX_LENGTHS: Readonly<MetadataMaxLengths> = Object.freeze({
  root: 512 * 1024,
  timestamp: 16 * 1024,
  snapshot: 2 * 1024 * 1024,
  targets: 16 * 1024 * 1024,
});

/** Options of {@linkcode refreshTrust}. */
export interface RefreshTrustOptions {
  fetch: MetadataFetcher;
  store: MetadataStore;
  /** Provisioned root bytes; the store's root.json is used instead when it is newer. */
  trustedRoot?: Uint8Array;
  /** The one "now" every expiry is checked against (default: the time of the call). */
  now?: Date;
  /** Most new root versions walked in one refresh (default 32). */
  maxRootRotations?: number;
  /** Most delegated targets roles loaded in one refresh (default 32; more is a `TrustError`). */
  maxDelegations?: number;
  maxLength?: Partial<MetadataMaxLengths>;
}

type Env<R extends RoleName> = Envelope<SignedByRole[R]>;

/**
 * Refresh trusted metadata from a repository and return what it offers.
 * `TrustError` on signature/threshold/expiry/rollback/unknown key/length cap/mix-and-match;
 * `NotFoundError` when the repository has no `tuf/timestamp.json` (nothing is a repository there);
 * errors of `fetch` (e.g. `TransientError`) pass through.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { refreshTrust } from "./refresh_trust.ts";
 * import { MemoryStore } from "./memory_store.ts";
 * const err = await refreshTrust({ fetch: () => Promise.resolve(undefined), store: new MemoryStore() }).catch((e) => e);
 * assert.equal(err.code, "E_TRUST");
 * ```
 */
export async function refreshTrust(options: RefreshTrustOptions): Promise<TrustedRepository> {
  const { store } = options;
  const now = new Date((options.now ?? new Date()).getTime());
  const caps = { ...DEFAULT_MAX_LENGTHS, ...options.maxLength };
  const maxRotations = options.maxRootRotations ?? 32;
  const fetchCapped = async (path: string, max: number): Promise<Uint8Array | undefined> => {
    const bytes = await options.fetch(path, max);
    if (bytes && bytes.length > max) {
      throw new TrustError(`Cannot fetch ${path}: more than the ${max}-byte cap (${bytes.length} bytes)`);
    }
    return bytes;
  };

  // 5.2 trusted root: the provisioned one, or the store's when newer (it was verified when persisted).
  const stored = await store.read("root.json");
  let rootBytes: Uint8Array | undefined = options.trustedRoot;
  if (stored && (!rootBytes || versionOf(stored) > versionOf(rootBytes))) rootBytes = stored;
  if (!rootBytes) {
    throw new TrustError("Cannot refresh trust: no trusted root (provision one, e.g. --trusted-root FILE)");
  }
  let root = parseRole("root", rootBytes);
  await verifyEnvelope(root, root.signed, "root", { label: `trusted root v${root.signed.version}` });
  if (rootBytes !== stored) await store.write("root.json", rootBytes);
  const firstRoot = root.signed;

  // 5.3 root chain.
  for (let i = 0; i < maxRotations; i++) {
    const n = root.signed.version + 1;
    const bytes = await fetchCapped(`tuf/${n}.root.json`, caps.root);
    if (!bytes) break;
    const next = parseRole("root", bytes);
    await verifyEnvelope(next, root.signed, "root", { label: `root v${n} (by root v${n - 1})` });
    await verifyEnvelope(next, next.signed, "root", { label: `root v${n} (by itself)` });
    if (next.signed.version !== n) {
      throw new TrustError(`Cannot update root: ${n}.root.json has version ${next.signed.version}`);
    }
    root = next;
    await store.write("root.json", bytes);
  }
  assertNotExpired(root.signed, now);
  const rootSigned = root.signed;
  if (changedKeys(firstRoot, rootSigned, "timestamp") || changedKeys(firstRoot, rootSigned, "snapshot")) {
    await store.remove?.("timestamp.json");
    await store.remove?.("snapshot.json");
  }
  const loadTrusted = async <R extends RoleName>(
    role: R,
  ): Promise<{ env: Env<R>; bytes: Uint8Array } | undefined> => {
    const bytes = await store.read(`${role}.json`);
    if (!bytes) return undefined;
    try {
      const env = parseRole(role, bytes);
      await verifyEnvelope(env, rootSigned, role);
      return { env, bytes };
    } catch {
      return undefined; // not signed by the current keys (rotated) or damaged: no baseline
    }
  };

  // 5.4 timestamp.
  const tsBytes = await fetchCapped("tuf/timestamp.json", caps.timestamp);
  // No timestamp at all: no repository there (a mistyped URL or path), a failure, not a refusal. A caller
  // that knows where it looked names it (device/net/from_repository.ts).
  if (!tsBytes) throw new NotFoundError("Cannot refresh trust: tuf/timestamp.json not found");
  let timestamp = parseRole("timestamp", tsBytes);
  await verifyEnvelope(timestamp, rootSigned, "timestamp");
  const oldTs = await loadTrusted("timestamp");
  if (oldTs) {
    const o = oldTs.env.signed;
    const t = timestamp.signed;
    if (t.version < o.version) rollback("timestamp", t.version, o.version);
    const ov = o.meta["snapshot.json"]?.version ?? 0;
    if ((t.meta["snapshot.json"]?.version ?? 0) < ov) {
      rollback("snapshot (in timestamp)", t.meta["snapshot.json"]?.version ?? 0, ov);
    }
    if (t.version === o.version) timestamp = oldTs.env;
  }
  assertNotExpired(timestamp.signed, now);
  const snapRef = timestamp.signed.meta["snapshot.json"];
  if (!snapRef) throw new TrustError("Cannot refresh trust: timestamp has no snapshot.json entry");
  checkMetaRefHashes("snapshot.json (in timestamp)", snapRef);
  if (timestamp !== oldTs?.env) await store.write("timestamp.json", tsBytes);

  // 5.5 snapshot.
  const consistent = rootSigned.consistent_snapshot === true;
  const oldSnap = await loadTrusted("snapshot");
  const snapshot = await nextRole("snapshot", snapRef, oldSnap, caps.snapshot);
  if (oldSnap) {
    for (const [name, ref] of Object.entries(oldSnap.env.signed.meta)) {
      const now = snapshot.env.signed.meta[name];
      if (!now) {
        throw new TrustError(`Cannot trust snapshot v${snapshot.env.signed.version}: ${name} removed`);
      }
      if (now.version < ref.version) rollback(name, now.version, ref.version);
    }
  }
  assertNotExpired(snapshot.env.signed, now);
  for (const [name, ref] of Object.entries(snapshot.env.signed.meta)) {
    checkMetaRefHashes(`${name} (in snapshot)`, ref);
  }
  if (snapshot.fresh) await store.write("snapshot.json", snapshot.bytes);
  const targetsRef = snapshot.env.signed.meta["targets.json"];
  if (!targetsRef) throw new TrustError("Cannot refresh trust: snapshot has no targets.json entry");

  // 5.6 targets.
  const targets = await nextRole("targets", targetsRef, await loadTrusted("targets"), caps.targets);
  assertNotExpired(targets.env.signed, now);

  // 5.6.7 delegated targets: every reachable role loaded and verified (core/trust/_delegation_walk.ts).
  const delegated = await walkDelegations(targets.env.signed, {
    snapshot: snapshot.env.signed,
    store,
    fetch: fetchCapped,
    now,
    consistent,
    cap: caps.targets,
    maxRoles: options.maxDelegations ?? MAX_DELEGATED_ROLES,
  });

  const all = [rootSigned, timestamp.signed, snapshot.env.signed, targets.env.signed, ...delegated.signed];
  // Built before targets are persisted: the constructor refuses unsafe signed entries.
  const trusted = new TrustedRepository({
    targets: delegated.targets,
    signers: delegated.signers,
    delegatedVersions: delegated.versions,
    versions: {
      root: rootSigned.version,
      timestamp: timestamp.signed.version,
      snapshot: snapshot.env.signed.version,
      targets: targets.env.signed.version,
    },
    expires: new Date(Math.min(...all.map((s) => expiresOf(s).getTime()))),
    root: rootSigned as unknown as Record<string, unknown>,
    consistentSnapshot: consistent,
  });
  if (targets.fresh) await store.write("targets.json", targets.bytes);
  for (const role of delegated.fresh) await store.write(`${role.name}.json`, role.bytes);
  return trusted;

  /** The role `ref` names: the trusted copy when it is that very version, else fetched and checked. */
  async function nextRole<R extends "snapshot" | "targets">(
    role: R,
    ref: MetaRef,
    local: { env: Env<R>; bytes: Uint8Array } | undefined,
    cap: number,
  ): Promise<{ env: Env<R>; bytes: Uint8Array; fresh: boolean }> {
    if (local && local.env.signed.version === ref.version) {
      try {
        checkMetaRef(`${role}.json`, ref, local.bytes);
        return { ...local, fresh: false };
      } catch {
        // fall through: fetch it
      }
    }
    const path = consistent ? `tuf/${ref.version}.${role}.json` : `tuf/${role}.json`;
    const max = ref.length !== undefined ? Math.min(ref.length, cap) : cap;
    const bytes = await fetchCapped(path, max);
    if (!bytes) throw notServed(path, role === "snapshot" ? "the timestamp" : "the snapshot");
    checkMetaRef(path, ref, bytes);
    const env = parseRole(role, bytes);
    await verifyEnvelope(env, rootSigned, role);
    if (env.signed.version !== ref.version) {
      throw new TrustError(`Cannot trust ${path}: version ${env.signed.version}, expected ${ref.version}`);
    }
    return { env, bytes, fresh: true };
  }
}

function versionOf(bytes: Uint8Array): number {
  try {
    const v = parseRole("root", bytes).signed.version;
    return Number.isSafeInteger(v) ? v : 0;
  } catch {
    return 0;
  }
}

function changedKeys(a: RootSigned, b: RootSigned, role: RoleName): boolean {
  const x = [...(a.roles[role]?.keyids ?? [])].sort().join();
  const y = [...(b.roles[role]?.keyids ?? [])].sort().join();
  return x !== y;
}

function rollback(what: string, got: number, trusted: number): never {
  throw new TrustError(
    `Cannot trust ${what}: version ${got} is older than trusted version ${trusted} (rollback)`,
  );
}
