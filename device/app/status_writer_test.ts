import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packTar } from "modern-tar";
import { removeRelease, switchLink } from "../fs/symlink.ts";
import { Workspace } from "../fs/workspace.ts";
import { installRelease } from "./install_release.ts";
import { writeStatus } from "./status_writer.ts";

const NAME = "acme/radio";
const AT = "2026-01-01T00:00:00.000Z";

/** A target with acme/radio at commit 0000000 (release 0), a workspace, and a release archive. */
async function fixture() {
  const dir = await mkdtemp(join(tmpdir(), "drover-status-"));
  const target = join(dir, "target");
  const app = join(target, "radio");
  await mkdir(join(app, "releases/0"), { recursive: true });
  await writeFile(
    join(app, "releases/0/.deploy"),
    JSON.stringify({ name: NAME, ref: "main", commit: "0000000" }),
  );
  await symlink("releases/0", join(app, "current"));
  const ws = new Workspace(join(dir, "ws"));
  await ws.init();
  const tar = await packTar([{ header: { name: "VERSION", size: 2, type: "file" }, body: "1\n" }]);
  const blob = join(dir, "blob");
  await writeFile(blob, tar);
  const sha256 = createHash("sha256").update(tar).digest("hex");
  const install = (commit: string, serial: number, healthCmd?: string) =>
    installRelease(app, blob, {
      deploy: { name: NAME, ref: "main", commit, serial, sha256 },
      expected: { length: tar.length, sha256 },
      healthCmd,
    });
  return {
    target,
    app,
    ws,
    install,
    async [Symbol.asyncDispose]() {
      await rm(dir, { recursive: true });
    },
  };
}

Deno.test("writeStatus() records current and previous as installed on disk, and the pending record", async () => {
  await using fx = await fixture();
  await fx.install("aaaaaaa1", 1);
  await fx.ws.writePending({
    version: 1,
    name: NAME,
    ref: "main",
    commit: "bbbbbbb2",
    dirName: "radio",
    source: "tuf",
    blob: "b".repeat(64),
    sha256: "b".repeat(64),
    origin: "apps/acme/radio/main/bbbbbbb2.tar.gz",
    downloadedAt: AT,
  });
  const status = await writeStatus(fx.ws, {
    target: fx.target,
    run: { kind: "install", at: AT, errors: [] },
    appErrors: new Map([[NAME, null]]),
  });
  assert.deepEqual(status.lastInstall, { at: AT, ok: true });
  assert.deepEqual(status.apps[NAME], {
    ref: "main",
    current: "aaaaaaa1",
    previous: "0000000",
    pending: "bbbbbbb2",
    bad: [],
  });
  assert.deepEqual(await fx.ws.readStatus(), status, "what is returned is what is written");
});

Deno.test("writeStatus() after a rollback: links swapped on disk, the commit rolled back from marked bad", async () => {
  await using fx = await fixture();
  await fx.install("aaaaaaa1", 1);
  await writeStatus(fx.ws, { target: fx.target, run: { kind: "install", at: AT, errors: [] } });
  await switchLink(fx.app, "current", "releases/0");
  await switchLink(fx.app, "previous", "releases/1-aaaaaaa1");
  const status = await writeStatus(fx.ws, { target: fx.target, bad: [{ name: NAME, commit: "aaaaaaa1" }] });
  assert.deepEqual(status.apps[NAME], {
    ref: "main",
    current: "0000000",
    previous: "aaaaaaa1",
    bad: ["aaaaaaa1"],
  });
  assert.deepEqual(status.lastInstall, { at: AT, ok: true }, "runs not named are kept");
  // marking it again does not repeat it; a later write keeps it
  await writeStatus(fx.ws, { target: fx.target, bad: [{ name: NAME, commit: "aaaaaaa1" }] });
  const later = await writeStatus(fx.ws, { target: fx.target, run: { kind: "check", at: AT, errors: [] } });
  assert.deepEqual(later.apps[NAME]?.bad, ["aaaaaaa1"]);
});

Deno.test("writeStatus() after a rollback undone: the commit switched back to is taken off bad", async () => {
  await using fx = await fixture();
  await writeStatus(fx.ws, { target: fx.target, bad: [{ name: NAME, commit: "aaaaaaa1" }] });
  const status = await writeStatus(fx.ws, {
    target: fx.target,
    good: [{ name: NAME, commit: "AAAAAAA1" }],
    bad: [{ name: NAME, commit: "0000000" }],
  });
  assert.deepEqual(status.apps[NAME]?.bad, ["0000000"]);
});

