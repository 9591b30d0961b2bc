/**
 * Private: the delegated targets roles of a repository, for RepositoryWriter: their current
 * metadata (as snapshot lists it), who delegates to each, checks of new versions against every
 * delegator, the `<role>.json` references of snapshot, and the targets devices resolve.
 */
import { TrustError } from "../errors.ts";
import { type MetaRef, metaRef, parseRole, type SnapshotSigned, type TargetsSigned } from "./_metadata.ts";
import {
  type DelegatedRole,
  delegatesPath,
  delegationKeys,
  type Delegations,
  parseDelegations,
} from "./delegations.ts";
import type { Envelope } from "./envelope.ts";
import { checkKeyPair, type KeyPair, keyToTuf } from "./key_pair.ts";
import type { RepoStore } from "./repo_store.ts";
import { isDelegatedRoleName } from "./role_name.ts";
import { type TargetInfo, targetInfoFromTuf } from "./target_info.ts";
import { assertTargetPlacement } from "./target_placement.ts";
import { type GraphRole, resolveTargets } from "./target_search.ts";
import { type RootKeys, verifyEnvelope } from "./verify_envelope.ts";

/** A role's current metadata. */
export interface StoredRole {
  env: Envelope<TargetsSigned>;
  bytes: Uint8Array;
}

/** What `RepositoryWriter.delegate` adds: one delegated role. */
export interface DelegationSpec {
  /** Role name (core/trust/role_name.ts). */
  name: string;
  /** Public keys of the role (private parts, if any, are not used here). */
  keys: Pick<KeyPair, "keyid" | "public">[];
  /** Signatures needed (default 1; at most the number of keys). */
  threshold?: number;
  /** Whether a match ends the search for a path (default false). */
  terminating?: boolean;
  /** Path patterns (core/trust/path_pattern.ts), e.g. `apps/acme/` followed by three `*` segments. */
  paths: string[];
}

/** One delegation to a role: the delegating role, the entry, and the keys to verify with. */
interface Delegator {
  by: string;
  role: DelegatedRole;
  keys: RootKeys;
}

/** The delegated roles of one repository state. */
export class DelegatedRoles {
  #roles = new Map<string, StoredRole>();

  /**
   * Every `<role>.json` that `snapshot` lists besides targets.json, read, its signatures checked against
   * the roles delegating to it (a role no one delegates to any more stays listed, as clients require).
   */
  static async load(store: RepoStore, snapshot: SnapshotSigned, top: TargetsSigned): Promise<DelegatedRoles> {
    const roles = new DelegatedRoles();
    for (const [file, ref] of Object.entries(snapshot.meta)) {
      if (file === "targets.json") continue;
      const name = file.replace(/\.json$/, "");
      if (!isDelegatedRoleName(name)) {
        throw new TrustError(`Cannot open repository: snapshot lists '${file}'`);
      }
      const path = `tuf/${ref.version}.${file}`;
      const bytes = await store.get(path);
      if (!bytes) throw new TrustError(`Cannot open repository: ${path} not found`);
      roles.#roles.set(name, { env: parseRole("targets", bytes), bytes });
    }
    for (const [name, role] of roles.#roles) {
      for (const d of roles.delegatorsOf(name, top)) {
        await verifyEnvelope(role.env, d.keys, "targets", {
          label: `${fileOf(name, role)} (delegated by ${d.by})`,
        });
      }
    }
    return roles;
  }

