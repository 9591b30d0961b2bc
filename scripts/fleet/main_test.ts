import assert from "node:assert/strict";
import { join } from "node:path";
import { device, ID, run, stubEdge, TOKEN } from "./_stub_edge.ts";

Deno.test("drover-fleet --help lists every command; each command's --help starts with its usage", async () => {
  const help = await run(["--help"]);
  assert.equal(help.code, 0);
  for (const c of ["devices", "device", "accept", "reject", "summary", "rollouts", "rollout", "pause"]) {
    assert.match(help.stdout, new RegExp(`\\n  ${c} `));
    const h = await run([c, "--help"]);
    assert.equal(h.code, 0, c);
    assert.match(h.stdout, new RegExp(`^Usage: drover-fleet ${c}`), c);
    assert.match(h.stdout, /--edge URL/, c);
  }
  assert.equal((await run([])).code, 2);
});

Deno.test("drover-fleet refuses bad command lines with exit 2 before any request", async () => {
  await using edge = stubEdge(() => Response.json({ items: [], next: null }));
  const e = ["--edge", edge.url];
  const cases: [string[], Record<string, string>, RegExp][] = [
    [["devices"], {}, /missing --edge \(or env DROVER_EDGE\)/],
    [["devices", ...e], { DROVER_OPERATOR_TOKEN: "" }, /missing operator token/],
    [["devices", "--edge", "ftp://x"], {}, /expected http or https/],
    [["devices", "--edge", "http://user:pw@127.0.0.1"], {}, /credentials/],
    [["devices", ...e, "--state", "happy"], {}, /--state must be/],
    [["devices", ...e, "--label", "novalue"], {}, /KEY=VALUE/],
    [["devices", ...e, "--label", "a=1", "--label", "a=2"], {}, /twice/],
    [["devices", ...e, "--limit", "0"], {}, /--limit/],
    [["devices", ...e, "--limit", "501"], {}, /--limit/],
    [["devices", ...e, "--all", "--cursor", ID(1)], {}, /do not combine/],
    [["devices", ...e, "--commit", "XYZ"], {}, /--commit must be a commit or its first 7 or more digits/],
    [["devices", ...e, "--commit", "0123ab"], {}, /--commit must be/],
    [["devices", ...e, "--commit", "0123ABCDEF"], {}, /lower-case hex/],
    [
      ["devices", ...e, "--app", "bad name"],
      {},
      /--app must be OWNER\/APP \(two safe segments\), got 'bad name'/,
    ],
    [["rollouts", ...e, "--state", "bogus"], {}, /--state must be running, paused, halted, ended, done/],
    [["rollouts", ...e, "--app", "bad name"], {}, /--app must be OWNER\/APP/],
    [["rollouts", ...e, "--limit", "501"], {}, /--limit/],
    [["rollouts", ...e, "--cursor", "../x"], {}, /--cursor must be a rollout id/],
    [["rollouts", ...e, "--all", "--cursor", "acme:radio:main:1:0000000"], {}, /do not combine/],
    [["device", ...e], {}, /missing argument/],
    [["device", ...e, "../etc"], {}, /device id/],
    [["accept", ...e, ID(1), ID(2)], {}, /unexpected argument/],
    [["reject", ...e, "--token-file", "/nonexistent/token"], {}, /missing argument/],
    [
      ["summary", ...e, "--token-file", "/nonexistent/token"],
      {},
      /: Cannot read --token-file \/nonexistent\/token: no such file\n/,
    ],
    [["summary", ...e, "--bogus"], {}, /bogus/],
  ];
  for (const [argv, env, message] of cases) {
    const r = await run(argv, env);
    assert.equal(r.code, 2, `${argv.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message, argv.join(" "));
  }
  assert.equal(edge.requests.length, 0);
  const json = await run(["devices", "--json", ...e, "--state", "happy"]);
  assert.deepEqual(JSON.parse(json.stdout), {
    command: "devices",
    ok: false,
    exitCode: 2,
    errors: [{ code: "E_USAGE", message: "--state must be accepted, pending or rejected" }],
  });
});

Deno.test("drover-fleet device, accept, reject and summary ask the right paths and print the API documents", async () => {
  const summary = {
    at: "2026-03-01T12:00:00.000Z",
    devices: { total: 3, accepted: 1, pending: 1, rejected: 1 },
    seen: { since: "2026-02-28T12:00:00.000Z", recent: 2, stale: 1 },
    apps: [{ name: "acme/radio", ref: "main", devices: 2, commits: [{ commit: "1a2b3c4", devices: 2 }] }],
    lastInstall: { ok: 1, error: 1, rolledBack: 0, none: 1 },
  };
  await using edge = stubEdge((url, req) => {
    if (url.pathname === "/v1/fleet/summary") return Response.json(summary);
    const m = /^\/v1\/fleet\/devices\/(d_[0-9a-f]{32})(?:\/(accept|reject))?$/.exec(url.pathname);
    if (!m || (m[2] !== undefined) !== (req.method === "POST")) return new Response("no", { status: 500 });
    if (m[1] === ID(9)) {
      return Response.json({ error: { code: "E_NOT_FOUND", message: `Cannot find device ${ID(9)}` } }, {
        status: 404,
      });
    }
    const state = m[2] === "accept" ? "accepted" : m[2] === "reject" ? "rejected" : "pending";
    return Response.json(device(1, { state, enrolledAt: "2026-01-01T00:00:00Z", releases: [], reports: [] }));
  });
  const e = ["--edge", edge.url];
  const shown = await run(["device", ID(1), ...e, "--json"]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.equal(JSON.parse(shown.stdout).state, "pending");
  const text = await run(["device", ID(1), ...e]);
  assert.match(text.stdout, /^id {11}d_0+1\nstate {8}pending\n/);
  assert.match(
    text.stdout,
    /\napps:\nAPP\s+REF\s+COMMIT\s+SERIAL\s+RELEASE\nacme\/radio\s+main\s+1a2b3c4d5e6f7a8b9c0d\s+3\s+-\n/,
  );
  assert.deepEqual(await run(["accept", ID(1), ...e]), {
    code: 0,
    stdout: `${ID(1)} accepted\n`,
    stderr: "",
  });
  const rejected = await run(["reject", ID(1), ...e, "--json"]);
  assert.equal(JSON.parse(rejected.stdout).state, "rejected");
  assert.deepEqual(edge.requests.slice(-2).map((r) => `${r.method} ${r.url.pathname}`), [
    `POST /v1/fleet/devices/${ID(1)}/accept`,
    `POST /v1/fleet/devices/${ID(1)}/reject`,
  ]);
  const missing = await run(["device", ID(9), ...e]);
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /^drover-fleet device: Cannot get device d_0+9: the edge answered 404 E_NOT_FOUND: Cannot find device/,
  );
  const s = await run(["summary", ...e, "--json"]);
  assert.deepEqual(JSON.parse(s.stdout), summary);
  const st = await run(["summary", ...e]);
  assert.match(st.stdout, /^devices {7}3 \(accepted 1, pending 1, rejected 1\)\n/);
  assert.match(st.stdout, /last install {2}ok 1, error 1, rolled back 0, none 1\n/);
  assert.match(st.stdout, /APP\s+REF\s+COMMIT\s+DEVICES\nacme\/radio\s+main\s+1a2b3c4\s+2\n$/);
});

Deno.test("drover-fleet maps a refused token to 3, a busy or unreachable edge to 75, a bad answer to 1", async () => {
  await using edge = stubEdge((url) =>
    url.pathname === "/v1/fleet/summary"
      ? new Response("upstream down", { status: 503 })
      : new Response("<html>not json</html>", { status: 200 })
  );
  const wrong = await run(["summary", "--edge", edge.url], { DROVER_OPERATOR_TOKEN: "wrong-token-456" });
  assert.equal(wrong.code, 3);
  assert.match(
    wrong.stderr,
    /the edge answered 403 E_FORBIDDEN: Cannot read fleet: wrong bearer token \(check the operator token/,
  );
  const wrongJson = await run(["summary", "--json", "--edge", edge.url], {
    DROVER_OPERATOR_TOKEN: "wrong-token-456",
  });
  assert.deepEqual(JSON.parse(wrongJson.stdout).errors.map((e: { code: string }) => e.code), ["E_FORBIDDEN"]);
  assert.equal(JSON.parse(wrongJson.stdout).exitCode, 3);

  // --token-file wins over the environment; DROVER_OPERATOR_TOKEN over DROVER_TOKEN
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "token"), `${TOKEN}\n`);
    const fromFile = await run(["summary", "--edge", edge.url, "--token-file", join(dir, "token")], {
      DROVER_OPERATOR_TOKEN: "wrong-token-456",
    });
    assert.equal(fromFile.code, 75, "the token was right: the 503 comes through");
    assert.match(fromFile.stderr, /answered 503: upstream down/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const fallback = await run(["summary", "--edge", edge.url], {
    DROVER_OPERATOR_TOKEN: "",
    DROVER_TOKEN: TOKEN,
  });
  assert.equal(fallback.code, 75);
  const env = await run(["summary"], { DROVER_EDGE: edge.url, DROVER_TOKEN: "wrong-token-456" });
  assert.equal(env.code, 75, "DROVER_OPERATOR_TOKEN wins over DROVER_TOKEN");

  const notJson = await run(["devices", "--edge", edge.url]);
  assert.equal(notJson.code, 1);
  assert.match(notJson.stderr, /with no JSON document/);

  const closed = stubEdge(() => new Response());
  const url = closed.url;
  await closed[Symbol.asyncDispose]();
  const down = await run(["devices", "--json", "--edge", url]);
  assert.equal(down.code, 75);
  const doc = JSON.parse(down.stdout);
  assert.equal(doc.errors[0].code, "E_TRANSIENT");
  assert.match(
    doc.errors[0].message,
    /^Cannot list devices: cannot reach the edge at http:\/\/127\.0\.0\.1:\d+: /,
  );
});
