import assert from "node:assert/strict";
import { mkdir, mkdtemp, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readApp, scanApps } from "./scan_apps.ts";
import { recoverApp } from "./recover_app.ts";
import { lockApp } from "./app_lock.ts";
import { TransientError } from "../../core/errors.ts";

/** `<target>/radio` with releases `ids` (acme/radio, main) and the links given (link text). */
async function target(ids: string[], links: { current?: string; previous?: string }, registered = false) {
  const dir = await mkdtemp(join(tmpdir(), "drover-recover-"));
  const app = join(dir, "radio");
  await mkdir(join(app, "releases"), { recursive: true });
  for (const id of ids) {
    await mkdir(join(app, "releases", id));
    const deploy = { name: "acme/radio", ref: "main", commit: `${id.slice(-1).repeat(7)}` };
    await writeFile(join(app, "releases", id, ".deploy"), JSON.stringify(deploy));
  }
  if (links.current) await symlink(links.current, join(app, "current"));
  if (links.previous) await symlink(links.previous, join(app, "previous"));
  if (registered) {
    await writeFile(join(app, ".drover-app.json"), JSON.stringify({ name: "acme/radio", ref: "main" }));
  }
  return { dir, app, [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }) };
}

Deno.test("a current pointing at a missing release: the app is damaged, and recovered to a valid previous", async () => {
  await using t = await target(["1-a", "2-b"], { current: "releases/3-c", previous: "releases/2-b" });
  const { apps, problems } = await scanApps(t.dir);
  assert.deepEqual(problems, []);
  const app = apps[0]!;
  assert.deepEqual([app.name, app.ref, app.commit, app.current, app.previous?.id], [
    "acme/radio",
    "main",
    null,
    undefined,
    "2-b",
  ]);
  assert.deepEqual(app.damaged, {
    link: "releases/3-c",
    message: "'current' -> releases/3-c does not exist",
  });
  const r = await recoverApp(t.app);
  assert.deepEqual(r && [r.name, r.from, r.to, r.commit], ["acme/radio", "releases/3-c", "2-b", "bbbbbbb"]);
  assert.match(r!.message, /does not exist: switched back to the previous release 2-b \(bbbbbbb\)/);
  assert.equal(await readlink(join(t.app, "current")), "releases/2-b");
  await assert.rejects(readlink(join(t.app, "previous")), { code: "ENOENT" });
  assert.equal((await readApp(t.app))?.commit, "bbbbbbb");
  assert.equal(await recoverApp(t.app), undefined, "nothing to do any more");
});

Deno.test("a damaged registered app without a valid previous is recovered to nothing installed", async () => {
  await using t = await target(["1-a"], { current: "releases/3-c", previous: "releases/9-gone" }, true);
  assert.equal((await readApp(t.app))?.damaged?.link, "releases/3-c");
  const r = await recoverApp(t.app);
  assert.deepEqual(r && [r.to, r.commit], [null, null]);
  assert.match(r!.message, /no previous release to go back to: nothing is installed now/);
  const app = await readApp(t.app);
  assert.deepEqual([app?.commit, app?.current, app?.previous, app?.damaged], [
    null,
    undefined,
    undefined,
    undefined,
  ]);
});

Deno.test("a damaged app is only known by its registration or a valid previous in its own releases/", async () => {
  // no registration, no previous: a problem, as before
  await using a = await target(["1-a"], { current: "releases/3-c" });
  const scan = await scanApps(a.dir);
  assert.deepEqual(scan.apps, []);
  assert.match(scan.problems[0]!.message, /'current' -> releases\/3-c does not exist, and no valid previous/);
  // a previous outside the app's releases/ is not gone back to
  await using b = await target([], { current: "releases/3-c" }, true);
  await mkdir(join(b.dir, "elsewhere"));
  await writeFile(
    join(b.dir, "elsewhere/.deploy"),
    JSON.stringify({ name: "acme/radio", ref: "main", commit: "eeeeeee" }),
  );
  await symlink(join(b.dir, "elsewhere"), join(b.app, "previous"));
  assert.equal((await readApp(b.app))?.previous, undefined);
  assert.equal((await recoverApp(b.app))?.to, null);
  assert.equal((await readApp(b.app))?.current, undefined);
  // a previous naming another app is not gone back to either
  await using c = await target(["1-a"], { current: "releases/3-c", previous: "releases/1-a" }, true);
  await writeFile(join(c.app, ".drover-app.json"), JSON.stringify({ name: "acme/other", ref: "main" }));
  assert.equal((await readApp(c.app))?.previous, undefined);
  // a link loop is no missing release: still a problem
  await using d = await target(["1-a"], {}, true);
  await symlink("loop", join(d.app, "current"));
  await symlink("current", join(d.app, "loop"));
  assert.match((await scanApps(d.dir)).problems[0]?.message ?? "", /'current' -> loop cannot be resolved/);
});

Deno.test("recoverApp() takes the app lock: busy, it waits, then exits 75", async () => {
  await using t = await target(["2-b"], { current: "releases/3-c", previous: "releases/2-b" });
  const held = await lockApp(t.app);
  await assert.rejects(recoverApp(t.app), TransientError);
  assert.equal(await readlink(join(t.app, "current")), "releases/3-c");
  setTimeout(() => held.release(), 200);
  assert.equal((await recoverApp(t.app, { waitSeconds: 10 }))?.to, "2-b");
});
