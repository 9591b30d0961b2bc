/**
 * Writes a static TUF repository (DESIGN §5, CONTRACTS "Repository layout") through a
 * {@linkcode RepoStore}: root, targets, snapshot and timestamp metadata, and `releases.json`.
 * Target bytes are written by the caller (streamed and hashed); the writer writes metadata only.
 * Used by `scripts/repo.ts` (all keys) and by the edge (snapshot and timestamp keys).
 *
 * The writer holds its state (`_writer_state.ts`) and serialises its calls; the work is done by
 * private files: opening (`_writer_opening.ts`), pending targets (`_pending_targets.ts`), top-level
 * targets with thresholds (`_targets_publishing.ts`), delegated roles (`_delegated_writes.ts`), root
 * and key rotation (`_root_signing.ts`), metadata signed elsewhere (`_accept_metadata.ts`), snapshot,
 * timestamp and releases.json (`_snapshot_signing.ts`).
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
import { acceptMetadataSet, type MetadataSet, onlineKeysMissing } from "./_accept_metadata.ts";
import { DelegatedRoles, type DelegationSpec } from "./_delegated_roles.ts";
import { commitDelegatedRole, delegateRole } from "./_delegated_writes.ts";
import type { SignedByRole } from "./_metadata.ts";
import { pendingTarget } from "./_pending_targets.ts";
import { targetUrl } from "./target_paths.ts";
import { rotateRoleKey } from "./_root_signing.ts";
import { renewSnapshotAndTimestamp } from "./_snapshot_signing.ts";
import { commitTargets, signStagedTargets } from "./_targets_publishing.ts";
import { keyringOf, type RoleKeyring, type StagedTargets } from "./_threshold_signing.ts";
import { initRepository, openRepository } from "./_writer_opening.ts";
import { pastHalfLife, versionsOf, type WriterState } from "./_writer_state.ts";
import type { Envelope } from "./envelope.ts";
import type { KeyPair } from "./key_pair.ts";
import type { RepoStore } from "./repo_store.ts";
import type { TargetInfo } from "./target_info.ts";
import type { RoleName } from "./verify_envelope.ts";

export type { MetadataSet } from "./_accept_metadata.ts";
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

/** Builds and signs repository metadata. */
export class RepositoryWriter {
  #state: WriterState;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(store: RepoStore, keys: RoleKeyring, options: RepositoryWriterOptions) {
    const d = options.expiresDays;
    const now = options.now;
    // the metadata of each role is set by init or open
    this.#state = {
      store,
      keys: keyringOf(keys),
      onStaged: options.onStaged,
      days: { ...DEFAULT_DAYS, ...(typeof d === "number" ? { root: d } : d) },
      clock: typeof now === "function" ? now : now ? () => now : () => new Date(),
      role: options.role,
      pending: new Map(),
      delegated: new DelegatedRoles(),
    } as Partial<WriterState> as WriterState;
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
    const w = new RepositoryWriter(store, keys, options);
    await initRepository(w.#state, { thresholds: options.thresholds });
    return w;
  }

  /** Open an existing repository with the keys at hand (`TypeError` for a key root does not list). */
  static async open(
    store: RepoStore,
    keys: RoleKeyring,
    options: RepositoryWriterOptions = {},
  ): Promise<RepositoryWriter> {
    const w = new RepositoryWriter(store, keys, options);
    await openRepository(w.#state);
    return w;
  }

  /** Current versions of the four roles. */
  get versions(): Record<RoleName, number> {
    return versionsOf(this.#state);
  }

  /** Current versions of the delegated targets roles, by name. */
  get delegatedVersions(): Record<string, number> {
    return this.#state.delegated.versions();
  }

  /** The current signed root (keys and roles), e.g. for the edge to check uploads. */
  get root(): Readonly<SignedByRole["root"]> {
    return this.#state.root.signed;
  }

  /** The targets as they will be committed (including uncommitted changes); of the delegated role when
   * opened for one. */
  targets(): Map<string, TargetInfo> {
    return new Map(this.#state.pending);
  }

  /** The committed targets devices resolve: top-level and delegated (TUF search, core/trust/target_search.ts). */
  resolvedTargets(): Map<string, TargetInfo> {
    return this.#state.delegated.resolved(this.#state.targets.signed);
  }

  /** Add or replace a target (validated path, length, sha256). Takes effect on {@linkcode commit}. */
  setTarget(path: string, target: Pick<TargetInfo, "length" | "hashes" | "custom">): void {
    const s = this.#state;
    const info = pendingTarget(path, target);
    if (s.role) s.delegated.assertDelegatesPath(s.role.name, path, s.targets.signed);
    s.pending.set(path, info);
  }

  /**
   * Throws what {@linkcode setTarget} would for `path` alone, setting nothing: `TypeError` for a path
   * that breaks the target path rules, `RangeError` (opened for a delegated role) for one outside the
   * role's delegation.
   */
  assertMaySet(path: string): void {
    const s = this.#state;
    targetUrl(path, "0".repeat(64));
    if (s.role) s.delegated.assertDelegatesPath(s.role.name, path, s.targets.signed);
  }

  /** Remove a target (no-op when absent). Takes effect on {@linkcode commit}. */
  removeTarget(path: string): void {
    this.#state.pending.delete(path);
  }

  /** Sign targets v+1 (opened for a delegated role: that role v+1), snapshot v+1, timestamp v+1; write
   * them, then releases.json (after the timestamp). With fewer targets keys at hand than root's threshold,
   * targets v+1 is staged instead (`staged/targets.json`, reported as `staged`; see
   * {@linkcode RepositoryWriter.signStaged}) and nothing is published. */
  commit(): Promise<{ versions: Record<RoleName, number>; staged?: StagedTargets }> {
    const s = this.#state;
    return this.#serial(() => s.role ? commitDelegatedRole(s, s.role) : commitTargets(s));
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
    return this.#serial(() => delegateRole(this.#state, spec, { signers }));
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
    return this.acceptMetadata({ roles: { [name]: envelope } });
  }

  /**
   * Accept targets metadata signed elsewhere (the edge's POST /v1/metadata): it must verify
   * against root's targets role, be unexpired and newer than the current targets; then snapshot
   * and timestamp are re-signed with the online keys. `TrustError` otherwise.
   */
  acceptTargets(envelope: Envelope<unknown>): Promise<{ versions: Record<RoleName, number> }> {
    return this.acceptMetadata({ targets: envelope });
  }

  /**
   * Accept metadata signed elsewhere at once (the edge's POST /v1/metadata of root or of a metadata
   * set): root versions current+1, … (each meeting its predecessor's and its own root threshold, the
   * last unexpired), top-level targets and delegated roles (newer, unexpired, each meeting every
   * delegator's threshold), checked as the repository they make together (`TrustError`); a root whose
   * snapshot or timestamp role the keys at hand cannot sign is a `TypeError`. Nothing is written
   * unless all of it is accepted; then snapshot and timestamp are re-signed.
   */
  acceptMetadata(set: MetadataSet): Promise<{ versions: Record<RoleName, number> }> {
    return this.#serial(async () => {
      await acceptMetadataSet(this.#state, set);
      return { versions: this.versions };
    });
  }

  /**
   * Why the snapshot or timestamp keys at hand could not sign for signed root `root` (its online
   * roles name other keys, or need more of them), or `undefined` when they can.
   */
  missingOnlineKeys(root: Readonly<SignedByRole["root"]>): string | undefined {
    for (const role of ["snapshot", "timestamp"] as const) {
      const missing = onlineKeysMissing(this.#state, { root, role });
      if (missing) return missing;
    }
    return undefined;
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
    return this.#serial(() => signStagedTargets(this.#state, keys));
  }

  /**
   * Re-sign timestamp v+1 with a fresh expiry (cron, or the edge before expiry). Roles past half their
   * lifetime are renewed first, so a repository that publishes nothing keeps verifying: snapshot (an
   * online key, v+1 over the same targets) and, when this writer holds the targets key, targets too.
   */
  renewTimestamp(): Promise<{ versions: Record<RoleName, number> }> {
    return this.#serial(async () => {
      const s = this.#state;
      const targetsKeys = s.keys.targets?.length ?? 0;
      const canSignTargets = targetsKeys >= (s.root.signed.roles.targets?.threshold ?? 1);
      if (canSignTargets && pastHalfLife(s, "targets")) {
        await commitTargets(s); // targets, snapshot and timestamp
      } else {
        await renewSnapshotAndTimestamp(s);
      }
      return { versions: this.versions };
    });
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
      await rotateRoleKey(this.#state, key, { role });
      return { versions: this.versions };
    });
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }
}
