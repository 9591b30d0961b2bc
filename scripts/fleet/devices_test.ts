import assert from "node:assert/strict";
import { device, ID, run, stubEdge } from "./_stub_edge.ts";

Deno.test("drover-fleet devices sends the filters as query parameters and prints a JSON array or a table", async () => {
  await using edge = stubEdge(() => Response.json({ items: [device(1), device(2)], next: ID(2) }));
  const r = await run([
    "devices",
    "--edge",
    edge.url + "/",
    "--app",
    "acme/radio",
    "--commit",
    "1a2b3c4",
    "--state",
    "accepted",
    "--label",
    "site=lab",
    "--label",
    "ring=beta",
    "--limit",
    "2",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const [req] = edge.requests;
  assert.equal(req!.method, "GET");
  assert.equal(req!.url.pathname, "/v1/fleet/devices");
  assert.deepEqual([...req!.url.searchParams], [
    ["app", "acme/radio"],
    ["commit", "1a2b3c4"],
    ["state", "accepted"],
    ["label", "site=lab"],
    ["label", "ring=beta"],
    ["limit", "2"],
  ]);
  assert.deepEqual(JSON.parse(r.stdout), [device(1), device(2)]);
  assert.match(r.stderr, new RegExp(`more follow.*--cursor ${ID(2)}`));

  const text = await run(["devices", "--edge", edge.url, "--cursor", ID(2)]);
  assert.equal(text.code, 0);
  assert.equal(edge.requests[1]!.url.searchParams.get("cursor"), ID(2));
  const lines = text.stdout.trimEnd().split("\n");
  assert.match(lines[0]!, /^ID\s+STATE\s+TYPE\s+LAST SEEN\s+APPS\s+LAST INSTALL\s+LABELS$/);
  assert.match(
    lines[1]!,
    new RegExp(`^${ID(1)}  accepted  rpi4  2026-03-01 12:00:00Z  acme/radio@1a2b3c4d5e6f  -\\s+site=lab$`),
  );
  assert.equal(lines.length, 3);
});

Deno.test("drover-fleet devices --all follows the cursors (500 per request) into one array", async () => {
  await using edge = stubEdge((url) => {
    const cursor = url.searchParams.get("cursor");
    const from = cursor === null ? 1 : parseInt(cursor.slice(2), 16) + 1;
    const items = from > 5
      ? []
      : [device(from), device(from + 1)].filter((d) => parseInt(d.id.slice(2), 16) <= 5);
    const last = items.at(-1);
    return Response.json({ items, next: last && parseInt(last.id.slice(2), 16) < 5 ? last.id : null });
  });
  const r = await run(["devices", "--all", "--json", "--edge", edge.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).map((d: { id: string }) => d.id), [1, 2, 3, 4, 5].map(ID));
  assert.equal(edge.requests.length, 3);
  assert.ok(edge.requests.every((q) => q.url.searchParams.get("limit") === "500"));
  assert.equal(r.stderr, "");
});

Deno.test("drover-fleet escapes control characters of device-supplied strings in text, not in JSON", async () => {
  const hostile = "\x1b[2J\x1b]0;owned\x07\u202eevil\nnext";
  const doc = device(1, {
    labels: { note: hostile },
    deviceType: "rpi4\r",
    lastInstall: {
      app: "acme/radio",
      commit: "abc1234",
      result: "error",
      stage: "health",
      errorCode: "E_X\x1b",
      at: "x",
    },
  });
  const detail = {
    ...doc,
    reports: [{
      id: "e1",
      app: "a/b",
      commit: "abc1234",
      stage: "health",
      result: "error",
      errorCode: null,
      message: hostile,
      at: "2026-03-01T00:00:00Z",
    }],
  };
  await using edge = stubEdge((url) =>
    Response.json(url.pathname.endsWith("/devices") ? { items: [doc], next: null } : detail)
  );
  for (const argv of [["devices"], ["device", ID(1)]]) {
    const r = await run([...argv, "--edge", edge.url]);
    assert.equal(r.code, 0, r.stderr);
    // deno-lint-ignore no-control-regex
    assert.doesNotMatch(r.stdout.replaceAll("\n", ""), /[\x00-\x1f\x7f-\x9f\u202e]/, argv[0]);
    assert.ok(r.stdout.includes("\\x1b[2J\\x1b]0;owned\\x07\\u{202e}evil\\x0anext"), r.stdout);
  }
  const json = await run(["devices", "--json", "--edge", edge.url]);
  assert.equal(JSON.parse(json.stdout)[0].labels.note, hostile);
});
