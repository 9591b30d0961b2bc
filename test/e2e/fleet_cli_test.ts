/**
 * End to end: the operator CLI `dist/drover-fleet.mjs`, under Node and under Deno, against the real
 * edge (`deno task start`, edge/deno.ts) on a fresh DROVER_DATA, whose fleet is made by devices
 * that enrol, check in and report with requests signed by core/fleet, over real HTTP on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { startDenoEdge } from "../edge/deno_child.ts";
import { FleetTestDevice } from "../edge/fleet_device.ts";
import { ROOT, runCommand, type RunResult } from "../harness.ts";
import { ensureBundles } from "./_fleet_repository.ts";
import { createRollout } from "../../core/rollout/mod.ts";

const FLEET_MJS = join(ROOT, "dist/drover-fleet.mjs");
const OPERATOR = "operator-token-e2e";
const ENROLL = "enroll-token-e2e";
const X = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
const Y = "ffee0011223344556677889900aabbccddeeff00";
const RADIO = "acme/radio";

type Runtime = "node" | "deno";

function fleetCli(runtime: Runtime, edge: string) {
  return (args: string[], env: Record<string, string> = {}): Promise<RunResult> => {
    const [cmd, argv] = runtime === "node"
      ? ["node", [FLEET_MJS, ...args]]
      : [Deno.execPath(), ["run", "-A", FLEET_MJS, ...args]];
    return runCommand(cmd, argv, {
      env: { DROVER_EDGE: edge, DROVER_OPERATOR_TOKEN: OPERATOR, DROVER_TOKEN: "", ...env },
    });
  };
}

const ids = (stdout: string) => (JSON.parse(stdout) as { id: string }[]).map((d) => d.id);

Deno.test("drover-fleet against the real edge: lists with filters, one device, accept/reject, summary, errors", async (t) => {
  await ensureBundles();
  const dir = await Deno.makeTempDir({ prefix: "fleet-cli-" });
  const edge = await startDenoEdge(dir, { DROVER_OPERATOR_TOKEN: OPERATOR, DROVER_ENROLL_TOKEN: ENROLL });
  let stopped = false;
  try {
    // a: accepted, runs X, installed fine; b: accepted, runs Y, its health check failed;
    // c: pending (enrolled without the token), runs X
    const [a, b, c] = await Promise.all([0, 1, 2].map(() => FleetTestDevice.create()));
    const sorted = [a!, b!, c!].map((d) => d.id).sort();
    assert.equal(
      (await a!.enroll(edge.url, { token: ENROLL, labels: { site: "lab", ring: "beta" } })).status,
      201,
    );
    assert.equal((await b!.enroll(edge.url, { token: ENROLL, labels: { site: "lab" } })).status, 201);
    assert.equal((await c!.enroll(edge.url, { labels: { site: "home" } })).status, 201);
    const checkIns: [FleetTestDevice, string, Record<string, string>][] = [
      [a!, X, { site: "lab", ring: "beta" }],
      [b!, Y, { site: "lab" }],
      [c!, X, { site: "home" }],
    ];
    for (const [device, commit, labels] of checkIns) {
      const answer = await device.checkIn(edge.url, { apps: [{ name: RADIO, commit }], labels });
      assert.equal(answer.status, 200, JSON.stringify(answer.json));
    }
    assert.equal(
      (await a!.report(edge.url, [{ app: RADIO, commit: X, stage: "health", result: "ok" }])).status,
      200,
    );
    assert.equal(
      (await b!.report(edge.url, [{
        app: RADIO,
        commit: Y,
        stage: "health",
        result: "error",
        errorCode: "E_HEALTH",
      }]))
        .status,
      200,
    );

    for (const runtime of ["node", "deno"] as const) {
      const cli = fleetCli(runtime, edge.url);
      await t.step(`${runtime}: devices with filters, --json as one array`, async () => {
        const all = await cli(["devices", "--json"]);
        assert.equal(all.code, 0, all.stderr);
        assert.deepEqual(ids(all.stdout), sorted);
        assert.deepEqual(
          ids((await cli(["devices", "--commit", X, "--json"])).stdout),
          [a!.id, c!.id].sort(),
        );
        assert.deepEqual(ids((await cli(["devices", "--app", RADIO, "--commit", Y, "--json"])).stdout), [
          b!.id,
        ]);
        assert.deepEqual(ids((await cli(["devices", "--state", "pending", "--json"])).stdout), [c!.id]);
        assert.deepEqual(
          ids((await cli(["devices", "--label", "site=lab", "--json"])).stdout),
          [a!.id, b!.id].sort(),
        );
        assert.deepEqual(
          ids((await cli(["devices", "--label", "site=lab", "--label", "ring=beta", "--json"])).stdout),
          [a!.id],
        );
        const page = await cli(["devices", "--limit", "2", "--json"]);
        assert.deepEqual(ids(page.stdout), sorted.slice(0, 2));
        assert.match(
          page.stderr,
          new RegExp(`more follow: --all lists every one, --cursor ${sorted[1]} the next page`),
        );
        // a commit as the APPS column prints it (12 digits) or git's shortest (7); not hex: usage error
        assert.deepEqual(
          ids((await cli(["devices", "--commit", X.slice(0, 12), "--json"])).stdout),
          [
            a!.id,
            c!.id,
          ].sort(),
        );
        assert.deepEqual(ids((await cli(["devices", "--commit", Y.slice(0, 7), "--json"])).stdout), [b!.id]);
        const notHex = await cli(["devices", "--commit", "XYZ"]);
        assert.equal(notHex.code, 2);
        assert.match(
          notHex.stderr,
          /--commit must be a commit or its first 7 or more digits \(lower-case hex\)/,
        );
        const rest = await cli(["devices", "--limit", "2", "--cursor", sorted[1]!, "--json"]);
        assert.deepEqual(ids(rest.stdout), sorted.slice(2));
        assert.equal(rest.stderr, "");
        const every = await cli(["devices", "--all", "--limit", "2", "--json"]);
        assert.deepEqual(ids(every.stdout), sorted);
        assert.equal(every.stderr, "");
        const doc = JSON.parse(every.stdout).find((d: { id: string }) => d.id === b!.id);
        assert.deepEqual(Object.keys(doc).sort(), [
          "apps",
          "deviceType",
          "id",
          "labels",
          "lastInstall",
          "lastSeen",
          "state",
        ]);
        assert.deepEqual(doc.apps, [{ name: RADIO, ref: "main", commit: Y, serial: 1 }]);
        assert.equal(doc.lastInstall.result, "error");
        assert.equal(doc.lastInstall.errorCode, "E_HEALTH");

        const text = await cli(["devices", "--edge", edge.url]);
        assert.equal(text.code, 0, text.stderr);
        const lines = text.stdout.trimEnd().split("\n");
        assert.match(lines[0]!, /^ID +STATE +TYPE +LAST SEEN +APPS +LAST INSTALL +LABELS$/);
        const line = lines.find((l) => l.startsWith(b!.id))!;
        assert.match(
          line,
          new RegExp(
            `^${
              b!.id
            }  accepted  rpi4  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ  acme/radio@ffee00112233  error health acme/radio@ffee00112233 E_HEALTH\\s+site=lab$`,
          ),
        );
      });

      await t.step(`${runtime}: device and summary`, async () => {
        const one = await cli(["device", a!.id, "--json"]);
        assert.equal(one.code, 0, one.stderr);
        const doc = JSON.parse(one.stdout);
        assert.equal(doc.id, a!.id);
        assert.equal(doc.publicKey, a!.identity.publicKey);
        assert.equal(doc.apps[0].commit, X);
        assert.equal(doc.reports.length, 1);
        assert.deepEqual(doc.releases.map((r: { commit: string; ok: number }) => [r.commit, r.ok]), [[X, 1]]);
        const text = await cli(["device", a!.id]);
        assert.match(text.stdout, new RegExp(`^id {11}${a!.id}\nstate {8}accepted\ntype {9}rpi4\n`));
        assert.match(text.stdout, /\nlabels {7}ring=beta,site=lab\n/);
        assert.match(text.stdout, new RegExp(`\nlast install ok at health: acme/radio@${X} \\(`));
        const missing = await cli(["device", `d_${"0".repeat(32)}`]);
        assert.equal(missing.code, 1);
        assert.match(
          missing.stderr,
          /the edge answered 404 E_NOT_FOUND: Cannot find device d_0+: not enrolled/,
        );

        const summary = await cli(["summary", "--json"]);
        assert.equal(summary.code, 0, summary.stderr);
        const s = JSON.parse(summary.stdout);
        assert.deepEqual(s.devices, { total: 3, accepted: 2, pending: 1, rejected: 0 });
        assert.deepEqual(s.lastInstall, { ok: 1, error: 1, rolledBack: 0, none: 1 });
        assert.deepEqual(s.apps, [{
          name: RADIO,
          ref: "main",
          devices: 3,
          commits: [{ commit: X, devices: 2 }, { commit: Y, devices: 1 }],
        }]);
        assert.equal(s.seen.recent, 3);
        const summaryText = await cli(["summary"]);
        assert.match(summaryText.stdout, /^devices {7}3 \(accepted 2, pending 1, rejected 0\)\n/);
        assert.match(summaryText.stdout, /\nlast install {2}ok 1, error 1, rolled back 0, none 1\n/);
        assert.match(
          summaryText.stdout,
          new RegExp(`\nacme/radio  main  ${X}  2\nacme/radio  main  ${Y}  1\n$`),
        );
      });

      await t.step(`${runtime}: reject and accept, visible afterwards`, async () => {
        assert.deepEqual(await cli(["reject", c!.id]), {
          code: 0,
          signal: null,
          stdout: `${c!.id} rejected\n`,
          stderr: "",
        });
        assert.equal(JSON.parse((await cli(["device", c!.id, "--json"])).stdout).state, "rejected");
        assert.deepEqual(ids((await cli(["devices", "--state", "rejected", "--json"])).stdout), [c!.id]);
        assert.equal(JSON.parse((await cli(["summary", "--json"])).stdout).devices.rejected, 1);
        const refused = await c!.checkIn(edge.url, { apps: [{ name: RADIO, commit: X }] });
        assert.equal(refused.status, 403, "a rejected device's check-in is refused");
        const accepted = await cli(["accept", c!.id, "--json"]);
        assert.equal(accepted.code, 0, accepted.stderr);
        assert.equal(JSON.parse(accepted.stdout).state, "accepted");
        assert.deepEqual(ids((await cli(["devices", "--state", "accepted", "--json"])).stdout), sorted);
        assert.equal(JSON.parse((await cli(["summary", "--json"])).stdout).devices.accepted, 3);
        // back to pending for the next runtime's checks
        const db = new DatabaseSync(join(dir, "fleet.sqlite"));
        db.prepare("UPDATE devices SET state = 'pending' WHERE id = ?").run(c!.id);
        db.close();
      });

      await t.step(
        `${runtime}: a wrong token is refused (3), a bad command line is a usage error (2)`,
        async () => {
          const wrong = await cli(["summary"], { DROVER_OPERATOR_TOKEN: "not-the-operator-token" });
          assert.equal(wrong.code, 3);
          assert.match(
            wrong.stderr,
            /^drover-fleet summary: Cannot get fleet summary: the edge answered 403 E_FORBIDDEN: .*wrong bearer token \(check the operator token: --token-file, DROVER_OPERATOR_TOKEN or DROVER_TOKEN\)\n$/,
          );
          const json = await cli(["devices", "--json"], { DROVER_OPERATOR_TOKEN: "not-the-operator-token" });
          assert.equal(json.code, 3);
          assert.deepEqual(
            {
              ...JSON.parse(json.stdout),
              errors: JSON.parse(json.stdout).errors.map((e: { code: string }) => e.code),
            },
            { command: "devices", ok: false, exitCode: 3, errors: ["E_FORBIDDEN"] },
          );
          const tokenFile = join(dir, `token-${runtime}`);
          await Deno.writeTextFile(tokenFile, `${OPERATOR}\n`);
          const fromFile = await cli(["summary", "--json", "--token-file", tokenFile], {
            DROVER_OPERATOR_TOKEN: "",
          });
          assert.equal(fromFile.code, 0, fromFile.stderr);
          const usage = await cli(["devices", "--state", "happy"]);
          assert.equal(usage.code, 2);
          assert.match(
            usage.stderr,
            /--state must be accepted, pending or rejected\nTry 'drover-fleet devices --help'\.\n$/,
          );
        },
      );
    }

    await t.step("rollouts: 52 of one app page like devices; bad flags are usage errors", async () => {
      // as an edge that served 52 releases of acme/radio with a rollout: the two oldest still running
      const db = new DatabaseSync(join(dir, "fleet.sqlite"));
      const insert = db.prepare(
        `INSERT INTO rollouts (id, app, ref, commit_id, serial, rollout, state, cap, reason, watched_since,
          created_at, updated_at) VALUES (?, ?, 'main', ?, ?, ?, ?, NULL, NULL, 0, ?, ?)`,
      );
      const rolloutIds: string[] = [];
      for (let serial = 1; serial <= 52; serial++) {
        const commit = serial.toString(16).padStart(7, "0") + "f".repeat(33);
        const id = `acme:radio:main:${serial}:${commit}`;
        const rollout = createRollout({ id, publishedAt: new Date(1_770_000_000_000), steps: "10,100@24h" });
        const at = 1_770_000_000_000 + serial * 1000;
        insert.run(
          id,
          RADIO,
          commit,
          serial,
          JSON.stringify(rollout),
          serial <= 2 ? "running" : "ended",
          at,
          at,
        );
        rolloutIds.unshift(id);
      }
      db.close();
      for (const runtime of ["node", "deno"] as const) {
        const cli = fleetCli(runtime, edge.url);
        const page = await cli(["rollouts", "--json"]);
        assert.equal(page.code, 0, page.stderr);
        assert.deepEqual(ids(page.stdout), rolloutIds.slice(0, 50));
        assert.equal(
          page.stderr,
          `drover-fleet rollouts: 50 listed, more follow: --all lists every one, --cursor ${
            rolloutIds[49]
          } the next page\n`,
        );
        const rest = await cli(["rollouts", "--cursor", rolloutIds[49]!, "--json"]);
        assert.deepEqual([ids(rest.stdout), rest.stderr], [rolloutIds.slice(50), ""]);
        const all = await cli(["rollouts", "--all", "--limit", "20"]);
        assert.equal(all.code, 0, all.stderr);
        assert.equal(all.stdout.trimEnd().split("\n").length, 53, "a header and 52 rows");
        assert.equal(all.stderr, "");
        assert.deepEqual(
          ids((await cli(["rollouts", "--state", "running", "--json"])).stdout),
          rolloutIds.slice(50),
        );
        for (const args of [["--state", "bogus"], ["--app", "bad name"], ["--cursor", "../x"]]) {
          const usage = await cli(["rollouts", ...args]);
          assert.equal(usage.code, 2, `${runtime} ${args.join(" ")}: ${usage.stderr}`);
          assert.match(usage.stderr, /must be/);
        }
      }
    });

    await t.step(
      "a hostile label cannot reach the terminal: control characters are escaped in text",
      async () => {
        // The edge refuses control characters in labels; written into the database behind its back,
        // as a broken or older edge might have stored them.
        const db = new DatabaseSync(join(dir, "fleet.sqlite"));
        db.prepare("UPDATE device_labels SET value = ? WHERE device_id = ? AND key = 'site'").run(
          "\x1b[2J\x1b]0;pwned\x07\u202elab",
          a!.id,
        );
        db.close();
        for (const runtime of ["node", "deno"] as const) {
          const cli = fleetCli(runtime, edge.url);
          for (const args of [["devices"], ["device", a!.id]]) {
            const text = await cli(args);
            assert.equal(text.code, 0, text.stderr);
            // deno-lint-ignore no-control-regex
            assert.doesNotMatch(text.stdout, /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]/, `${runtime} ${args[0]}`);
            assert.ok(text.stdout.includes("site=\\x1b[2J\\x1b]0;pwned\\x07\\u{202e}lab"), text.stdout);
          }
          const json = await cli(["device", a!.id, "--json"]);
          assert.equal(
            JSON.parse(json.stdout).labels.site,
            "\x1b[2J\x1b]0;pwned\x07\u202elab",
            "JSON keeps the data",
          );
        }
      },
    );

    await edge.stop();
    stopped = true;
    await t.step("an edge that is down: exit 75 (try later) with a clear message", async () => {
      for (const runtime of ["node", "deno"] as const) {
        const down = await fleetCli(runtime, edge.url)(["devices"]);
        assert.equal(down.code, 75, `${runtime}: ${down.stderr}`);
        assert.match(
          down.stderr,
          /^drover-fleet devices: Cannot list devices: cannot reach the edge at http:\/\/127\.0\.0\.1:\d+: /,
        );
        const json = await fleetCli(runtime, edge.url)(["summary", "--json"]);
        assert.equal(json.code, 75);
        assert.equal(JSON.parse(json.stdout).errors[0].code, "E_TRANSIENT");
      }
    });
  } finally {
    if (!stopped) await edge.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
