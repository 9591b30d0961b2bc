import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packTar } from "modern-tar";
import { IntegrityError, TransientError } from "../../core/errors.ts";
import { installRelease, releaseIdFor } from "./install_release.ts";
import { lockApp } from "./app_lock.ts";

async function fixture(entries: Parameters<typeof packTar>[0]) {
  const dir = await mkdtemp(join(tmpdir(), "drover-install-"));
  const app = join(dir, "app");
  await mkdir(join(app, "releases/0"), { recursive: true });
  await writeFile(
    join(app, "releases/0/.deploy"),
    JSON.stringify({ name: "a/b", ref: "main", commit: "0000000" }),
  );
  await symlink("releases/0", join(app, "current"));
  const tar = await packTar(entries);
  const blob = join(dir, "blob");
  await writeFile(blob, tar);
  const sha256 = createHash("sha256").update(tar).digest("hex");
  return { dir, app, blob, expected: { length: tar.length, sha256 } };
}

const deploy = { name: "a/b", ref: "main", commit: "ABCDEF1234567890", serial: 3, sha256: "" };

Deno.test("installRelease() extracts, writes .deploy, and switches current and previous", async () => {
  const fx = await fixture([{
    header: { name: "run.sh", size: 3, type: "file", mode: 0o755 },
    body: "ok\n",
  }]);
  try {
    const r = await installRelease(fx.app, fx.blob, {
      deploy: { ...deploy, sha256: fx.expected.sha256 },
      expected: fx.expected,
    });
    assert.deepEqual(r, { status: "installed", release: "3-abcdef123456", previous: "0" });
    assert.equal(await readlink(join(fx.app, "current")), "releases/3-abcdef123456");
    assert.equal(await readlink(join(fx.app, "previous")), "releases/0");
    assert.equal(await readFile(join(fx.app, "current/run.sh"), "utf8"), "ok\n");
    const d = JSON.parse(await readFile(join(fx.app, "current/.deploy"), "utf8"));
    assert.equal(d.commit, "abcdef1234567890");
    assert.equal(d.serial, 3);
    assert.ok(Date.parse(d.installedAt) > 0);
    assert.deepEqual((await readdir(join(fx.app, "releases"))).sort(), ["0", "3-abcdef123456"]);
  } finally {
    await rm(fx.dir, { recursive: true });
  }
});

Deno.test("installRelease() refuses a blob that does not match: nothing switched, no staging left", async () => {
  const fx = await fixture([{ header: { name: "x", size: 1, type: "file" }, body: "x" }]);
  try {
    await assert.rejects(
      installRelease(fx.app, fx.blob, { deploy, expected: { ...fx.expected, sha256: "0".repeat(64) } }),
      IntegrityError,
    );
    assert.equal(await readlink(join(fx.app, "current")), "releases/0");
    await assert.rejects(lstat(join(fx.app, "previous")), { code: "ENOENT" });
    assert.deepEqual(await readdir(join(fx.app, "releases")), ["0"]);
  } finally {
    await rm(fx.dir, { recursive: true });
  }
});

Deno.test("installRelease() replaces an archive's own .deploy symlink instead of writing through it", async () => {
  const fx = await fixture([{ header: { name: ".deploy", type: "symlink", linkname: "victim", size: 0 } }]);
  try {
    await writeFile(join(fx.dir, "app/releases/victim"), "keep");
    await installRelease(fx.app, fx.blob, { deploy, expected: fx.expected });
    assert.equal((await lstat(join(fx.app, "current/.deploy"))).isFile(), true);
    assert.equal(await readFile(join(fx.dir, "app/releases/victim"), "utf8"), "keep");
  } finally {
    await rm(fx.dir, { recursive: true });
  }
});

