/**
 * The device installs an app release whose signed target lists only sha512 (a repository other
 * than drover-repo's, which always lists sha256): downloaded from its sha512-named file, verified
 * by sha512 while streaming, its blob keyed `sha512-<hex>`; bytes that do not match are refused.
 */
import assert from "node:assert/strict";
import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tempDir } from "../harness.ts";
import { TufFixture } from "../tuf_fixture.ts";
import { droverInProcess } from "./_drover_in_process.ts";
import { makeArchive } from "./device_fixture.ts";

Deno.test("a sha512-only app target is offered, downloaded by its sha512 name and verified by sha512", async () => {
  await using tmp = await tempDir("drover-sha512-");
  const archive = await readFile(await makeArchive(tmp.join("a.tar.gz"), { VERSION: "1\n" }));
  const repo = await TufFixture.create({ metaHashes: ["sha512"] });
  const custom = {
    kind: "app",
    name: "acme/radio",
    ref: "main",
    commit: "aaaaaaa1",
    serial: 1,
    updated: "2026-01-01T00:00:00Z",
  };
  repo.addTarget("apps/acme/radio/main/aaaaaaa1.tar.gz", archive, { hashes: ["sha512"], custom });
  await repo.publish();
  await repo.writeTo(tmp.join("repo"));
  await writeFile(tmp.join("root.json"), repo.trustedRoot);
  const release = tmp.join("target/radio/releases/0");
  await mkdir(release, { recursive: true });
  await writeFile(
    join(release, ".deploy"),
    JSON.stringify({ name: "acme/radio", ref: "main", commit: "0000000" }),
  );
  await symlink("releases/0", tmp.join("target/radio/current"));
  const args = [
    "--target",
    tmp.join("target"),
    "--workspace",
    tmp.join("ws"),
    "--api",
    `file://${tmp.join("repo")}`,
  ];
  const trusted = ["--trusted-root", tmp.join("root.json")];

  // a file with other bytes under the sha512 name: refused, nothing installed
  const name = [...repo.files.keys()].find((p) => p.startsWith("targets/apps/"))!;
  assert.match(name, /^targets\/apps\/acme\/radio\/main\/[0-9a-f]{128}\.aaaaaaa1\.tar\.gz$/);
  await writeFile(tmp.join("repo", name), archive.map((b, i) => (i === archive.length - 9 ? b ^ 1 : b)));
  const bad = await droverInProcess("check", ...args, ...trusted);
  assert.equal(bad.code, 3, bad.stderr);
  assert.match(bad.stderr, /sha512 mismatch/);

  await writeFile(tmp.join("repo", name), archive);
  const check = await droverInProcess("check", ...args, ...trusted);
  assert.equal(check.code, 0, check.stderr);
  assert.deepEqual(
    (await readdir(tmp.join("ws/downloads"))).filter((f) => f.endsWith(".blob")),
    [`${name.split("/").pop()!.slice(0, 128).replace(/^/, "sha512-")}.blob`],
  );
  const update = await droverInProcess("update", ...args, ...trusted);
  assert.equal(update.code, 0, update.stderr);
  const deploy = JSON.parse(await readFile(tmp.join("target/radio/current/.deploy"), "utf8"));
  assert.equal(deploy.commit, "aaaaaaa1");
});
