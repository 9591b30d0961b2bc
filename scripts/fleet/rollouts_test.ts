import assert from "node:assert/strict";
import { run, stubEdge } from "./_stub_edge.ts";

/** A rollout id from a serial. */
const RID = (n: number) => `acme:radio:main:${n}:${n.toString(16).padStart(7, "0")}`;
const zero = { succeeded: 0, failed: 0, rolledBack: 0, timedOut: 0, inProgress: 0 };

/** A rollout document (the fields the table shows). */
function rollout(n: number) {
  return {
    id: RID(n),
    state: "running",
    percentNow: 20,
    cap: null,
    devicesInReach: 1,
    devicesOnApp: 5,
    counts: zero,
    watched: zero,
    reason: null,
  };
}

/** An edge with rollouts 60 down to 1 (newest first), paged as the real one pages them. */
function pagingEdge() {
  return stubEdge((url) => {
    const limit = Number(url.searchParams.get("limit") ?? 50);
    const cursor = url.searchParams.get("cursor");
    const from = cursor === null ? 60 : Number(cursor.split(":")[3]) - 1;
    const items = [];
    for (let n = from; n >= 1 && items.length < limit; n--) items.push(rollout(n));
    const last = items.at(-1);
    return Response.json({ items, next: last && Number(last.id.split(":")[3]) > 1 ? last.id : null });
  });
}

Deno.test("drover-fleet rollouts lists one page and says on stderr when more follow, naming the cursor", async () => {
  await using edge = pagingEdge();
  const r = await run([
    "rollouts",
    "--edge",
    edge.url,
    "--app",
    "acme/radio",
    "--state",
    "running",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const [req] = edge.requests;
  assert.equal(req!.url.pathname, "/v1/fleet/rollouts");
  assert.deepEqual([...req!.url.searchParams], [["app", "acme/radio"], ["state", "running"]]);
  const items = JSON.parse(r.stdout) as { id: string }[];
  assert.equal(items.length, 50);
  assert.equal(
    r.stderr,
    `drover-fleet rollouts: 50 listed, more follow: --all lists every one, --cursor ${
      RID(11)
    } the next page\n`,
  );

  const rest = await run(["rollouts", "--edge", edge.url, "--cursor", RID(11), "--limit", "20"]);
  assert.equal(rest.code, 0, rest.stderr);
  assert.deepEqual([...edge.requests[1]!.url.searchParams], [["cursor", RID(11)], ["limit", "20"]]);
  const lines = rest.stdout.trimEnd().split("\n");
  assert.match(lines[0]!, /^ID\s+STATE\s+NOW\s+CAP\s+REACH\s+OK\s+BAD\s+REASON$/);
  assert.equal(lines.length, 11);
  assert.match(lines[1]!, new RegExp(`^${RID(10)}  running  20%  - +1/5 +0 +0 +-$`));
  assert.equal(rest.stderr, "", "the last page: no notice");
});

Deno.test("drover-fleet rollouts --all follows the cursors (500 per request) into one array", async () => {
  await using edge = pagingEdge();
  const r = await run(["rollouts", "--edge", edge.url, "--all", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    (JSON.parse(r.stdout) as { id: string }[]).map((x) => x.id),
    Array.from({ length: 60 }, (_, i) => RID(60 - i)),
  );
  assert.equal(edge.requests.length, 1);
  assert.equal(edge.requests[0]!.url.searchParams.get("limit"), "500");
  assert.equal(r.stderr, "");

  const paged = await run(["rollouts", "--edge", edge.url, "--all", "--limit", "25"]);
  assert.equal(paged.code, 0, paged.stderr);
  assert.equal(paged.stdout.trimEnd().split("\n").length, 61);
  assert.deepEqual(edge.requests.slice(1).map((q) => q.url.searchParams.get("cursor")), [
    null,
    RID(36),
    RID(11),
  ]);
});

Deno.test("drover-fleet rollouts: an edge from before paging (no next) is one page; a repeated cursor fails", async () => {
  await using old = stubEdge(() => Response.json({ items: [rollout(1)] }));
  const r = await run(["rollouts", "--edge", old.url, "--all", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).length, 1);

  await using looping = stubEdge(() => Response.json({ items: [rollout(2)], next: RID(2) }));
  const loop = await run(["rollouts", "--edge", looping.url, "--all"]);
  assert.equal(loop.code, 1);
  assert.match(loop.stderr, /Cannot list rollouts: the edge returned cursor acme:radio:main:2:0000002 twice/);
  assert.equal(looping.requests.length, 2);
});