Deno.test("installRelease() removes staging leftovers and reuses a complete release of an interrupted run", async () => {
  const fx = await fixture([{ header: { name: "x", size: 1, type: "file" }, body: "x" }]);
  try {
    const full = { ...deploy, sha256: fx.expected.sha256 };
    const id = releaseIdFor(full);
    await mkdir(join(fx.app, "releases/.staging-3-abc-dead"), { recursive: true });
    await symlink("releases/0", join(fx.app, ".current.tmp-1-dead"));
    // a crash after rename, before the switch: the release is complete but not current
    await mkdir(join(fx.app, "releases", id));
    await writeFile(
      join(fx.app, "releases", id, ".deploy"),
      JSON.stringify({ ...full, commit: "abcdef1234567890" }),
    );
    await writeFile(join(fx.app, "releases", id, "marker"), "from the first run");
    const r = await installRelease(fx.app, fx.blob, { deploy: full, expected: fx.expected });
    assert.equal(r.release, id);
    assert.equal(await readFile(join(fx.app, "current/marker"), "utf8"), "from the first run");
    assert.deepEqual((await readdir(join(fx.app, "releases"))).sort(), ["0", id]);
    assert.deepEqual((await readdir(fx.app)).sort(), ["current", "previous", "releases"]);
  } finally {
    await rm(fx.dir, { recursive: true });
  }
});

Deno.test("installRelease() holds the app lock from staging through the health check; busy: exit 75, nothing done", async () => {
  const fx = await fixture([{ header: { name: "x", size: 1, type: "file" }, body: "x" }]);
  try {
    const held = await lockApp(fx.app);
    const options = { deploy, expected: fx.expected, lockWaitSeconds: 0 };
    await assert.rejects(installRelease(fx.app, fx.blob, options), TransientError);
    assert.deepEqual(await readdir(join(fx.app, "releases")), ["0"]);
    await held.release();
    // the health check runs in releases/<id>: the app's lock is held by the install meanwhile
    const r = await installRelease(fx.app, fx.blob, { ...options, healthCmd: "test -f ../../.drover-lock" });
    assert.equal(r.status, "installed", r.healthError);
    await assert.rejects(lstat(join(fx.app, ".drover-lock")), { code: "ENOENT" }, "released after");
  } finally {
    await rm(fx.dir, { recursive: true });
  }
});

Deno.test("installRelease() never moves a current pointing at a missing release to previous", async () => {
  const fx = await fixture([{ header: { name: "x", size: 1, type: "file" }, body: "x" }]);
  try {
    await rm(join(fx.app, "current"));
    await symlink("releases/9-gone", join(fx.app, "current"));
    await symlink("releases/0", join(fx.app, "previous"));
    const r = await installRelease(fx.app, fx.blob, { deploy, expected: fx.expected });
    assert.deepEqual([r.status, r.previous], ["installed", undefined]);
    assert.equal(await readlink(join(fx.app, "current")), `releases/${r.release}`);
    assert.equal(await readlink(join(fx.app, "previous")), "releases/0");
    // a failed health check goes back to nothing current, the valid previous kept
    const again = await installRelease(fx.app, fx.blob, {
      deploy: { ...deploy, serial: 4 },
      expected: fx.expected,
      healthCmd: "exit 1",
    });
    assert.equal(again.status, "health-failed");
    assert.equal(await readlink(join(fx.app, "current")), `releases/${r.release}`);
    assert.equal(await readlink(join(fx.app, "previous")), "releases/0");
  } finally {
    await rm(fx.dir, { recursive: true });
  }
});

Deno.test("releaseIdFor() uses the serial, else the updated time, with the first 12 commit digits", () => {
  assert.equal(
    releaseIdFor({ name: "a/b", ref: "m", commit: "0123456789abcdef", serial: 7 }),
    "7-0123456789ab",
  );
  assert.equal(
    releaseIdFor({ name: "a/b", ref: "m", commit: "abc1234", updated: "2014-10-29T19:30:54.095Z" }),
    "20141029T193054Z-abc1234",
  );
});
