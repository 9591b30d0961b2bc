/**
 * End to end: delegated targets. The organisation delegates `apps/acme/*\/*\/*` to role `acme` with
 * `repo delegate`; the team publishes with `repo add-app --role acme` and a keys directory holding
 * only its role key and the online snapshot and timestamp keys; `drover update` (the bundle, under
 * Deno) installs the team's release; tuf-js (a standard TUF client) resolves and downloads it.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { Updater } from "tuf-js";
import { DeviceFixture, drover, jsonOf, makeArchive } from "./device_fixture.ts";
import { serveStatic } from "./static_server.ts";
import { DROVER_REPO_MJS, runCommand } from "../harness.ts";

const PATHS = "apps/acme/*/*/*";

Deno.test("a team's release, signed into its delegated role with its own key, is installed by drover update and read by tuf-js", async () => {
  await using fx = await DeviceFixture.create();
  await using server = serveStatic(fx.repo);
  const delegated = JSON.parse(
    await fx.repoCli([
      "delegate",
      "--repo",
      fx.repo,
      "--keys",
      fx.keys,
      "--name",
      "acme",
      "--paths",
      PATHS,
      "--generate",
      "--json",
    ]),
  );
  assert.deepEqual(delegated.delegatedVersions, { acme: 1 });
  assert.equal(delegated.versions.targets, 2);
  assert.equal((await Deno.stat(join(fx.keys, "acme.json"))).mode! & 0o777, 0o600);

  // the team's keys: its role key and the online keys, no root or targets key
  const team = join(fx.dir, "team-keys");
  await Deno.mkdir(team);
  for (const file of ["acme.json", "snapshot.json", "timestamp.json"]) {
    await Deno.copyFile(join(fx.keys, file), join(team, file));
  }
  const archive = await makeArchive(join(fx.dir, "radio.tar.gz"), { "VERSION": "1\n" });
  const added = JSON.parse(
    await fx.repoCli([
      "add-app",
      "--repo",
      fx.repo,
      "--keys",
      team,
      "--role",
      "acme",
      "--name",
      "acme/radio",
      "--ref",
      "main",
      "--commit",
      "aaaaaaa1",
      "--file",
      archive,
      "--no-chunks",
      "--json",
    ]),
  );
  assert.deepEqual(added.delegatedVersions, { acme: 2 });
  assert.equal(added.versions.targets, 2, "top-level targets untouched");

  const outside = await runCommand("node", [
    DROVER_REPO_MJS,
    "add-app",
    "--repo",
    fx.repo,
    "--keys",
    team,
    "--role",
    "acme",
    "--name",
    "other/radio",
    "--ref",
    "main",
    "--commit",
    "aaaaaaa1",
    "--file",
    archive,
    "--no-chunks",
  ]);
  assert.notEqual(outside.code, 0);
  assert.match(outside.stderr, /role 'acme' is delegated apps\/acme/);

  await fx.installApp("radio", { name: "acme/radio", ref: "main", commit: "0000000" });
  const update = await drover(["update", ...fx.args(), "--api", server.url.href, "--json"]);
  assert.equal(update.code, 0, update.stderr);
  assert.equal(jsonOf(update).install.apps[0].action, "installed");
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");
  assert.equal(JSON.parse(await Deno.readTextFile(join(fx.ws, "tuf/acme.json"))).signed.version, 2);
  assert.ok(server.requests.some((r) => r.path === "/tuf/2.acme.json"));

  const client = join(fx.dir, "tufjs");
  await Deno.mkdir(join(client, "targets"), { recursive: true });
  await Deno.copyFile(join(fx.repo, "tuf/1.root.json"), join(client, "root.json"));
  const updater = new Updater({
    metadataDir: client,
    metadataBaseUrl: new URL("tuf", server.url).href,
    targetDir: join(client, "targets"),
    targetBaseUrl: new URL("targets", server.url).href,
  });
  await updater.refresh();
  const info = await updater.getTargetInfo("apps/acme/radio/main/aaaaaaa1.tar.gz");
  assert.ok(info, "tuf-js finds the target in the delegated role");
  const file = await updater.downloadTarget(info, join(client, "targets/radio.tar.gz"));
  assert.equal(createHash("sha256").update(await Deno.readFile(file)).digest("hex"), info.hashes.sha256);
  assert.equal(await updater.getTargetInfo("apps/other/radio/main/aaaaaaa1.tar.gz"), undefined);
});
