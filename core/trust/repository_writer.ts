/**
 * Writes a static TUF repository (DESIGN §5, CONTRACTS "Repository layout") through a
 * {@linkcode RepoStore}: root, targets, snapshot and timestamp metadata, and `releases.json`.
 * Target bytes are written by the caller (streamed and hashed); the writer writes metadata only.
 * Used by `scripts/repo.ts` (all keys) and by the edge (snapshot and timestamp keys).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKeyPair } from "./key_pair.ts";
 * import { MemoryStore } from "./memory_store.ts";
 * import { RepositoryWriter } from "./repository_writer.ts";
 * const keys = { root: await generateKeyPair(), targets: await generateKeyPair(),
 *   snapshot: await generateKeyPair(), timestamp: await generateKeyPair() };
 * const writer = await RepositoryWriter.init(new MemoryStore(), keys);
 * writer.setTarget("device-types.json", { length: 2, hashes: { sha256: "00".repeat(32) }, custom: { kind: "device-types" } });
 * const { versions } = await writer.commit();
 * assert.ok(versions.targets === 2 && versions.timestamp === 2);
 * ```
 * @module
 */
import { NotFoundError, TrustError, UnsupportedError } from "../errors.ts";
import { loadRepository } from "./_load_repository.ts";
import {
  keyringOf,
  putStaged,
  readStaged,
  removeStaged,
  type RoleKeyring,
  STAGED_TARGETS_PATH,
  stagedInfo,
  type StagedTargets,
} from "./_threshold_signing.ts";
import { DelegatedRoles, type DelegationSpec, withDelegation } from "./_delegated_roles.ts";
import { parseDelegations } from "./delegations.ts";
import type { RepoStore } from "./repo_store.ts";
import {
  addDays,
  assertNotExpired,
  buildRoot,
  buildSnapshot,
  buildTargets,
  buildTimestamp,
  type MetaRef,
  metaRef,
  parseRole,
  roleKeysOf,
  type SignedByRole,
  thresholdsOf,
  tufDate,
} from "./_metadata.ts";
import { encodeMetadata, type Envelope, signEnvelope } from "./envelope.ts";
import { checkKeyPair, type KeyPair } from "./key_pair.ts";
import { releasesDocument } from "./releases_document.ts";
import { type TargetInfo, targetInfoFromTuf, targetInfoToTuf } from "./target_info.ts";
import { targetUrl } from "./target_paths.ts";
import { type RoleName, verifyEnvelope } from "./verify_envelope.ts";

export type { RepoStore } from "./repo_store.ts";
export type { RoleKeyring, StagedTargets } from "./_threshold_signing.ts";

/** One key per top-level role. */
export type RoleKeys = Record<RoleName, KeyPair>;

/** Options of {@linkcode RepositoryWriter.init} and {@linkcode RepositoryWriter.open}. */
export interface RepositoryWriterOptions {
  /** Days until expiry: a number sets root's; an object sets any role's.
   * Defaults: root 365, targets 90, snapshot 7, timestamp 1. */
  expiresDays?: number | Partial<Record<RoleName, number>>;
  /** The clock (a fixed Date in tests). */
  now?: Date | (() => Date);
  /** Open for delegated role `name` ({@linkcode RepositoryWriter.open} only): targets(), setTarget(),
   * removeTarget() and commit() then act on that role, signed with `keys` (no targets key needed). */
  role?: { name: string; keys: KeyPair[] };
  /** Thresholds of the new root's roles ({@linkcode RepositoryWriter.init} only; default 1 each). */
  thresholds?: Partial<Record<RoleName, number>>;
  /** Called when a commit stages targets metadata below its threshold instead of publishing it. */
  onStaged?: (staged: StagedTargets) => void;
}

const DEFAULT_DAYS: Record<RoleName, number> = { root: 365, targets: 90, snapshot: 7, timestamp: 1 };
const ROLES: readonly RoleName[] = ["root", "targets", "snapshot", "timestamp"];
type Env<R extends RoleName> = Envelope<SignedByRole[R]>;
const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2) + "\n");

