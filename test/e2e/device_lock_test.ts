import assert from "node:assert/strict";
import { join } from "node:path";
import { serveStatic } from "./static_server.ts";
import { DeviceFixture, drover, jsonOf } from "./device_fixture.ts";

function procStart(pid: number): string {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]!;
}

Deno.test("two drover update at once: the second exits 75 (or waits with --wait), no corruption", async () => {
  await using fx = await DeviceFixture.create();
  await fx.installApp("radio", { name: "acme/radio", ref: "main", commit: "0000000" });
  await fx.publish("acme/radio", "main", "aaaaaaa1", { VERSION: "1\n" });
  let arrived!: () => void;
  const downloading = new Promise<void>((r) => (arrived = r));
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  await using server = serveStatic(fx.repo, {
    intercept: async (_req, path) => {
      if (!path.startsWith("/targets/")) return undefined;
      arrived();
      await gate; // the first run holds the lock while it downloads
      return undefined;
    },
  });
  const api = ["--api", server.url.href];
  const first = drover(["update", ...fx.args(), ...api]);
  await downloading;
  const busy = await drover(["update", ...fx.args(), ...api, "--json"]);
  const waiting = drover(["update", ...fx.args(), ...api, "--wait", "60"]);
  release();
  const [a, c] = await Promise.all([first, waiting]);
  assert.equal(busy.code, 75, busy.stderr);
  assert.equal(jsonOf(busy).errors[0].code, "E_TRANSIENT");
  assert.match(jsonOf(busy).errors[0].message, /held by pid \d+/);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(c.code, 0, c.stderr);
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");
  const releases = [...Deno.readDirSync(join(fx.target, "radio/releases"))].map((e) => e.name).sort();
  assert.deepEqual(releases, ["0", "1-aaaaaaa1"], "one install, no leftovers");
  assert.equal(await fx.link("radio", "previous"), "releases/0");
  await assert.rejects(Deno.stat(join(fx.ws, "lock")), Deno.errors.NotFound);
});

Deno.test("a lock left by a dead process (or a reused pid) is taken over; a live one is not", async () => {
  await using fx = await DeviceFixture.create();
  await fx.installApp("radio", { name: "acme/radio", ref: "main", commit: "0000000" });
  await fx.publish("acme/radio", "main", "aaaaaaa1", { VERSION: "1\n" });
  const lock = join(fx.ws, "lock");
  const host = Deno.hostname();
  const write = (pid: number, start: string | null) =>
    Deno.writeTextFile(lock, JSON.stringify({ pid, start, host, at: "2026-01-01T00:00:00.000Z" }));

  // live: this test process
  await write(Deno.pid, procStart(Deno.pid));
  const live = await drover(["check", ...fx.args(), "--api", fx.fileApi()]);
  assert.equal(live.code, 75, live.stderr);
  assert.match(live.stderr, new RegExp(`held by pid ${Deno.pid}`));

  // reused pid: alive, but a different start time
  await write(Deno.pid, "1");
  const reused = await drover(["check", ...fx.args(), "--api", fx.fileApi()]);
  assert.equal(reused.code, 0, reused.stderr);

  // dead pid
  const child = new Deno.Command("true").spawn();
  const deadPid = child.pid;
  await child.status;
  await write(deadPid, "12345");
  const dead = await drover(["install", ...fx.args()]);
  assert.equal(dead.code, 0, dead.stderr);
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");
  await assert.rejects(Deno.stat(lock), Deno.errors.NotFound);
});
