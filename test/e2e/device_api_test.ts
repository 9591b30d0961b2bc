/**
 * End to end (in process, a real repository served on 127.0.0.1): what `--api` accepts, and what a mistyped
 * one gives. A URL or directory with no repository is a failure naming what was tried (exit 1), a value
 * that is neither a URL nor an existing directory a usage error (exit 2); neither is a trust refusal (3).
 */
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { setAbilities } from "../../core/abilities.ts";
import { nodeAbilities } from "../../core/node.ts";
import { runRepo } from "../../scripts/repo/main.ts";
import { serveDir, tempDir } from "../harness.ts";
import { droverInProcess as drover } from "./_drover_in_process.ts";

setAbilities(nodeAbilities);

Deno.test("drover check names the URL or path --api tried, and exits 1 (no repository) or 2 (not a URL)", async () => {
  await using tmp = await tempDir("drover-api-");
  const repo = tmp.join("repo");
  const code = await runRepo(["init", "--repo", repo, "--keys", tmp.join("keys")], {
    stdout: () => {},
    stderr: () => {},
    env: {},
  });
  assert.equal(code, 0);
  await mkdir(tmp.join("target"));
  await using server = serveDir(repo);
  const port = new URL(server.url).port;
  const check = (api: string, ...more: string[]) =>
    drover(
      "check",
      "--api",
      api,
      "--target",
      tmp.join("target"),
      "--workspace",
      tmp.join("ws"),
      "--trusted-root",
      join(repo, "tuf", "1.root.json"),
      "--retries",
      "0",
      ...more,
    );

  const wrong = await check(`${server.url}/wrong`);
  assert.equal(wrong.code, 1, wrong.stderr);
  assert.match(
    wrong.stderr,
    new RegExp(
      `Cannot refresh trust from http://127\\.0\\.0\\.1:${port}/wrong/: tuf/timestamp\\.json not found`,
    ),
  );
  const json = await check(`${server.url}/wrong`, "--json");
  assert.equal(json.code, 1);
  assert.equal(json.json().errors[0].code, "E_NOT_FOUND");

  const noScheme = await check(`127.0.0.1:${port}`);
  assert.equal(noScheme.code, 2, noScheme.stderr);
  assert.match(
    noScheme.stderr,
    new RegExp(`nor an existing directory; did you mean http://127\\.0\\.0\\.1:${port}\\?`),
  );

  const missingDir = await check(tmp.join("nonexistent"));
  assert.equal(missingDir.code, 2, missingDir.stderr);
  assert.match(missingDir.stderr, /--api '.*nonexistent' is neither a URL .* nor an existing directory/);

  const missingFileUrl = await check(`file://${tmp.join("nonexistent")}`);
  assert.equal(missingFileUrl.code, 1, missingFileUrl.stderr);
  assert.ok(
    missingFileUrl.stderr.includes(
      `Cannot refresh trust from ${tmp.join("nonexistent")}/: tuf/timestamp.json`,
    ),
    missingFileUrl.stderr,
  );
  const emptyDir = await check(tmp.join("target"));
  assert.equal(emptyDir.code, 1, emptyDir.stderr);
  assert.ok(emptyDir.stderr.includes(`from ${tmp.join("target")}/:`), emptyDir.stderr);

  for (const api of [server.url, repo, `file://${repo}`]) {
    const ok = await check(api);
    assert.equal(ok.code, 0, `${api}: ${ok.stderr}`);
  }
  const help = await drover("check", "--help");
  assert.match(help.stdout, /--api URL\|DIR .*\n.*path of a directory/);
});

Deno.test("drover image get names the URL --api tried when no repository is there (exit 1)", async () => {
  await using tmp = await tempDir("drover-api-image-");
  await using server = serveDir(tmp.path);
  const r = await drover(
    "image",
    "get",
    "rpi4",
    "--api",
    `${server.url}/wrong`,
    "--cache-dir",
    tmp.join("cache"),
    "--trusted-root",
    tmp.join("root.json"),
  );
  assert.equal(r.code, 3, "no trusted root is still a refusal");
  const repo = tmp.join("repo");
  assert.equal(
    await runRepo(["init", "--repo", repo, "--keys", tmp.join("keys")], {
      stdout: () => {},
      stderr: () => {},
      env: {},
    }),
    0,
  );
  const wrong = await drover(
    "image",
    "get",
    "rpi4",
    "--api",
    `${server.url}/wrong`,
    "--cache-dir",
    tmp.join("cache"),
    "--trusted-root",
    join(repo, "tuf", "1.root.json"),
    "--retries",
    "0",
  );
  assert.equal(wrong.code, 1, wrong.stderr);
  assert.match(
    wrong.stderr,
    /Cannot refresh trust from http:\/\/127\.0\.0\.1:\d+\/wrong\/: tuf\/timestamp\.json not found/,
  );
  const noScheme = await drover(
    "image",
    "list",
    "rpi4",
    "--api",
    new URL(server.url).host,
    "--cache-dir",
    tmp.path,
  );
  assert.equal(noScheme.code, 2, noScheme.stderr);
  assert.match(noScheme.stderr, /did you mean http:\/\/127\.0\.0\.1:\d+\?/);
});