/** Builds and signs repository metadata. */
export class RepositoryWriter {
  #store: RepoStore;
  #keys: Partial<Record<RoleName, KeyPair[]>>;
  #staged?: Env<"targets">;
  #onStaged?: (staged: StagedTargets) => void;
  #days: Record<RoleName, number>;
  #clock: () => Date;
  #root!: Env<"root">;
  #targets!: Env<"targets">;
  #snapshot!: Env<"snapshot">;
  #timestamp!: Env<"timestamp">;
  #snapshotBytes!: Uint8Array;
  #pending = new Map<string, TargetInfo>();
  #queue: Promise<unknown> = Promise.resolve();
  #role?: { name: string; keys: KeyPair[] };
  #delegated = new DelegatedRoles();

  private constructor(store: RepoStore, keys: RoleKeyring, options: RepositoryWriterOptions) {
    this.#store = store;
    this.#keys = keyringOf(keys);
    this.#onStaged = options.onStaged;
    const d = options.expiresDays;
    this.#days = { ...DEFAULT_DAYS, ...(typeof d === "number" ? { root: d } : d) };
    const now = options.now;
    this.#clock = typeof now === "function" ? now : now ? () => now : () => new Date();
    this.#role = options.role;
  }

  /**
   * Create a new repository: root v1 and empty targets, snapshot and timestamp v1.
   * `UnsupportedError` when the store already holds a repository.
   */
  static async init(
    store: RepoStore,
    keys: RoleKeys | Required<RoleKeyring>,
    options: RepositoryWriterOptions = {},
  ): Promise<RepositoryWriter> {
    if (options.role) throw new TypeError("Cannot init repository: a new repository has no delegated roles");
    const ring = keyringOf(keys);
    for (const role of ROLES) {
      const n = ring[role]?.length ?? 0;
      const threshold = options.thresholds?.[role] ?? 1;
      if (n === 0) throw new TypeError(`Cannot init repository: no ${role} key`);
      if (!Number.isInteger(threshold) || threshold < 1 || threshold > n) {
        throw new RangeError(`Cannot init repository: ${role} threshold ${threshold} with ${n} key(s)`);
      }
      for (const key of ring[role]!) await checkKeyPair(key);
    }
    if (await store.get("tuf/1.root.json") || await store.get("tuf/root.json")) {
      throw new UnsupportedError("Cannot init repository: it already has tuf/1.root.json");
    }
    const w = new RepositoryWriter(store, keys, options);
    const now = w.#clock();
    const byRole = ring as Record<RoleName, KeyPair[]>;
    const expires = addDays(now, w.#days.root);
    const signed = buildRoot({ version: 1, expires, keys: byRole, thresholds: options.thresholds });
    w.#root = await signEnvelope(signed, byRole.root);
    await w.#putRoot();
    w.#targets = { signed: buildTargets({ version: 0, expires: now, targets: [] }), signatures: [] };
    await w.#commitLocked();
    return w;
  }

  /** Open an existing repository with the keys at hand (`TypeError` for a key root does not list). */
  static async open(
    store: RepoStore,
    keys: RoleKeyring,
    options: RepositoryWriterOptions = {},
  ): Promise<RepositoryWriter> {
    const w = new RepositoryWriter(store, keys, options);
    const loaded = await loadRepository(store);
    w.#root = loaded.root;
    w.#timestamp = loaded.timestamp;
    w.#snapshot = loaded.snapshot;
    w.#snapshotBytes = loaded.snapshotBytes;
    w.#targets = loaded.targets;
    for (const role of ROLES) {
      for (const key of w.#keys[role] ?? []) {
        await checkKeyPair(key);
        if (!w.#root.signed.roles[role]?.keyids.includes(key.keyid)) {
          throw new TypeError(
            `Cannot open repository: key ${key.keyid} is not a ${role} key of root v${w.#root.signed.version}`,
          );
        }
      }
    }
    w.#delegated = await DelegatedRoles.load(store, w.#snapshot.signed, w.#targets.signed);
    if (w.#role) await w.#delegated.checkKeys(w.#role.name, w.#role.keys, w.#targets.signed);
    w.#staged = await readStaged(store, w.#targets.signed.version);
    w.#loadPending();
    return w;
  }

  /** Current versions of the four roles. */
  get versions(): Record<RoleName, number> {
    return {
      root: this.#root.signed.version,
      targets: this.#targets.signed.version,
      snapshot: this.#snapshot.signed.version,
      timestamp: this.#timestamp.signed.version,
    };
  }

  /** Current versions of the delegated targets roles, by name. */
  get delegatedVersions(): Record<string, number> {
    return this.#delegated.versions();
  }

  /** The current signed root (keys and roles), e.g. for the edge to check uploads. */
  get root(): Readonly<SignedByRole["root"]> {
    return this.#root.signed;
  }

  /** The targets as they will be committed (including uncommitted changes); of the delegated role when
   * opened for one. */
  targets(): Map<string, TargetInfo> {
    return new Map(this.#pending);
  }

  /** The committed targets devices resolve: top-level and delegated (TUF search, core/trust/target_search.ts). */
  resolvedTargets(): Map<string, TargetInfo> {
    return this.#delegated.resolved(this.#targets.signed);
  }

  /** Add or replace a target (validated path, length, sha256). Takes effect on {@linkcode commit}. */
  setTarget(path: string, target: Pick<TargetInfo, "length" | "hashes" | "custom">): void {
    if (!Number.isSafeInteger(target.length) || target.length < 0) {
      throw new RangeError(`Cannot set target ${path}: invalid length ${target.length}`);
    }
    const sha256 = target.hashes?.sha256;
    // Drover's repositories are content-addressed by sha256 (edge blobs, device caches)
    if (sha256 === undefined) throw new TypeError(`Cannot set target ${path}: no sha256`);
    const url = targetUrl(path, sha256);
    if (typeof target.custom?.kind !== "string") {
      throw new TypeError(`Cannot set target ${path}: custom.kind missing`);
    }
    if (this.#role) this.#delegated.assertDelegatesPath(this.#role.name, path, this.#targets.signed);
    this.#pending.set(path, {
      path,
      length: target.length,
      hashes: { ...target.hashes },
      custom: { ...target.custom },
      url,
    });
  }

  /** Remove a target (no-op when absent). Takes effect on {@linkcode commit}. */
  removeTarget(path: string): void {
    this.#pending.delete(path);
  }

  /** Sign targets v+1 (opened for a delegated role: that role v+1), snapshot v+1, timestamp v+1; write
   * them and releases.json (timestamp last). With fewer targets keys at hand than root's threshold,
   * targets v+1 is staged instead (`staged/targets.json`, reported as `staged`; see
   * {@linkcode RepositoryWriter.signStaged}) and nothing is published. */
  commit(): Promise<{ versions: Record<RoleName, number>; staged?: StagedTargets }> {
    return this.#serial(() => this.#role ? this.#commitRoleLocked(this.#role) : this.#commitLocked());
  }

  /**
   * Delegate target paths to role `spec.name` (new, or replacing that role's entry): top-level targets
   * v+1 lists it (targets key), and the role's metadata, v1 without targets or v+1 of its current
   * targets, is signed by `signers` (the role's keys, meeting its threshold); then snapshot and
   * timestamp. `TypeError`/`RangeError` for a bad name, paths or threshold; `TrustError` when
   * `signers` do not meet the threshold.
   */
  delegate(
    spec: DelegationSpec,
    signers: readonly KeyPair[],
  ): Promise<{ versions: Record<RoleName, number> }> {
    return this.#serial(async () => {
      if (this.#role) throw new TypeError("Cannot delegate: this writer is opened for a delegated role");
      const threshold = this.#root.signed.roles.targets?.threshold ?? 1;
      if (this.#need("targets").length < threshold) {
        // a staged targets version would publish the role's delegation later, without its snapshot entry
        throw new TypeError(`Cannot delegate: needs ${threshold} targets keys at hand (root's threshold)`);
      }
      for (const key of signers) await checkKeyPair(key);
      const delegations = withDelegation(parseDelegations(this.#targets.signed, "targets metadata"), spec);
      const current = this.#delegated.get(spec.name)?.env.signed;
      const expires = addDays(this.#clock(), this.#days.targets);
      const signed = current
        ? { ...current, version: current.version + 1, expires: tufDate(expires) }
        : buildTargets({ version: 1, expires, targets: [] });
      const env = await signEnvelope(signed, signers);
      await this.#delegated.verifyAgainst(spec.name, env, delegations);
      await this.#putDelegated(spec.name, env);
      return await this.#commitLocked(delegations);
    });
  }

  /**
   * Accept a delegated role's metadata signed elsewhere (the edge's POST /v1/metadata?role=NAME): it
   * must meet the threshold of every role delegating to `name`, sign only within their paths, be
   * unexpired and newer than the role's current version; then snapshot and timestamp are re-signed.
   * `TrustError` otherwise.
   */
  acceptDelegated(
    name: string,
    envelope: Envelope<unknown>,
  ): Promise<{ versions: Record<RoleName, number> }> {
    return this.#serial(async () => {
      const env = parseRole("targets", encodeMetadata(envelope));
      await this.#delegated.verify(name, env, this.#targets.signed);
      const current = this.#delegated.get(name)?.env.signed.version ?? 0;
      if (env.signed.version <= current) {
        throw new TrustError(
          `Cannot accept role '${name}' v${env.signed.version}: not newer than v${current} (rollback)`,
        );
      }
      assertNotExpired(env.signed, this.#clock());
      await this.#putDelegated(name, env);
      if (this.#role?.name === name) this.#loadPending();
      await this.#signSnapshotAndTimestamp();
      return { versions: this.versions };
    });
  }

  /**
   * Accept targets metadata signed elsewhere (the edge's POST /v1/metadata): it must verify
   * against root's targets role, be unexpired and newer than the current targets; then snapshot
   * and timestamp are re-signed with the online keys. `TrustError` otherwise.
   */
  acceptTargets(envelope: Envelope<unknown>): Promise<{ versions: Record<RoleName, number> }> {
    return this.#serial(async () => {
      const bytes = encodeMetadata(envelope);
      const env = parseRole("targets", bytes);
      await verifyEnvelope(env, this.#root.signed, "targets", { label: "uploaded targets metadata" });
      const current = this.#targets.signed.version;
      if (env.signed.version <= current) {
        throw new TrustError(
          `Cannot accept targets v${env.signed.version}: not newer than v${current} (rollback)`,
        );
      }
      assertNotExpired(env.signed, this.#clock());
      for (const [path, entry] of Object.entries(env.signed.targets)) targetInfoFromTuf(path, entry);
      await this.#delegated.checkDelegationsOf(env.signed);
      await this.#store.put(`tuf/${env.signed.version}.targets.json`, bytes);
      this.#targets = env;
      this.#staged = undefined; // stale: it named this version
      this.#loadPending();
      await this.#signSnapshotAndTimestamp(bytes);
      return { versions: this.versions };
    });
  }

  /**
   * Add signatures by `keys` (targets keys of root) to the staged targets metadata; once it meets
   * root's threshold, publish it (with snapshot and timestamp, when their keys are at hand; else it
   * stays staged, complete, for a holder of them to run this again with no key). `NotFoundError`
   * without staged metadata, `TypeError` for a key that is not a targets key.
   */
  signStaged(
    keys: readonly KeyPair[],
  ): Promise<{ versions: Record<RoleName, number>; staged?: StagedTargets }> {
    return this.#serial(async () => {
      const current = this.#staged;
      if (!current) {
        throw new NotFoundError(`Cannot sign: no staged targets metadata (${STAGED_TARGETS_PATH})`);
      }
      const listed = this.#root.signed.roles.targets?.keyids ?? [];
      const signers = [...keyringOf({ targets: keys }).targets ?? [], ...this.#keys.targets ?? []];
      for (const key of signers) {
        await checkKeyPair(key);
        if (!listed.includes(key.keyid)) {
          throw new TypeError(`Cannot sign: key ${key.keyid} is not a targets key`);
        }
      }
      const fresh = signers.filter((k) => !current.signatures.some((s) => s.keyid === k.keyid));
      const added = fresh.length ? (await signEnvelope(current.signed, fresh)).signatures : [];
      const env = { signed: current.signed, signatures: [...current.signatures, ...added] };
      const staged = await stagedInfo(env, this.#root.signed);
      if (
        staged.signatures < staged.threshold || !this.#keys.snapshot?.length || !this.#keys.timestamp?.length
      ) {
        await putStaged(this.#store, env);
        this.#staged = env;
        return { versions: this.versions, staged };
      }
      await this.#publishTargets(env);
      return { versions: this.versions };
    });
  }

  /**
   * Re-sign timestamp v+1 with a fresh expiry (cron, or the edge before expiry). Roles past half their
   * lifetime are renewed first, so a repository that publishes nothing keeps verifying: snapshot (an
   * online key, v+1 over the same targets) and, when this writer holds the targets key, targets too.
   */
  renewTimestamp(): Promise<{ versions: Record<RoleName, number> }> {
    return this.#serial(async () => {
      const targetsKeys = this.#keys.targets?.length ?? 0;
      const canSignTargets = targetsKeys >= (this.#root.signed.roles.targets?.threshold ?? 1);
      if (canSignTargets && this.#pastHalfLife("targets", this.#targets.signed.expires)) {
        await this.#commitLocked(); // targets, snapshot and timestamp
        return { versions: this.versions };
      }
      if (this.#keys.snapshot && this.#pastHalfLife("snapshot", this.#snapshot.signed.expires)) {
        const ref = this.#snapshot.signed.meta["targets.json"];
        if (!ref) throw new TypeError("Cannot renew snapshot: it has no targets.json entry");
        await this.#putSnapshot(ref);
      }
      await this.#putTimestamp(this.#snapshotBytes);
      return { versions: this.versions };
    });
  }

  #pastHalfLife(role: RoleName, expires: string): boolean {
    const halfLife = (this.#days[role] * 86_400_000) / 2;
    return Date.parse(expires) - this.#clock().getTime() < halfLife;
  }

  /**
   * Replace a key of `role` with `key` (the first key at hand for the role, else its only key; the
   * other keys and the thresholds stay): root v+1 signed by the root keys at hand and, when rotating
   * root, the new one too, which must meet the threshold of both the current and the new root
   * (`TrustError` otherwise); then (other roles) targets, snapshot and timestamp are re-signed so the
   * repository verifies under the new root.
   */
  rotateKey(role: RoleName, key: KeyPair): Promise<{ versions: Record<RoleName, number> }> {
    return this.#serial(async () => {
      await checkKeyPair(key);
      const signers = [...this.#need("root")];
      const current = this.#root.signed;
      if (role === "root") signers.push(key);
      const listed = roleKeysOf(current);
      const old = this.#keys[role]?.[0]?.keyid ??
        (listed[role].length === 1 ? listed[role][0]!.keyid : undefined);
      if (old === undefined) {
        throw new TypeError(`Cannot rotate ${role} key: no ${role} key at hand to replace`);
      }
      const signed = buildRoot({
        version: current.version + 1,
        expires: addDays(this.#clock(), this.#days.root),
        keys: { ...listed, [role]: [...listed[role].filter((k) => k.keyid !== old), key] },
        thresholds: thresholdsOf(current),
      });
      const next = await signEnvelope(signed, signers);
      const label = `root v${signed.version}`;
      await verifyEnvelope(next, current, "root", { label: `${label} (by root v${current.version})` });
      await verifyEnvelope(next, signed, "root", { label: `${label} (by itself)` });
      this.#root = next;
      this.#keys[role] = [key, ...(this.#keys[role] ?? []).filter((k) => k.keyid !== old)];
      await this.#putRoot();
      if (role !== "root") await this.#commitLocked();
      return { versions: this.versions };
    });
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  #need(role: RoleName): KeyPair[] {
    const keys = this.#keys[role];
    if (!keys?.length) throw new TypeError(`Cannot sign ${role} metadata: no ${role} key given`);
    return keys;
  }

  #loadPending(): void {
    this.#pending.clear();
    // top-level targets build on staged metadata (awaiting signatures) when there is some
    const signed = this.#role
      ? this.#delegated.get(this.#role.name)?.env.signed
      : (this.#staged ?? this.#targets).signed;
    for (const [path, entry] of Object.entries(signed?.targets ?? {})) {
      this.#pending.set(path, targetInfoFromTuf(path, entry));
    }
  }

  async #putRoot(): Promise<void> {
    const bytes = encodeMetadata(this.#root);
    await this.#store.put(`tuf/${this.#root.signed.version}.root.json`, bytes);
    await this.#store.put("tuf/root.json", bytes);
  }

  async #commitLocked(
    delegations = this.#targets.signed.delegations,
  ): Promise<{ versions: Record<RoleName, number>; staged?: StagedTargets }> {
    const keys = this.#need("targets");
    this.#need("snapshot");
    this.#need("timestamp");
    const entries = [...this.#pending.values()].sort((a, b) => (a.path < b.path ? -1 : 1))
      .map((t) => [t.path, targetInfoToTuf(t)] as [string, ReturnType<typeof targetInfoToTuf>]);
    const version = this.#targets.signed.version + 1;
    const signed = buildTargets({
      version,
      expires: addDays(this.#clock(), this.#days.targets),
      targets: entries,
    });
    if (delegations) signed.delegations = delegations;
    const env = await signEnvelope(signed, keys);
    const staged = await stagedInfo(env, this.#root.signed);
    if (staged.signatures < staged.threshold) {
      // below the threshold: kept out of tuf/ until more holders sign it (signStaged)
      await putStaged(this.#store, env);
      this.#staged = env;
      this.#onStaged?.(staged);
      return { versions: this.versions, staged };
    }
    await this.#publishTargets(env);
    return { versions: this.versions };
  }

  async #publishTargets(env: Env<"targets">): Promise<void> {
    const bytes = encodeMetadata(env);
    await this.#store.put(`tuf/${env.signed.version}.targets.json`, bytes);
    this.#targets = env;
    await this.#signSnapshotAndTimestamp(bytes);
    if (this.#staged) await removeStaged(this.#store);
    this.#staged = undefined;
  }

  /** Sign delegated role `role.name` v+1 with its pending targets (and its current delegations). */
  async #commitRoleLocked(
    role: { name: string; keys: KeyPair[] },
  ): Promise<{ versions: Record<RoleName, number> }> {
    this.#need("snapshot");
    this.#need("timestamp");
    const current = this.#delegated.get(role.name)!.env.signed;
    const entries = [...this.#pending.values()].sort((a, b) => (a.path < b.path ? -1 : 1))
      .map((t) => [t.path, targetInfoToTuf(t)] as [string, ReturnType<typeof targetInfoToTuf>]);
    const signed = buildTargets({
      version: current.version + 1,
      expires: addDays(this.#clock(), this.#days.targets),
      targets: entries,
    });
    if (current.delegations) signed.delegations = current.delegations;
    const env = await signEnvelope(signed, role.keys);
    await this.#delegated.verify(role.name, env, this.#targets.signed);
    await this.#putDelegated(role.name, env);
    await this.#signSnapshotAndTimestamp();
    return { versions: this.versions };
  }

  async #putDelegated(name: string, env: Envelope<SignedByRole["targets"]>): Promise<void> {
    const bytes = encodeMetadata(env);
    await this.#store.put(`tuf/${env.signed.version}.${name}.json`, bytes);
    this.#delegated.set(name, env, bytes);
  }

  /** Snapshot v+1 (targets.json of `targetsBytes`, else as it is; every delegated role), releases.json
   * (the targets devices resolve), timestamp v+1. */
  async #signSnapshotAndTimestamp(targetsBytes?: Uint8Array): Promise<void> {
    const ref = targetsBytes
      ? metaRef(this.#targets.signed.version, targetsBytes)
      : this.#snapshot.signed.meta["targets.json"]!;
    await this.#putSnapshot(ref);
    const resolved = this.#delegated.resolved(this.#targets.signed);
    await this.#store.put("releases.json", json(releasesDocument(resolved.values())));
    await this.#putTimestamp(this.#snapshotBytes);
  }

  async #putSnapshot(targets: MetaRef): Promise<void> {
    const version = (this.#snapshot?.signed.version ?? 0) + 1;
    const expires = addDays(this.#clock(), this.#days.snapshot);
    const signed = buildSnapshot({ version, expires, targets, delegated: this.#delegated.refs() });
    this.#snapshot = await signEnvelope(signed, this.#need("snapshot"));
    this.#snapshotBytes = encodeMetadata(this.#snapshot);
    await this.#store.put(`tuf/${version}.snapshot.json`, this.#snapshotBytes);
  }

  async #putTimestamp(snapshotBytes: Uint8Array): Promise<void> {
    const signed = buildTimestamp({
      version: (this.#timestamp?.signed.version ?? 0) + 1,
      expires: addDays(this.#clock(), this.#days.timestamp),
      snapshot: metaRef(this.#snapshot.signed.version, snapshotBytes),
    });
    this.#timestamp = await signEnvelope(signed, this.#need("timestamp"));
    await this.#store.put("tuf/timestamp.json", encodeMetadata(this.#timestamp));
  }
}