  /** An independent copy (a candidate state: changes to it leave this one as it is). */
  copy(): DelegatedRoles {
    const out = new DelegatedRoles();
    for (const [name, role] of this.#roles) out.#roles.set(name, role);
    return out;
  }

  /** The current metadata of `name`, if the repository has it. */
  get(name: string): StoredRole | undefined {
    return this.#roles.get(name);
  }

  /** Record `env` (already checked) as the current metadata of `name`. */
  set(name: string, env: Envelope<TargetsSigned>, bytes: Uint8Array): void {
    this.#roles.set(name, { env, bytes });
  }

  /** Versions by role name. */
  versions(): Record<string, number> {
    return Object.fromEntries([...this.#roles].map(([name, r]) => [name, r.env.signed.version]));
  }

  /** Snapshot references: `<role>.json` of every role. */
  refs(): Record<string, MetaRef> {
    return Object.fromEntries(
      [...this.#roles].map(([name, r]) => [`${name}.json`, metaRef(r.env.signed.version, r.bytes)]),
    );
  }

  /** The delegations naming `name`, in top-level targets (`top`) or in another role. */
  delegatorsOf(name: string, top: TargetsSigned): Delegator[] {
    const out: Delegator[] = [];
    const from = (by: string, signed: TargetsSigned) => {
      const delegations = parseDelegations(signed, by === "targets" ? "targets metadata" : `role '${by}'`);
      for (const role of delegations?.roles ?? []) {
        if (role.name === name) out.push({ by, role, keys: delegationKeys(delegations!, role) });
      }
    };
    from("targets", top);
    for (const [by, r] of this.#roles) if (by !== name) from(by, r.env.signed);
    const self = this.#roles.get(name);
    if (self) from(name, self.env.signed); // a role may delegate to itself (a cycle of one)
    return out;
  }

  /**
   * `TrustError` unless `env` may be role `name`'s metadata: at least one role delegates to it and
   * it meets every delegator's threshold; each Drover target it lists is within a delegator's
   * paths and at the path its custom names; each role it delegates to exists and verifies.
   */
  async verify(name: string, env: Envelope<TargetsSigned>, top: TargetsSigned): Promise<void> {
    const delegators = this.delegatorsOf(name, top);
    if (delegators.length === 0) {
      throw new TrustError(`Cannot accept role '${name}': no role delegates to it`);
    }
    for (const d of delegators) {
      await verifyEnvelope(env, d.keys, "targets", { label: `role '${name}' (delegated by ${d.by})` });
    }
    for (const [path, entry] of Object.entries(env.signed.targets)) {
      if (!delegators.some((d) => delegatesPath(d.role, path))) {
        throw new TrustError(`Cannot accept role '${name}': it signs '${path}', outside its delegated paths`);
      }
      try {
        const info = targetInfoFromTuf(path, entry);
        assertTargetPlacement(path, info.custom as unknown as Record<string, unknown>);
      } catch (error) {
        throw new TrustError(`Cannot accept role '${name}': ${(error as Error).message}`, { cause: error });
      }
    }
    const delegations = parseDelegations(env.signed, `role '${name}'`);
    for (const child of delegations?.roles ?? []) {
      const current = child.name === name ? env : this.#roles.get(child.name)?.env;
      if (!current) {
        throw new TrustError(
          `Cannot accept role '${name}': it delegates to '${child.name}', which has no metadata`,
        );
      }
      await verifyEnvelope(current, delegationKeys(delegations!, child), "targets", {
        label: `role '${child.name}' (delegated by ${name})`,
      });
    }
  }

  /** `TrustError` unless `env` meets the threshold of role `name` as `delegations` list it. */
  async verifyAgainst(name: string, env: Envelope<TargetsSigned>, delegations: Delegations): Promise<void> {
    const role = delegations.roles.find((r) => r.name === name);
    if (!role) throw new TrustError(`Cannot accept role '${name}': no role delegates to it`);
    await verifyEnvelope(env, delegationKeys(delegations, role), "targets", { label: `role '${name}'` });
  }

  /** `TrustError` unless every role that new top-level targets `top` delegates to exists and verifies. */
  async checkDelegationsOf(top: TargetsSigned): Promise<void> {
    const delegations = parseDelegations(top, "targets metadata");
    for (const role of delegations?.roles ?? []) {
      const current = this.#roles.get(role.name);
      if (!current) {
        throw new TrustError(`Cannot accept targets: they delegate to '${role.name}', which has no metadata`);
      }
      await this.verifyAgainst(role.name, current.env, delegations!);
    }
  }

  /** `TypeError` unless role `name` exists and each of `keys` is one of its keys. */
  async checkKeys(name: string, keys: readonly KeyPair[], top: TargetsSigned): Promise<void> {
    const delegators = this.delegatorsOf(name, top);
    if (!this.#roles.has(name) || delegators.length === 0) {
      throw new TypeError(`Cannot open repository: it has no delegated role '${name}'`);
    }
    if (keys.length === 0) throw new TypeError(`Cannot open repository: no key of role '${name}' given`);
    for (const key of keys) {
      await checkKeyPair(key);
      if (!delegators.some((d) => d.role.keyids.includes(key.keyid))) {
        throw new TypeError(`Cannot open repository: key ${key.keyid} is not a key of role '${name}'`);
      }
    }
  }

  /** `RangeError` unless a role delegating to `name` trusts it for `path`. */
  assertDelegatesPath(name: string, path: string, top: TargetsSigned): void {
    const delegators = this.delegatorsOf(name, top);
    if (!delegators.some((d) => delegatesPath(d.role, path))) {
      const paths = delegators.flatMap((d) => d.role.paths ?? []).join(", ") || "no paths";
      throw new RangeError(`Cannot set target ${path}: role '${name}' is delegated ${paths}`);
    }
  }

  /** The targets devices resolve (TUF search over top-level targets and every role), as TargetInfo. */
  resolved(top: TargetsSigned): Map<string, TargetInfo> {
    const graph = new Map<string, GraphRole>([["targets", roleOf(top)]]);
    for (const [name, r] of this.#roles) graph.set(name, roleOf(r.env.signed));
    const out = new Map<string, TargetInfo>();
    for (const [path, found] of resolveTargets(graph)) {
      try {
        out.set(path, targetInfoFromTuf(path, found.entry));
      } catch {
        // a foreign entry Drover cannot use
      }
    }
    return out;
  }
}

/**
 * `delegations` with role `spec` added, or replacing the role of that name (same place in the
 * order); its keys are added and keys no role lists any more are dropped.
 */
export function withDelegation(delegations: Delegations | undefined, spec: DelegationSpec): Delegations {
  if (!isDelegatedRoleName(spec.name)) {
    throw new TypeError(
      `Cannot delegate to '${spec.name}': not a role name (lower-case letters, digits, _ and -)`,
    );
  }
  const keyids = [...new Set(spec.keys.map((k) => k.keyid))];
  const threshold = spec.threshold ?? 1;
  if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > keyids.length) {
    throw new RangeError(
      `Cannot delegate to '${spec.name}': threshold ${threshold} with ${keyids.length} key(s)`,
    );
  }
  if (spec.paths.length === 0 || spec.paths.some((p) => p === "" || p.startsWith("/") || p.includes("\\"))) {
    throw new TypeError(
      `Cannot delegate to '${spec.name}': paths must be relative patterns, e.g. apps/acme/*/*/*`,
    );
  }
  const role: DelegatedRole = {
    name: spec.name,
    keyids,
    threshold,
    terminating: spec.terminating ?? false,
    paths: [...spec.paths],
  };
  const roles = [...(delegations?.roles ?? [])];
  const at = roles.findIndex((r) => r.name === spec.name);
  if (at < 0) roles.push(role);
  else roles[at] = role;
  const keys: Delegations["keys"] = { ...delegations?.keys };
  for (const k of spec.keys) keys[k.keyid] = keyToTuf(k);
  const used = new Set(roles.flatMap((r) => r.keyids));
  for (const keyid of Object.keys(keys)) if (!used.has(keyid)) delete keys[keyid];
  return { keys, roles };
}

function fileOf(name: string, role: StoredRole): string {
  return `tuf/${role.env.signed.version}.${name}.json`;
}

function roleOf(signed: TargetsSigned): GraphRole {
  return { targets: signed.targets, delegations: parseDelegations(signed, "targets metadata") };
}
