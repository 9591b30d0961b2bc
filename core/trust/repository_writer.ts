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
import { TrustError, UnsupportedError } from "../errors.ts";
import { loadRepository } from "./_load_repository.ts";
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
} from "./_metadata.ts";
import { encodeMetadata, type Envelope, signEnvelope } from "./envelope.ts";
import { checkKeyPair, type KeyPair } from "./key_pair.ts";
import { releasesDocument } from "./releases_document.ts";
import { type TargetInfo, targetInfoFromTuf, targetInfoToTuf } from "./target_info.ts";
import { targetUrl } from "./target_paths.ts";
import { type RoleName, verifyEnvelope } from "./verify_envelope.ts";

export type { RepoStore } from "./repo_store.ts";

/** One key per top-level role. */
export type RoleKeys = Record<RoleName, KeyPair>;

/** Options of {@linkcode RepositoryWriter.init} and {@linkcode RepositoryWriter.open}. */
export interface RepositoryWriterOptions {
  /** Days until expiry: a number sets root's; an object sets any role's.
   * Defaults: root 365, targets 90, snapshot 7, timestamp 1. */
  expiresDays?: number | Partial<Record<RoleName, number>>;
  /** The clock (a fixed Date in tests). */
  now?: Date | (() => Date);
}

const DEFAULT_DAYS: Record<RoleName, number> = { root: 365, targets: 90, snapshot: 7, timestamp: 1 };
const ROLES: readonly RoleName[] = ["root", "targets", "snapshot", "timestamp"];
type Env<R extends RoleName> = Envelope<SignedByRole[R]>;
const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2) + "\n");

/** Builds and signs repository metadata. */
export class RepositoryWriter {
  #store: RepoStore;
  #keys: Partial<RoleKeys>;
  #days: Record<RoleName, number>;
  #clock: () => Date;
  #root!: Env<"root">;
  #targets!: Env<"targets">;
  #snapshot!: Env<"snapshot">;
  #timestamp!: Env<"timestamp">;
  #snapshotBytes!: Uint8Array;
  #pending = new Map<string, TargetInfo>();
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(store: RepoStore, keys: Partial<RoleKeys>, options: RepositoryWriterOptions) {
    this.#store = store;
    this.#keys = { ...keys };
    const d = options.expiresDays;
    this.#days = { ...DEFAULT_DAYS, ...(typeof d === "number" ? { root: d } : d) };
    const now = options.now;
    this.#clock = typeof now === "function" ? now : now ? () => now : () => new Date();
  }

