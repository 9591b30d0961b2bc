import assert from "node:assert/strict";
import { join } from "node:path";
import { runRepo } from "./main.ts";

async function run(...argv: string[]) {
  let stdout = "", stderr = "";
  const code = await runRepo(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} });
  return { code, stdout, stderr };
}

async function* walkFiles(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) yield* walkFiles(join(dir, e.name));
    else yield join(dir, e.name);
  }
}

const timestampVersion = async (dir: string) =>
  JSON.parse(await Deno.readTextFile(join(dir, "tuf/timestamp.json"))).signed.version as number;

Deno.test("repo add-app run again as it was (a CI retry) is a no-op; another --rollout or none is refused", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "drover-add-app-again-" });
  try {
    const dir = join(tmp, "repo"), keys = join(tmp, "keys"), file = join(tmp, "radio.tar");
    assert.equal((await run("init", "--repo", dir, "--keys", keys)).code, 0);
    await Deno.writeFile(file, new Uint8Array(1024)); // an empty tar
    const addApp = (...extra: string[]) =>
      run(
        ...["add-app", "--repo", dir, "--keys", keys, "--file", file],
        ...["--name", "acme/radio", "--ref", "main", "--commit", "0123abc", ...extra],
      );
    const first = await addApp("--rollout", "5,100@24h", "--json");
    assert.equal(first.code, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).alreadyPublished, false);
    const rolloutId = JSON.parse(first.stdout).rollout.id;
    const version = await timestampVersion(dir);
    const files = [...Deno.readDirSync(join(dir, "tuf"))].length;

    const again = await addApp("--rollout", "5,100@24h");
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stdout,
      /^apps\/acme\/radio\/main\/0123abc\.tar serial 1: already published \(.*\); nothing changed\n$/,
    );
    const json = await addApp("--rollout", "5,100@24h", "--json");
    const doc = JSON.parse(json.stdout);
    assert.equal(doc.alreadyPublished, true);
    assert.equal(doc.rollout.id, rolloutId, "the rollout the edge may hold is the one still signed");
    assert.equal(await timestampVersion(dir), version, "no new metadata version");
    assert.equal([...Deno.readDirSync(join(dir, "tuf"))].length, files);

    // another rollout (or none) for the same commit would be a new rollout id the edge never halted
    for (const extra of [["--rollout", "100"], [], ["--rollout", "5,100@24h", "--halt-after", "50"]]) {
      const other = await addApp(...extra, "--json");
      assert.equal(other.code, 1, other.stdout);
      const error = JSON.parse(other.stdout).errors[0];
      assert.equal(error.code, "E_ALREADY_PUBLISHED");
      assert.match(
        error.message,
        /acme\/radio main 0123abc is already published \(serial 1,.*with other options/,
      );
      assert.match(error.message, new RegExp(`drover-fleet resume ${rolloutId}`));
    }
    assert.equal(await timestampVersion(dir), version, "nothing published by the refusals");

    // once a newer commit is out, the older one added again is a deliberate promotion: published
    const newer = await run(
      ...["add-app", "--repo", dir, "--keys", keys, "--file", file],
      ...["--name", "acme/radio", "--ref", "main", "--commit", "4567def", "--json"],
    );
    assert.equal(newer.code, 0, newer.stderr);
    const back = await addApp("--rollout", "5,100@24h", "--json");
    assert.equal(back.code, 0, back.stderr);
    const promoted = JSON.parse(back.stdout);
    assert.equal(promoted.alreadyPublished, false);
    assert.notEqual(promoted.rollout.id, rolloutId, "a new serial, a new rollout");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("repo add-app of the ref's newest commit with other bytes (a rebuild) is refused, an older one published", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "drover-add-app-rebuild-" });
  try {
    const dir = join(tmp, "repo"), keys = join(tmp, "keys");
    const first = join(tmp, "first.tar"), rebuild = join(tmp, "rebuild.tar");
    assert.equal((await run("init", "--repo", dir, "--keys", keys)).code, 0);
    await Deno.writeFile(first, new Uint8Array(1024)); // an empty tar
    await Deno.writeFile(rebuild, new Uint8Array(2048)); // another empty tar: same commit, other bytes
    const sha = async (file: string) =>
      Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", await Deno.readFile(file))))
        .map((b) => b.toString(16).padStart(2, "0")).join("");
    const addApp = (file: string, commit: string, ...extra: string[]) =>
      run(
        ...["add-app", "--repo", dir, "--keys", keys, "--file", file],
        ...["--name", "acme/radio", "--ref", "main", "--commit", commit, ...extra],
      );
    const published = await addApp(first, "0123abc", "--rollout", "5,100@24h", "--json");
    assert.equal(published.code, 0, published.stderr);
    const rolloutId = JSON.parse(published.stdout).rollout.id;
    const version = await timestampVersion(dir);
    const targetFiles = async () => (await Array.fromAsync(walkFiles(join(dir, "targets")))).sort();
    const before = await targetFiles();

    // the same options or others, with other bytes: a new serial would be a rollout the edge never held
    for (const extra of [["--rollout", "5,100@24h"], []]) {
      const other = await addApp(rebuild, "0123abc", ...extra, "--json");
      assert.equal(other.code, 1, other.stdout);
      const error = JSON.parse(other.stdout).errors[0];
      assert.equal(error.code, "E_ALREADY_PUBLISHED");
      assert.match(
        error.message,
        /^Cannot add app: acme\/radio main 0123abc is already published \(serial 1,.*\) with other bytes/,
      );
      assert.ok(error.message.includes(`sha256 ${(await sha(first)).slice(0, 12)}`), error.message);
      assert.ok(error.message.includes(`sha256 ${(await sha(rebuild)).slice(0, 12)}`), error.message);
      assert.match(error.message, /publish the rebuild as a new commit/);
      assert.match(error.message, new RegExp(`drover-fleet resume ${rolloutId}`));
    }
    const text = await addApp(rebuild, "0123abc", "--rollout", "5,100@24h");
    assert.equal(text.code, 1);
    assert.match(
      text.stderr,
      /Cannot add app: acme\/radio main 0123abc is already published .* with other bytes/,
    );
    assert.equal(await timestampVersion(dir), version, "nothing published by the refusals");
    assert.deepEqual(await targetFiles(), before, "the rebuild's archive is not left in targets/");

    // without a rollout, no resume to suggest
    const plain = await addApp(first, "89abcde", "--json");
    assert.equal(plain.code, 0, plain.stderr);
    const noRollout = await addApp(rebuild, "89abcde", "--json");
    assert.equal(noRollout.code, 1, noRollout.stdout);
    const message = JSON.parse(noRollout.stdout).errors[0].message as string;
    assert.match(message, /with other bytes.*publish the rebuild as a new commit$/);

    // an older commit of the ref with other bytes is a deliberate promotion: published
    const back = await addApp(rebuild, "0123abc", "--json");
    assert.equal(back.code, 0, back.stderr);
    const promoted = JSON.parse(back.stdout);
    assert.equal(promoted.alreadyPublished, false);
    assert.equal(promoted.target.custom.serial, 3);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("repo add-app --commit that is not hex echoes it as typed (exit 2)", async () => {
  const r = await run(
    ...["add-app", "--repo", "/nonexistent", "--keys", "/nonexistent", "--file", "/nonexistent"],
    ...["--name", "acme/radio", "--ref", "main", "--commit", "XYZ1234"],
  );
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--commit 'XYZ1234' is not 7 to 64 hex digits/);
});
