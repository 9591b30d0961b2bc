/** Private: building and parsing the four top-level TUF roles with `@tufjs/models`. */
import {
  Metadata,
  MetadataKind,
  MetaFile,
  Root,
  Snapshot,
  TargetFile,
  Targets,
  Timestamp,
} from "@tufjs/models";
import { TrustError } from "../errors.ts";
import type { Delegations } from "./delegations.ts";
import { decodeMetadata, type Envelope } from "./envelope.ts";
import { type KeyPair, keyToTuf } from "./key_pair.ts";
import { digestHex, isTufHashAlgorithm } from "./_sha.ts";
import type { RoleName } from "./verify_envelope.ts";

/** The TUF specification version Drover writes. */
export const SPEC_VERSION = "1.0.31";

/** Fields every signed role has. */
export interface SignedCommon {
  _type: RoleName;
  spec_version: string;
  version: number;
  expires: string;
}
/** A version/length/hashes reference in snapshot or timestamp metadata. */
export interface MetaRef {
  version: number;
  length?: number;
  hashes?: Record<string, string>;
}
export interface RootSigned extends SignedCommon {
  consistent_snapshot?: boolean;
  keys: Record<string, { keytype: string; scheme: string; keyval: { public: string } }>;
  roles: Record<string, { keyids: string[]; threshold: number }>;
}
export interface TargetsSigned extends SignedCommon {
  targets: Record<string, Record<string, unknown>>;
  /** Delegated targets roles (read with core/trust/delegations.ts `parseDelegations`). */
  delegations?: Delegations;
}
export interface SnapshotSigned extends SignedCommon {
  meta: Record<string, MetaRef>;
}
export interface TimestampSigned extends SignedCommon {
  meta: { "snapshot.json": MetaRef };
}
export interface SignedByRole {
  root: RootSigned;
  targets: TargetsSigned;
  snapshot: SnapshotSigned;
  timestamp: TimestampSigned;
}

const KIND = {
  root: MetadataKind.Root,
  targets: MetadataKind.Targets,
  snapshot: MetadataKind.Snapshot,
  timestamp: MetadataKind.Timestamp,
} as const;

/** TUF date format: ISO 8601 UTC without milliseconds (python-tuf insists). */
export function tufDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** `now` plus `days`. */
export function addDays(now: Date, days: number): Date {
  if (!(days > 0) || !Number.isFinite(days)) throw new RangeError(`Cannot set expiry: ${days} days`);
  return new Date(now.getTime() + days * 86_400_000);
}

/** The expiry of signed metadata as a Date; `TrustError` when unreadable. */
export function expiresOf(signed: SignedCommon): Date {
  const t = Date.parse(signed.expires);
  if (Number.isNaN(t)) {
    throw new TrustError(`Cannot read ${signed._type} metadata: bad expires '${signed.expires}'`);
  }
  return new Date(t);
}

/** `TrustError` when `signed` has expired at `now` (freeze attack). */
export function assertNotExpired(signed: SignedCommon, now: Date): void {
  if (expiresOf(signed).getTime() <= now.getTime()) {
    throw new TrustError(
      `Cannot trust ${signed._type} metadata v${signed.version}: expired at ${signed.expires} (now ${
        tufDate(now)
      })`,
    );
  }
}

/**
 * Parse metadata bytes of `role`, validated by `@tufjs/models` (types, required fields, no
 * duplicate signature keyids) and a 1.x spec_version. Any failure is a `TrustError`.
 */
export function parseRole<R extends RoleName>(role: R, bytes: Uint8Array): Envelope<SignedByRole[R]> {
  let env: Envelope;
  try {
    env = decodeMetadata(bytes);
    Metadata.fromJSON(KIND[role] as MetadataKind.Root, env as never);
  } catch (e) {
    throw new TrustError(`Cannot parse ${role} metadata: ${(e as Error).message}`, { cause: e });
  }
  const spec = String(env.signed.spec_version ?? "");
  if (!/^1\.\d+(\.\d+)?$/.test(spec)) {
    throw new TrustError(`Cannot parse ${role} metadata: unsupported spec_version '${spec}'`);
  }
  return env as unknown as Envelope<SignedByRole[R]>;
}

/** The snapshot/timestamp reference to metadata `bytes`. */
export function metaRef(version: number, bytes: Uint8Array): MetaRef {
  return { version, length: bytes.length, hashes: { sha256: digestHex("sha256", bytes) } };
}

/**
 * `TrustError` unless `bytes` match the length and hashes of `ref`. Hashes are optional, but when
 * listed every one Drover computes (sha256, sha384, sha512) must match, and at least one must be
 * such: a reference whose hashes cannot be checked is refused, never taken on trust.
 */