Deno.test("writeStatus() after a failed health check: current as before, the commit bad, the error kept", async () => {
  await using fx = await fixture();
  const result = await fx.install("aaaaaaa1", 1, "exit 3");
  assert.equal(result.status, "health-failed");
  const error = { code: "E_HEALTH", message: `${NAME} aaaaaaa1: ${result.healthError}` };
  const status = await writeStatus(fx.ws, {
    target: fx.target,
    run: { kind: "install", at: AT, errors: [error] },
    appErrors: new Map([[NAME, error]]),
    bad: [{ name: NAME, commit: "aaaaaaa1" }],
  });
  assert.deepEqual(status.lastInstall, { at: AT, ok: false, error });
  assert.deepEqual(status.apps[NAME], {
    ref: "main",
    current: "0000000",
    previous: null,
    bad: ["aaaaaaa1"],
    lastError: { at: AT, ...error },
  });
  // a run that does not name the app keeps its error; one that succeeds for it clears it
  const gc = await writeStatus(fx.ws, { target: fx.target, run: { kind: "gc", at: AT, errors: [] } });
  assert.equal(gc.apps[NAME]?.lastError?.code, "E_HEALTH");
  const ok = await writeStatus(fx.ws, { target: fx.target, appErrors: new Map([[NAME, null]]) });
  assert.equal(ok.apps[NAME]?.lastError, undefined);
  assert.deepEqual(ok.apps[NAME]?.bad, ["aaaaaaa1"]);
});

Deno.test("writeStatus() after an interrupted run: the app's last error stays as it was (none, or the earlier one)", async () => {
  await using fx = await fixture();
  const interrupted = {
    code: "E_INTERRUPTED",
    message: `Cannot install ${NAME} aaaaaaa1: interrupted (SIGTERM)`,
  };
  const run = { kind: "install" as const, at: AT, errors: [interrupted] };
  const none = await writeStatus(fx.ws, {
    target: fx.target,
    run,
    appErrors: new Map([[NAME, interrupted]]),
  });
  assert.deepEqual(
    none.lastInstall,
    { at: AT, ok: false, error: interrupted },
    "the run says it was interrupted",
  );
  assert.equal(none.apps[NAME]?.lastError, undefined, "no error of the app");
  const error = { code: "E_HEALTH", message: `${NAME} aaaaaaa1: exit 3` };
  const failed = { kind: "install" as const, at: AT, errors: [error] };
  await writeStatus(fx.ws, { target: fx.target, run: failed, appErrors: new Map([[NAME, error]]) });
  const kept = await writeStatus(fx.ws, {
    target: fx.target,
    run,
    appErrors: new Map([[NAME, interrupted]]),
  });
  assert.deepEqual(kept.apps[NAME]?.lastError, { at: AT, ...error }, "the earlier error kept");
});

Deno.test("writeStatus() after gc: the removed previous is gone from the record; lost apps keep their entry", async () => {
  await using fx = await fixture();
  await fx.install("aaaaaaa1", 1);
  await writeStatus(fx.ws, { target: fx.target, bad: [] });
  assert.equal((await fx.ws.readStatus()).apps[NAME]?.previous, "0000000");
  await rm(join(fx.app, "previous"));
  await removeRelease(join(fx.app, "releases"), "0");
  const status = await writeStatus(fx.ws, { target: fx.target, run: { kind: "gc", at: AT, errors: [] } });
  assert.deepEqual(status.lastGc, { at: AT, ok: true });
  assert.deepEqual(status.apps[NAME], { ref: "main", current: "aaaaaaa1", previous: null, bad: [] });

  // an app that cannot be scanned (broken, or moved away) keeps what only the workspace knows
  await writeStatus(fx.ws, { target: fx.target, bad: [{ name: NAME, commit: "bbbbbbb2" }] });
  await rm(join(fx.app, "current"));
  await writeFile(join(fx.app, "current"), "not a link");
  const kept = await writeStatus(fx.ws, { target: fx.target, run: { kind: "check", at: AT, errors: [] } });
  assert.deepEqual(kept.apps[NAME]?.bad, ["bbbbbbb2"]);
  assert.equal(kept.apps[NAME]?.current, "aaaaaaa1");
  // no target at all: the run is recorded, the apps stay
  const gone = await writeStatus(fx.ws, {
    target: join(fx.target, "missing"),
    run: { kind: "check", at: AT, errors: [{ code: "E_NOT_FOUND", message: "Cannot scan" }] },
  });
  assert.equal(gone.lastCheck?.ok, false);
  assert.deepEqual(gone.apps[NAME]?.bad, ["bbbbbbb2"]);
});
