/**
 * The app lock and recovery, end to end: `gc` (with or without a workspace) never races an install or
 * its health check; a `current` pointing at a missing release is recovered by `update` and `rollback`
 * and shown by `status`; a rollback undone leaves only the other commit bad.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DeviceFixture, drover, jsonOf } from "./device_fixture.ts";

const BASE = { name: "acme/radio", ref: "main", commit: "0000000" };

/** radio: current 2-bbbbbbb2, previous 1-aaaaaaa1, and release 0 (the fixture's). */
async function twoUpdates(fx: DeviceFixture): Promise<void> {
  await fx.installApp("radio", BASE);
  for (const [i, commit] of ["aaaaaaa1", "bbbbbbb2"].entries()) {
    await fx.publish("acme/radio", "main", commit, { VERSION: `${i}\n` });
    const r = await drover(["update", ...fx.args(), "--api", fx.fileApi()]);
    assert.equal(r.code, 0, r.stderr);
  }
}

Deno.test("gc without a workspace never prunes what a failing health check switches back to", async () => {
  await using fx = await DeviceFixture.create();
  await fx.installApp("radio", BASE);
  await fx.publish("acme/radio", "main", "aaaaaaa1", { VERSION: "1\n" });
  assert.equal((await drover(["update", ...fx.args(), "--api", fx.fileApi()])).code, 0);
  await fx.publish("acme/radio", "main", "bbbbbbb2", { VERSION: "2\n" });
  const started = join(fx.dir, "started");
  const update = drover([
    "update",
    ...fx.args(),
    "--api",
    fx.fileApi(),
    "--health-cmd",
    `touch ${started}; sleep 3; exit 1`,
  ]);
  while (!(await Deno.stat(started).catch(() => undefined))) await new Promise((r) => setTimeout(r, 50));
  // current -> 2 (being checked), previous -> 1: release 0 is what previous goes back to
  const gc = await drover(["gc", "--target", fx.target, "--keep", "0", "--json"]);
  assert.equal(gc.code, 75, gc.stdout + gc.stderr);
  assert.equal(jsonOf(gc).errors[0].code, "E_TRANSIENT");
  assert.deepEqual(jsonOf(gc).apps[0].removed, []);
  const waiting = drover(["gc", "--target", fx.target, "--keep", "0", "--wait", "30", "--json"]);
  const r = await update;
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /health check failed/);
  const after = await waiting;
  assert.equal(after.code, 0, after.stderr);
  assert.deepEqual(jsonOf(after).apps[0].kept.sort(), ["0", "1-aaaaaaa1"]);
  assert.equal(await fx.link("radio", "current"), "releases/1-aaaaaaa1");
  assert.equal(await fx.link("radio", "previous"), "releases/0");
  const status = await drover(["status", ...fx.args(), "--json"]);
  assert.equal(status.code, 0, status.stderr);
  assert.equal(jsonOf(status).apps[0].previous.commit, "0000000");
});

Deno.test("a current pointing at a missing release: status shows it, update goes back to previous, loudly", async () => {
  await using fx = await DeviceFixture.create();
  await twoUpdates(fx);
  await Deno.remove(join(fx.target, "radio/releases/2-bbbbbbb2"), { recursive: true });
  const status = await drover(["status", ...fx.args(), "--json"]);
  assert.equal(status.code, 1);
  const app = jsonOf(status).apps[0];
  assert.deepEqual([app.name, app.state, app.current, app.previous.release], [
    "acme/radio",
    "damaged",
    null,
    "1-aaaaaaa1",
  ]);
  assert.match(app.damaged.message, /'current' -> releases\/2-bbbbbbb2 does not exist/);
  assert.equal(jsonOf(status).errors[0].code, "E_APP");

  const r = await drover(["update", ...fx.args(), "--api", fx.fileApi(), "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /warning: acme\/radio: 'current' -> releases\/2-bbbbbbb2 does not exist: switched back/,
  );
  const doc = jsonOf(r);
  assert.deepEqual(doc.recovered.map((x: { app: string; to: string }) => [x.app, x.to]), [[
    "acme/radio",
    "1-aaaaaaa1",
  ]]);
  // then the offered release is installed again, over the recovered one
  assert.equal(doc.install.apps[0].action, "installed");
  assert.equal(await fx.link("radio", "current"), "releases/2-bbbbbbb2");
  assert.equal(await fx.link("radio", "previous"), "releases/1-aaaaaaa1");
  const text = await drover(["status", ...fx.args()]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /error: +\S+ 'current' -> releases\/2-bbbbbbb2 does not exist: switched back/);
});

Deno.test("a registered app whose only release is gone is installed again; rollback recovers a damaged app", async () => {
  await using fx = await DeviceFixture.create();
  assert.equal((await drover(["add", "--target", fx.target, "--app", "acme/radio"])).code, 0);
  await fx.publish("acme/radio", "main", "aaaaaaa1", { VERSION: "1\n" });
  assert.equal((await drover(["update", ...fx.args(), "--api", fx.fileApi()])).code, 0);
  await Deno.remove(join(fx.target, "radio/releases/1-aaaaaaa1"), { recursive: true });
  const r = await drover(["update", ...fx.args(), "--api", fx.fileApi(), "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(jsonOf(r).recovered[0].to, null);
  assert.match(r.stderr, /no previous release to go back to: nothing is installed now/);
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");

  // rollback: back to a valid previous, nothing marked bad
  await fx.publish("acme/radio", "main", "bbbbbbb2", { VERSION: "2\n" });
  assert.equal((await drover(["update", ...fx.args(), "--api", fx.fileApi()])).code, 0);
  await Deno.remove(join(fx.target, "radio/releases/2-bbbbbbb2"), { recursive: true });
  const rb = await drover(["rollback", ...fx.args(), "--app", "acme/radio", "--json"]);
  assert.equal(rb.code, 0, rb.stderr);
  assert.deepEqual(jsonOf(rb).to, { release: "1-aaaaaaa1", commit: "aaaaaaa1" });
  assert.equal(jsonOf(rb).markedBad, null);
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");
});

Deno.test("rollback twice (an undo) leaves only the commit rolled back from marked bad", async () => {
  await using fx = await DeviceFixture.create();
  await twoUpdates(fx);
  const first = await drover(["rollback", ...fx.args(), "--app", "acme/radio", "--json"]);
  assert.equal(jsonOf(first).markedBad, "bbbbbbb2");
  const undo = await drover(["rollback", ...fx.args(), "--app", "acme/radio", "--json"]);
  assert.equal(undo.code, 0, undo.stderr);
  assert.equal(jsonOf(undo).markedBad, "aaaaaaa1");
  assert.equal(await fx.currentCommit("radio"), "bbbbbbb2");
  const status = jsonOf(await drover(["status", ...fx.args(), "--json"]));
  assert.deepEqual(status.apps[0].bad, ["aaaaaaa1"], "the release switched to is not bad");
});