export function checkMetaRef(name: string, ref: MetaRef, bytes: Uint8Array): void {
  if (ref.length !== undefined && bytes.length !== ref.length) {
    throw new TrustError(`Cannot trust ${name}: length ${bytes.length}, expected ${ref.length}`);
  }
  checkMetaRefHashes(name, ref);
  for (const [algorithm, expected] of Object.entries(ref.hashes ?? {})) {
    if (!isTufHashAlgorithm(algorithm)) continue;
    if (typeof expected !== "string" || digestHex(algorithm, bytes) !== expected.toLowerCase()) {
      throw new TrustError(`Cannot trust ${name}: ${algorithm} mismatch (mix-and-match?)`);
    }
  }
}

/**
 * `TrustError` when `ref` lists hashes none of which Drover computes (sha256, sha384, sha512): the
 * metadata naming such a reference is refused before it is persisted, as the bytes it names could
 * never be checked.
 */
export function checkMetaRefHashes(name: string, ref: MetaRef): void {
  if (ref.hashes === undefined || Object.keys(ref.hashes).some(isTufHashAlgorithm)) return;
  const listed = Object.keys(ref.hashes).join(", ") || "none";
  throw new TrustError(
    `Cannot trust ${name}: no hash Drover can check (listed: ${listed}; supported: sha256, sha384, sha512)`,
  );
}

interface Common {
  version: number;
  expires: Date;
}

/** A key a root lists for a role: its keyid and public part (Ed25519 unless `keytype` says otherwise). */
export type ListedRoleKey = Pick<KeyPair, "keyid" | "public"> & { keytype?: string; scheme?: string };

/** Signed root: the keys of each role (threshold 1 unless given), consistent snapshots. */
export function buildRoot(
  o: Common & {
    keys: Record<RoleName, ListedRoleKey[]>;
    thresholds?: Partial<Record<RoleName, number>>;
  },
): RootSigned {
  const keys: RootSigned["keys"] = {};
  const roles: RootSigned["roles"] = {};
  for (const role of ["root", "targets", "snapshot", "timestamp"] as const) {
    for (const k of o.keys[role]) keys[k.keyid] = keyToTuf(k);
    roles[role] = {
      keyids: [...new Set(o.keys[role].map((k) => k.keyid))],
      threshold: o.thresholds?.[role] ?? 1,
    };
  }
  // built as JSON, then through @tufjs/models for validation and its field order
  const root = Root.fromJSON({
    _type: "root",
    spec_version: SPEC_VERSION,
    version: o.version,
    expires: tufDate(o.expires),
    consistent_snapshot: true,
    keys,
    roles,
  } as never);
  return root.toJSON() as unknown as RootSigned;
}

/** The keys a root lists for each top-level role (public parts). */
export function roleKeysOf(root: RootSigned): Record<RoleName, ListedRoleKey[]> {
  const out = {} as Record<RoleName, ListedRoleKey[]>;
  for (const role of ["root", "targets", "snapshot", "timestamp"] as const) {
    out[role] = (root.roles[role]?.keyids ?? []).map((keyid) => {
      const key = root.keys[keyid];
      return { keyid, public: key?.keyval.public ?? "", keytype: key?.keytype, scheme: key?.scheme };
    });
  }
  return out;
}

/** The threshold of each top-level role of `root`. */
export function thresholdsOf(root: RootSigned): Record<RoleName, number> {
  const out = {} as Record<RoleName, number>;
  for (const role of ["root", "targets", "snapshot", "timestamp"] as const) {
    out[role] = root.roles[role]?.threshold ?? 1;
  }
  return out;
}

/** Signed targets with `{ length, hashes, custom }` entries. */
export function buildTargets(
  o: Common & {
    targets: Iterable<[string, { length: number; hashes: Record<string, string>; custom: unknown }]>;
  },
): TargetsSigned {
  const targets: Record<string, TargetFile> = {};
  for (const [path, t] of o.targets) {
    targets[path] = new TargetFile({
      path,
      length: t.length,
      hashes: t.hashes,
      unrecognizedFields: { custom: t.custom as never },
    });
  }
  return new Targets({ version: o.version, specVersion: SPEC_VERSION, expires: tufDate(o.expires), targets })
    .toJSON() as unknown as TargetsSigned;
}

/** Signed snapshot referencing targets.json and each delegated role's `<role>.json` in `delegated`. */
export function buildSnapshot(
  o: Common & { targets: MetaRef; delegated?: Record<string, MetaRef> },
): SnapshotSigned {
  const meta: Record<string, MetaFile> = {};
  for (const [name, ref] of Object.entries(o.delegated ?? {})) meta[name] = new MetaFile(ref);
  meta["targets.json"] = new MetaFile(o.targets);
  return new Snapshot({
    version: o.version,
    specVersion: SPEC_VERSION,
    expires: tufDate(o.expires),
    meta,
  }).toJSON() as unknown as SnapshotSigned;
}

/** Signed timestamp referencing snapshot.json. */
export function buildTimestamp(o: Common & { snapshot: MetaRef }): TimestampSigned {
  return new Timestamp({
    version: o.version,
    specVersion: SPEC_VERSION,
    expires: tufDate(o.expires),
    snapshotMeta: new MetaFile(o.snapshot),
  }).toJSON() as unknown as TimestampSigned;
}
