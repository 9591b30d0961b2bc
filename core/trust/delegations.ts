/**
 * Delegated targets (TUF spec "delegations"): a targets role lists the keys and roles it trusts
 * to sign some of its target paths (`paths` patterns or `path_hash_prefixes`), each with a
 * signature threshold and a `terminating` flag. {@linkcode parseDelegations} reads the block
 * from signed targets metadata (refusing what Drover cannot use safely), {@linkcode delegatesPath}
 * says whether a role may sign a path, {@linkcode delegationKeys} gives the keys and threshold to
 * verify the role's metadata with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { delegatesPath, parseDelegations } from "./delegations.ts";
 * const d = parseDelegations({ delegations: { keys: {}, roles: [
 *   { name: "team", keyids: [], threshold: 1, terminating: true, paths: ["apps/acme/*\/*\/*"] },
 * ] } }, "targets metadata");
 * assert.ok(d && delegatesPath(d.roles[0]!, "apps/acme/radio/main/abc1234.tar.gz"));
 * ```
 * @module
 */
import { TrustError } from "../errors.ts";
import { digestHex } from "./_sha.ts";
import { matchPathPattern } from "./path_pattern.ts";
import { assertDelegatedRoleName } from "./role_name.ts";
import type { RootKeys } from "./verify_envelope.ts";

/** One delegated role as targets metadata lists it. */
export interface DelegatedRole {
  name: string;
  keyids: string[];
  threshold: number;
  terminating: boolean;
  /** Path patterns (see core/trust/path_pattern.ts); exclusive with `path_hash_prefixes`. */
  paths?: string[];
  /** Hex prefixes of the sha256 of target paths (hashed bin delegation). */
  path_hash_prefixes?: string[];
}

/** The `delegations` block of targets metadata. */
export interface Delegations {
  keys: RootKeys["keys"];
  roles: DelegatedRole[];
}

/**
 * The delegations of signed targets metadata, checked; `undefined` when it delegates nothing.
 * `TrustError` naming `where` for a malformed block, an unsafe or repeated role name, a role
 * with both or neither of `paths` and `path_hash_prefixes`, or `succinct_roles` (not supported).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseDelegations } from "./delegations.ts";
 * assert.equal(parseDelegations({}, "targets metadata"), undefined);
 * assert.throws(() => parseDelegations({ delegations: { keys: {}, roles: [{ name: "../x" }] } }, "targets"), /safe role name/);
 * ```
 */
export function parseDelegations(signed: { delegations?: unknown }, where: string): Delegations | undefined {
  const block = signed.delegations;
  if (block === undefined) return undefined;
  function bad(detail: string): never {
    throw new TrustError(`Cannot trust ${where}: delegations ${detail}`);
  }
  if (!isObject(block)) return bad("is not an object");
  if ("succinct_roles" in block) return bad("use succinct_roles, which Drover does not support");
  const { keys, roles } = block;
  if (!isObject(keys)) return bad("have no keys object");
  if (!Array.isArray(roles)) return bad("have no roles array");
  const names = new Set<string>();
  const out: DelegatedRole[] = [];
  for (const role of roles as unknown[]) {
    if (!isObject(role)) return bad("list a role that is not an object");
    const { name, keyids, threshold, terminating, paths, path_hash_prefixes: prefixes } = role;
    assertDelegatedRoleName(name, where);
    if (names.has(name)) bad(`list role '${name}' twice`);
    names.add(name);
    if (!isStrings(keyids) || new Set(keyids).size !== keyids.length) bad(`of '${name}' have bad keyids`);
    if (!Number.isSafeInteger(threshold) || (threshold as number) < 1) {
      bad(`of '${name}' have a bad threshold`);
    }
    if (typeof terminating !== "boolean") bad(`of '${name}' have no terminating flag`);
    if ((paths === undefined) === (prefixes === undefined)) {
      bad(`of '${name}' need exactly one of paths and path_hash_prefixes`);
    }
    if (paths !== undefined && !isStrings(paths)) bad(`of '${name}' have bad paths`);
    if (prefixes !== undefined && !(isStrings(prefixes) && prefixes.every((p) => /^[0-9a-f]*$/.test(p)))) {
      bad(`of '${name}' have bad path_hash_prefixes`);
    }
    const entry: DelegatedRole = {
      name,
      keyids: [...keyids as string[]],
      threshold: threshold as number,
      terminating: terminating as boolean,
    };
    if (paths !== undefined) entry.paths = [...paths as string[]];
    else entry.path_hash_prefixes = [...prefixes as string[]];
    out.push(entry);
  }
  return { keys: keys as Delegations["keys"], roles: out };
}

/**
 * True when `role` is trusted for target `path`: a pattern of its `paths` matches it, or the
 * sha256 (hex) of the path starts with one of its `path_hash_prefixes`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { delegatesPath } from "./delegations.ts";
 * const role = { name: "t", keyids: [], threshold: 1, terminating: false, paths: ["manifests/t-*.json"] };
 * assert.ok(delegatesPath(role, "manifests/t-1.json") && !delegatesPath(role, "manifests/u-1.json"));
 * ```
 */
export function delegatesPath(role: DelegatedRole, path: string): boolean {
  if (role.paths) return role.paths.some((pattern) => matchPathPattern(path, pattern));
  if (role.path_hash_prefixes) {
    const hash = digestHex("sha256", new TextEncoder().encode(path));
    return role.path_hash_prefixes.some((prefix) => hash.startsWith(prefix));
  }
  return false;
}

/**
 * Keys and threshold to verify the metadata of `role` with, in the shape `verifyEnvelope`
 * takes (the role stands under the name "targets": a delegated role's metadata is targets metadata).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { delegationKeys } from "./delegations.ts";
 * const keys = delegationKeys({ keys: {}, roles: [] }, { name: "t", keyids: ["a"], threshold: 1, terminating: false, paths: [] });
 * assert.deepEqual(keys.roles.targets, { keyids: ["a"], threshold: 1 });
 * ```
 */
export function delegationKeys(delegations: Delegations, role: DelegatedRole): RootKeys {
  const keys: RootKeys["keys"] = {};
  for (const keyid of role.keyids) {
    const key = Object.hasOwn(delegations.keys, keyid) ? delegations.keys[keyid] : undefined;
    if (key) keys[keyid] = key;
  }
  return { keys, roles: { targets: { keyids: role.keyids, threshold: role.threshold } } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}
