/**
 * Private: the delegated targets part of refreshTrust (spec 5.6 for every delegated role). Drover
 * lists every app, so the walk is eager: every role reachable from the top-level targets (preorder,
 * depth first, at most `maxRoles` roles) is loaded and checked like targets: its version and hashes
 * against snapshot's `<role>.json`, its signatures against the keys and threshold of EVERY role
 * that delegates to it, its version never below the trusted copy's, its expiry against the one
 * `now`. Any failure is a `TrustError` for the whole refresh (a role not served: `TransientError`,
 * `_not_served.ts`), and nothing is persisted by the walk:
 * the caller writes `fresh` once the resolved targets are accepted.
 */
import { TrustError } from "../errors.ts";
import { notServed } from "./_not_served.ts";
import {
  checkMetaRef,
  expiresOf,
  parseRole,
  type SnapshotSigned,
  type TargetsSigned,
  tufDate,
} from "./_metadata.ts";
import { delegationKeys, type Delegations, parseDelegations } from "./delegations.ts";
import type { Envelope } from "./envelope.ts";
import { type GraphRole, resolveTargets } from "./target_search.ts";
import { type RootKeys, verifyEnvelope } from "./verify_envelope.ts";

/** What the walk needs of refreshTrust. */
export interface DelegationWalkOptions {
  snapshot: SnapshotSigned;
  store: { read(name: string): Promise<Uint8Array | undefined> };
  /** Capped fetch (refreshTrust's). */
  fetch(path: string, maxLength: number): Promise<Uint8Array | undefined>;
  now: Date;
  consistent: boolean;
  /** Byte cap of one role's metadata (the targets cap). */
  cap: number;
  maxRoles: number;
}

/** The verified delegation graph, resolved to the targets devices use. */
export interface DelegatedTrust {
  /** Target entries by path, each from the role the spec's search picks for it. */
  targets: Record<string, Record<string, unknown>>;
  /** Paths whose entry a delegated role signed, and that role. */
  signers: Map<string, string>;
  /** Versions of the delegated roles. */
  versions: Record<string, number>;
  /** Signed parts of the delegated roles (their expiries count). */
  signed: TargetsSigned[];
  /** Roles fetched by this refresh, to persist as `<name>.json` once everything is accepted. */
  fresh: { name: string; bytes: Uint8Array }[];
}

type Env = Envelope<TargetsSigned>;

/** Load and verify every delegated role reachable from `top`, then resolve the targets. */
export async function walkDelegations(top: TargetsSigned, o: DelegationWalkOptions): Promise<DelegatedTrust> {
  const topDelegations = parseDelegations(top, "targets metadata");
  const out: DelegatedTrust = {
    targets: top.targets,
    signers: new Map(),
    versions: {},
    signed: [],
    fresh: [],
  };
  if (!topDelegations || topDelegations.roles.length === 0) return out;

  const graph = new Map<string, GraphRole>([["targets", {
    targets: top.targets,
    delegations: topDelegations,
  }]]);
  const loaded = new Map<string, Env>();
  const stack: { name: string; by: string; keys: RootKeys }[] = [];
  const push = (by: string, delegations: Delegations) => {
    for (const role of [...delegations.roles].reverse()) {
      stack.push({ name: role.name, by, keys: delegationKeys(delegations, role) });
    }
  };
  push("targets", topDelegations);
  while (stack.length > 0) {
    const { name, by, keys } = stack.pop()!;
    const label = `delegated role '${name}' (delegated by ${by === "targets" ? "targets" : `'${by}'`})`;
    const known = loaded.get(name);
    if (known) {
      // a second delegation to the same role: its metadata must satisfy this delegator too
      await verifyEnvelope(known, keys, "targets", { label });
      continue;
    }
    if (loaded.size >= o.maxRoles) {
      throw new TrustError(`Cannot refresh trust: more than ${o.maxRoles} delegated roles (the limit)`);
    }
    const env = await loadRole(name, keys, label);
    loaded.set(name, env);
    const delegations = parseDelegations(env.signed, label);
    graph.set(name, { targets: env.signed.targets, delegations });
    out.versions[name] = env.signed.version;
    out.signed.push(env.signed);
    if (delegations) push(name, delegations);
  }

  out.targets = {};
  for (const [path, found] of resolveTargets(graph, { maxRoles: o.maxRoles })) {
    out.targets[path] = found.entry;
    if (found.role !== "targets") out.signers.set(path, found.role);
  }
  return out;

  /** The role's metadata: the trusted copy when it is the version snapshot names, else fetched. */
  async function loadRole(name: string, keys: RootKeys, label: string): Promise<Env> {
    const file = `${name}.json`;
    const ref = o.snapshot.meta[file];
    if (!ref) throw new TrustError(`Cannot refresh trust: snapshot has no ${file} entry (${label})`);
    const stored = await o.store.read(file);
    let trusted: Env | undefined;
    if (stored) {
      try {
        trusted = parseRole("targets", stored);
        await verifyEnvelope(trusted, keys, "targets");
      } catch {
        trusted = undefined; // damaged, or signed by keys no longer delegated: no baseline
      }
    }
    if (trusted && trusted.signed.version > ref.version) {
      throw new TrustError(
        `Cannot trust ${label}: version ${ref.version} is older than trusted version ${trusted.signed.version} (rollback)`,
      );
    }
    let env: Env | undefined;
    if (stored && trusted?.signed.version === ref.version) {
      try {
        checkMetaRef(file, ref, stored);
        env = trusted;
      } catch {
        env = undefined; // not the bytes snapshot names: fetch them
      }
    }
    if (!env) {
      const path = o.consistent ? `tuf/${ref.version}.${file}` : `tuf/${file}`;
      const bytes = await o.fetch(path, ref.length !== undefined ? Math.min(ref.length, o.cap) : o.cap);
      if (!bytes) throw notServed(path, `the delegating role (${label})`);
      checkMetaRef(path, ref, bytes);
      env = parseRole("targets", bytes);
      await verifyEnvelope(env, keys, "targets", { label });
      if (env.signed.version !== ref.version) {
        throw new TrustError(`Cannot trust ${path}: version ${env.signed.version}, expected ${ref.version}`);
      }
      out.fresh.push({ name, bytes });
    }
    if (expiresOf(env.signed).getTime() <= o.now.getTime()) {
      throw new TrustError(
        `Cannot trust ${label} v${env.signed.version}: expired at ${env.signed.expires} (now ${
          tufDate(o.now)
        })`,
      );
    }
    return env;
  }
}
