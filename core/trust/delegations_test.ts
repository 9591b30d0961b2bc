import assert from "node:assert/strict";
import { TrustError } from "../errors.ts";
import { type DelegatedRole, delegatesPath, type Delegations, parseDelegations } from "./delegations.ts";
import { matchPathPattern } from "./path_pattern.ts";
import { isDelegatedRoleName } from "./role_name.ts";
import { assertTargetPlacement } from "./target_placement.ts";
import { type GraphRole, resolveTargets, searchTarget } from "./target_search.ts";

const role = (name: string, paths: string[], terminating = false): DelegatedRole => ({
  name,
  keyids: [],
  threshold: 1,
  terminating,
  paths,
});
const entry = (tag: string) => ({ length: 1, hashes: { sha256: tag.repeat(64) } });

Deno.test("matchPathPattern() matches shell-style wildcards segment by segment, never across '/'", () => {
  const yes: [string, string][] = [
    ["targets/foo.tgz", "targets/*.tgz"],
    ["foo-version-2.tgz", "foo-version-?.tgz"],
    ["foo.tgz", "foo.tgz"],
    ["apps/acme/radio/main/abc1234.tar.gz", "apps/acme/*/*/*"],
    ["apps/acme/radio/main/abc1234.tar.gz", "apps/acme/radio/*/*.tar.gz"],
    ["images/rpi4/1.0/prod/os.img", "images/rpi[0-9]/*/prod/*"],
    ["images/rpi4/1.0/dev/os.img", "images/*/*/[!p]*/*"],
    ["a+b(c)", "a+b(c)"],
  ];
  const no: [string, string][] = [
    ["targets/foo.txt", "targets/*.tgz"],
    ["foo-version-alpha.tgz", "foo-version-?.tgz"],
    ["targets/foo.tgz", "*.tgz"],
    ["apps/acme/radio/main/abc1234.tar.gz", "apps/acme/*"],
    ["apps/acme/radio/main/abc1234.tar.gz", "apps/*"],
    ["apps/acmex/radio/main/abc1234.tar.gz", "apps/acme/*/*/*"],
    ["images/rpi4/1.0/prod/os.img", "images/*/*/[!p]*/*"],
    ["ab", "a.b"],
  ];
  for (const [path, pattern] of yes) assert.ok(matchPathPattern(path, pattern), `${pattern} matches ${path}`);
  for (const [path, pattern] of no) assert.ok(!matchPathPattern(path, pattern), `${pattern} misses ${path}`);
});

Deno.test("delegatesPath() also takes path_hash_prefixes", () => {
  // sha256("a.json") = 6025a122…
  const bins: DelegatedRole = { ...role("bin", []), paths: undefined, path_hash_prefixes: ["6025"] };
  assert.ok(delegatesPath(bins, "a.json"));
  assert.ok(!delegatesPath({ ...bins, path_hash_prefixes: ["ff"] }, "a.json"));
});

Deno.test("parseDelegations() refuses unsafe names, repeats, bad thresholds, both or neither path kinds", () => {
  const parse = (roles: unknown[]) =>
    parseDelegations({ delegations: { keys: {}, roles } }, "targets metadata");
  const ok = { name: "team", keyids: ["k"], threshold: 1, terminating: false, paths: ["apps/*"] };
  assert.deepEqual(parse([ok])?.roles, [ok]);
  for (
    const bad of [
      [{ ...ok, name: "../root" }],
      [{ ...ok, name: "a/b" }],
      [{ ...ok, name: "Team" }],
      [{ ...ok, name: "targets" }],
      [ok, ok],
      [{ ...ok, threshold: 0 }],
      [{ ...ok, threshold: 1.5 }],
      [{ ...ok, keyids: ["k", "k"] }],
      [{ ...ok, terminating: "yes" }],
      [{ ...ok, path_hash_prefixes: ["00"] }],
      [{ ...ok, paths: undefined }],
      [{ ...ok, paths: undefined, path_hash_prefixes: ["zz"] }],
    ]
  ) {
    assert.throws(() => parse(bad), TrustError, JSON.stringify(bad));
  }
  assert.throws(
    () => parseDelegations({ delegations: { keys: {}, succinct_roles: {} } }, "targets"),
    /succinct_roles/,
  );
  assert.ok(isDelegatedRoleName("a") && isDelegatedRoleName("team_2-x") && !isDelegatedRoleName("-a"));
});

Deno.test("searchTarget() is a preorder depth-first search: own entry first, listed order, terminating, cycles", () => {
  const d = (...roles: DelegatedRole[]): Delegations => ({ keys: {}, roles });
  const graph = new Map<string, GraphRole>([
    ["targets", { targets: { "top.json": entry("0") }, delegations: d(role("a", ["*"]), role("b", ["*"])) }],
    ["a", { targets: { "x.json": entry("a") }, delegations: d(role("c", ["*"]), role("a", ["*"])) }],
    ["b", { targets: { "x.json": entry("b"), "y.json": entry("b"), "top.json": entry("b") } }],
    ["c", { targets: { "y.json": entry("c") }, delegations: d(role("a", ["*"])) }],
  ]);
  assert.equal(searchTarget(graph, "top.json")?.role, "targets");
  assert.equal(searchTarget(graph, "x.json")?.role, "a", "listed first");
  assert.equal(searchTarget(graph, "y.json")?.role, "c", "depth first: a's delegation before b");
  assert.equal(searchTarget(graph, "z.json"), undefined, "cycles end");
  assert.equal(searchTarget(graph, "y.json", { maxRoles: 1 }), undefined, "bounded: only a visited");

  const terminating = new Map(graph);
  terminating.set("a", { targets: {}, delegations: d(role("c", ["*.json"], true)) });
  terminating.set("targets", { targets: {}, delegations: d(role("a", ["*"], true), role("b", ["*"])) });
  assert.equal(searchTarget(terminating, "x.json"), undefined, "b comes after terminating a");
  const resolved = resolveTargets(terminating);
  assert.deepEqual([...resolved.keys()], ["y.json"], "only c's y.json: a's subtree is still searched");
});

Deno.test("assertTargetPlacement() holds Drover targets to the path their custom names", () => {
  const appCustom = { kind: "app", name: "acme/radio", ref: "main", commit: "abc1234" };
  assertTargetPlacement("apps/acme/radio/main/abc1234.tar", appCustom);
  assert.throws(() => assertTargetPlacement("apps/acme/radio/dev/abc1234.tar.gz", appCustom), TypeError);
  const image = { kind: "image", deviceType: "rpi4", version: "1.0", variant: "prod" };
  assertTargetPlacement("images/rpi4/1.0/prod/os.img", image);
  assert.throws(() => assertTargetPlacement("images/rpi5/1.0/prod/os.img", image), TypeError);
  assert.throws(() => assertTargetPlacement("images/rpi4/1.0/prod/", image), TypeError);
  assertTargetPlacement("manifests/gw.json", { kind: "manifest", id: "gw" });
  assertTargetPlacement("artifacts/rootfs", { kind: "manifest", id: "gw", artifact: "rootfs" });
  assertTargetPlacement("anything/at/all", { kind: "delta-pack" });
});