  /**
   * Create a new repository: root v1 and empty targets, snapshot and timestamp v1.
   * `UnsupportedError` when the store already holds a repository.
   */
  static async init(
    store: RepoStore,
    keys: RoleKeys,
    options: RepositoryWriterOptions = {},
  ): Promise<RepositoryWriter> {
    for (const role of ROLES) {
      if (!keys[role]) throw new TypeError(`Cannot init repository: no ${role} key`);
      await checkKeyPair(keys[role]);
    }
    if (await store.get("tuf/1.root.json") || await store.get("tuf/root.json")) {
      throw new UnsupportedError("Cannot init repository: it already has tuf/1.root.json");
    }
    const w = new RepositoryWriter(store, keys, options);
    const now = w.#clock();
    const byRole = Object.fromEntries(ROLES.map((r) => [r, [keys[r]]])) as Record<RoleName, KeyPair[]>;
    const signed = buildRoot({ version: 1, expires: addDays(now, w.#days.root), keys: byRole });
    w.#root = await signEnvelope(signed, [keys.root]);
    await w.#putRoot();
    w.#targets = { signed: buildTargets({ version: 0, expires: now, targets: [] }), signatures: [] };
    await w.#commitLocked();
    return w;
  }

  /** Open an existing repository with the keys at hand (`TypeError` for a key root does not list). */
  static async open(
    store: RepoStore,
    keys: Partial<RoleKeys>,
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
      const key = keys[role];
      if (key) await checkKeyPair(key);
      if (key && !w.#root.signed.roles[role]?.keyids.includes(key.keyid)) {
        throw new TypeError(
          `Cannot open repository: key ${key.keyid} is not a ${role} key of root v${w.#root.signed.version}`,
        );
      }
    }
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

  /** The current signed root (keys and roles), e.g. for the edge to check uploads. */
  get root(): Readonly<SignedByRole["root"]> {
    return this.#root.signed;
  }

  /** The targets as they will be committed (including uncommitted changes). */
  targets(): Map<string, TargetInfo> {
    return new Map(this.#pending);
  }

  /** Add or replace a target (validated path, length, sha256). Takes effect on {@linkcode commit}. */
  setTarget(path: string, target: Pick<TargetInfo, "length" | "hashes" | "custom">): void {
    if (!Number.isSafeInteger(target.length) || target.length < 0) {
      throw new RangeError(`Cannot set target ${path}: invalid length ${target.length}`);
    }
    const url = targetUrl(path, target.hashes?.sha256);
    if (typeof target.custom?.kind !== "string") {
      throw new TypeError(`Cannot set target ${path}: custom.kind missing`);
    }
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

  /** Sign targets v+1, snapshot v+1, timestamp v+1; write them and releases.json (timestamp last). */
  commit(): Promise<{ versions: Record<RoleName, number> }> {
    return this.#serial(() => this.#commitLocked());
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
      await this.#store.put(`tuf/${env.signed.version}.targets.json`, bytes);
      this.#targets = env;
      this.#loadPending();
      await this.#signSnapshotAndTimestamp(bytes);
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
      if (this.#keys.targets && this.#pastHalfLife("targets", this.#targets.signed.expires)) {
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
   * Replace the key of `role` with `key`: root v+1 signed by the current root key and, when
   * rotating root, the new one too; then (other roles) targets, snapshot and timestamp are
   * re-signed so the repository verifies under the new root.
   */
  rotateKey(role: RoleName, key: KeyPair): Promise<{ versions: Record<RoleName, number> }> {
    return this.#serial(async () => {
      await checkKeyPair(key);
      const signers = [this.#need("root")];
      const current = this.#root.signed;
      if (role === "root") signers.push(key);
      const signed = buildRoot({
        version: current.version + 1,
        expires: addDays(this.#clock(), this.#days.root),
        keys: { ...roleKeysOf(current), [role]: [key] },
      });
      this.#root = await signEnvelope(signed, signers);
      this.#keys[role] = key;
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

  #need(role: RoleName): KeyPair {
    const key = this.#keys[role];
    if (!key) throw new TypeError(`Cannot sign ${role} metadata: no ${role} key given`);
    return key;
  }

  #loadPending(): void {
    this.#pending.clear();
    for (const [path, entry] of Object.entries(this.#targets.signed.targets)) {
      this.#pending.set(path, targetInfoFromTuf(path, entry));
    }
  }

  async #putRoot(): Promise<void> {
    const bytes = encodeMetadata(this.#root);
    await this.#store.put(`tuf/${this.#root.signed.version}.root.json`, bytes);
    await this.#store.put("tuf/root.json", bytes);
  }

  async #commitLocked(): Promise<{ versions: Record<RoleName, number> }> {
    const key = this.#need("targets");
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
    const env = await signEnvelope(signed, [key]);
    const bytes = encodeMetadata(env);
    await this.#store.put(`tuf/${version}.targets.json`, bytes);
    this.#targets = env;
    await this.#signSnapshotAndTimestamp(bytes);
    return { versions: this.versions };
  }

  async #signSnapshotAndTimestamp(targetsBytes: Uint8Array): Promise<void> {
    await this.#putSnapshot(metaRef(this.#targets.signed.version, targetsBytes));
    await this.#store.put("releases.json", json(releasesDocument(this.#pending.values())));
    await this.#putTimestamp(this.#snapshotBytes);
  }

  async #putSnapshot(targets: MetaRef): Promise<void> {
    const version = (this.#snapshot?.signed.version ?? 0) + 1;
    const signed = buildSnapshot({ version, expires: addDays(this.#clock(), this.#days.snapshot), targets });
    this.#snapshot = await signEnvelope(signed, [this.#need("snapshot")]);
    this.#snapshotBytes = encodeMetadata(this.#snapshot);
    await this.#store.put(`tuf/${version}.snapshot.json`, this.#snapshotBytes);
  }

  async #putTimestamp(snapshotBytes: Uint8Array): Promise<void> {
    const signed = buildTimestamp({
      version: (this.#timestamp?.signed.version ?? 0) + 1,
      expires: addDays(this.#clock(), this.#days.timestamp),
      snapshot: metaRef(this.#snapshot.signed.version, snapshotBytes),
    });
    this.#timestamp = await signEnvelope(signed, [this.#need("timestamp")]);
    await this.#store.put("tuf/timestamp.json", encodeMetadata(this.#timestamp));
  }
}
