import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NotFoundError } from "../../core/errors.ts";
import { readApp, scanApps } from "./scan_apps.ts";

async function app(target: string, dir: string, deploy: unknown, options: { absolute?: boolean } = {}) {
  const rel = join(target, dir, "releases/1");
  await mkdir(rel, { recursive: true });
  await writeFile(join(rel, ".deploy"), typeof deploy === "string" ? deploy : JSON.stringify(deploy));
  await symlink(options.absolute ? rel : "releases/1", join(target, dir, "current"));
}

Deno.test("scanApps() finds apps by relative or absolute current links and reports broken ones", async () => {
  const target = await mkdtemp(join(tmpdir(), "drover-apps-"));
  try {
    await app(target, "a", { name: "acme/a", ref: "main", commit: "ABC1234", extra: 1 });
    await app(target, "b", { name: "b", ref: "v1.0", commit: "def5678" }, { absolute: true });
    await app(target, "c", "not json");
    await app(target, "d", { name: "acme/a", ref: "main", commit: "0000000" });
    await app(target, "e", { name: "acme/e", ref: "../x", commit: "0000000" });
    await mkdir(join(target, "plain/src"), { recursive: true });
    await writeFile(join(target, "file.txt"), "");
    const { apps, problems } = await scanApps(target);
    assert.deepEqual(apps.map((a) => [a.dirName, a.name, a.ref, a.commit, a.current?.id]), [
      ["a", "acme/a", "main", "abc1234", "1"],
      ["b", "b", "v1.0", "def5678", "1"],
    ]);
    assert.equal(apps[0]!.deploy?.extra, 1);
    assert.deepEqual(problems.map((p) => p.dirName), ["c", "d", "e"]);
    assert.match(problems[0]!.message, /broken \.deploy/);
    assert.match(problems[1]!.message, /also installed in/);
    assert.match(problems[2]!.message, /invalid ref/);
    // what is wrong with the target, not the errno text of the call that found out (ENOENT … realpath)
    const missing = join(target, "missing");
    await assert.rejects(
      scanApps(missing),
      (e) =>
        e instanceof NotFoundError &&
        e.message === `Cannot scan target ${missing}: the directory does not exist`,
    );
    await assert.rejects(
      scanApps(join(target, "file.txt")),
      (e) =>
        e instanceof Error &&
        e.message === `Cannot scan target ${join(target, "file.txt")}: it is not a directory`,
    );
  } finally {
    await rm(target, { recursive: true });
  }
});

Deno.test("scanApps() reads a registered app without current, and its registration's ref wins over .deploy", async () => {
  const target = await mkdtemp(join(tmpdir(), "drover-apps-"));
  try {
    const reg = (dir: string, v: unknown) =>
      writeFile(join(target, dir, ".drover-app.json"), JSON.stringify(v));
    await mkdir(join(target, "fresh/releases"), { recursive: true });
    await reg("fresh", { name: "acme/fresh", ref: "main" });
    await app(target, "moved", { name: "acme/moved", ref: "main", commit: "abc1234" });
    await reg("moved", { name: "acme/moved", ref: "beta" });
    await app(target, "clash", { name: "acme/clash", ref: "main", commit: "abc1234" });
    await reg("clash", { name: "acme/other", ref: "main" });
    await mkdir(join(target, "broken"));
    await reg("broken", { name: "../x", ref: "main" });
    const { apps, problems } = await scanApps(target);
    assert.deepEqual(apps.map((a) => [a.dirName, a.name, a.ref, a.commit, a.current?.id ?? null]), [
      ["fresh", "acme/fresh", "main", null, null],
      ["moved", "acme/moved", "beta", "abc1234", "1"],
    ]);
    assert.equal(apps[0]!.deploy, undefined);
    assert.equal(apps[1]!.deploy?.ref, "main");
    assert.deepEqual(problems.map((p) => p.dirName), ["broken", "clash"]);
    assert.match(problems[0]!.message, /broken \.drover-app\.json.*invalid name/);
    assert.match(problems[1]!.message, /names acme\/other but the current release is acme\/clash/);
    assert.equal(await readApp(join(target, "missing")), undefined);
  } finally {
    await rm(target, { recursive: true });
  }
});
