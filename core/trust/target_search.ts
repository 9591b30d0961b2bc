/**
 * Which role's entry stands for a target path (TUF spec 5.6.7): a preorder depth-first search of
 * the delegation graph from the top-level targets role. A role's own entry wins over its
 * delegations; delegations are tried in the order listed, only those trusted for the path (see
 * {@linkcode delegatesPath}); a terminating delegation that matches ends the search after its own
 * subtree; each role is visited once (cycles end); at most `maxRoles` delegated roles are visited.
 * So a delegated role's entry for a path outside its paths is never the answer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type GraphRole, resolveTargets } from "./target_search.ts";
 * const entry = { length: 1, hashes: { sha256: "00".repeat(32) } };
 * const graph = new Map<string, GraphRole>([
 *   ["targets", { targets: {}, delegations: { keys: {}, roles: [
 *     { name: "team", keyids: [], threshold: 1, terminating: false, paths: ["apps/acme/*\/*\/*"] }] } }],
 *   ["team", { targets: { "apps/acme/radio/main/abc1234.tar.gz": entry, "apps/other/x/main/abc1234.tar.gz": entry } }],
 * ]);
 * assert.deepEqual([...resolveTargets(graph).keys()], ["apps/acme/radio/main/abc1234.tar.gz"]);
 * ```
 * @module
 */
import { delegatesPath, type Delegations } from "./delegations.ts";

/** One role of a delegation graph: its signed targets and, parsed, its delegations. */
export interface GraphRole {
  targets: Record<string, Record<string, unknown>>;
  delegations?: Delegations;
}

/** Roles by name; "targets" is the top-level role the search starts from. */
export type DelegationGraph = ReadonlyMap<string, GraphRole>;

/** A target entry and the role that signed it. */
export interface FoundTarget {
  role: string;
  entry: Record<string, unknown>;
}

/** Default bound on the delegated roles one search visits (tuf-js and python-tuf use 32). */
export const MAX_DELEGATED_ROLES = 32;

/**
 * The entry for `path` and the role it comes from, or `undefined` (see the module documentation).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { searchTarget } from "./target_search.ts";
 * const graph = new Map([["targets", { targets: { "a.json": { length: 1 } } }]]);
 * assert.equal(searchTarget(graph, "a.json")?.role, "targets");
 * assert.equal(searchTarget(graph, "b.json"), undefined);
 * ```
 */
export function searchTarget(
  graph: DelegationGraph,
  path: string,
  options: { maxRoles?: number } = {},
): FoundTarget | undefined {
  const maxVisits = (options.maxRoles ?? MAX_DELEGATED_ROLES) + 1; // + the top-level role
  const stack = ["targets"];
  const visited = new Set<string>();
  while (stack.length > 0 && visited.size < maxVisits) {
    const name = stack.pop()!;
    if (visited.has(name)) continue;
    const role = graph.get(name);
    if (!role) continue;
    if (Object.hasOwn(role.targets, path)) return { role: name, entry: role.targets[path]! };
    visited.add(name);
    const children: string[] = [];
    for (const child of role.delegations?.roles ?? []) {
      if (!delegatesPath(child, path)) continue;
      children.push(child.name);
      if (child.terminating) {
        stack.length = 0; // nothing after a terminating delegation is searched
        break;
      }
    }
    stack.push(...children.reverse());
  }
  return undefined;
}

/**
 * Every target path any role of `graph` lists, resolved by {@linkcode searchTarget}: what a
 * client that asked for each path would get. Paths no search reaches are left out.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveTargets } from "./target_search.ts";
 * const graph = new Map([["targets", { targets: { "a.json": { length: 1 } } }]]);
 * assert.equal(resolveTargets(graph).get("a.json")?.role, "targets");
 * ```
 */
export function resolveTargets(
  graph: DelegationGraph,
  options: { maxRoles?: number } = {},
): Map<string, FoundTarget> {
  const out = new Map<string, FoundTarget>();
  const top = graph.get("targets");
  if (top && graph.size === 1) {
    for (const [path, entry] of Object.entries(top.targets)) out.set(path, { role: "targets", entry });
    return out;
  }
  const seen = new Set<string>();
  for (const role of graph.values()) {
    for (const path of Object.keys(role.targets)) {
      if (seen.has(path)) continue;
      seen.add(path);
      const found = searchTarget(graph, path, options);
      if (found) out.set(path, found);
    }
  }
  return out;
}
