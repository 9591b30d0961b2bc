import assert from "node:assert/strict";
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { packTar } from "modern-tar";
import { runRepo } from "./main.ts";

type Result = { code: number; stdout: string; stderr: string };

async function run(
  argv: string[],
  options: { onStderr?: (text: string) => void; signal?: AbortSignal } = {},
) {
  let stdout = "", stderr = "";
  const code = await runRepo(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => {
      stderr += t;
      options.onStderr?.(t);
    },
    env: {},
    signal: options.signal,
  });
  return { code, stdout, stderr } as Result;
}

/** Every file under `dir` with its bytes (base64), to compare a repository before and after. */
async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    out[path.slice(dir.length + 1)] = entry.isFile() ? (await readFile(path)).toString("base64") : "dir";
  }
  return out;
}

/** A repository with device type rpi4, an app archive and an image; keys in `keys`. */
async function withRepo(
  fn: (r: { tmp: string; dir: string; keys: string; archive: string }) => Promise<void>,
) {
  const tmp = await Deno.makeTempDir({ prefix: "drover-add-app-failures-" });
  try {
    const dir = join(tmp, "repo"), keys = join(tmp, "keys"), archive = join(tmp, "radio.tar.gz");
    assert.equal((await run(["init", "--repo", dir, "--keys", keys])).code, 0);
    assert.equal((await run(["add-device-type", "--repo", dir, "--keys", keys, "--slug", "rpi4"])).code, 0);
    const body = new Uint8Array(300_000).map((_, i) => (i * 7919) & 0xff);
    await writeFile(
      archive,
      gzipSync(await packTar([{ header: { name: "app.bin", size: body.length }, body }])),
    );
    await writeFile(join(tmp, "os.img"), body);
    await fn({ tmp, dir, keys, archive });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/** A keys directory holding copies of `files` of `keys`. */
async function keysWith(tmp: string, keys: string, files: string[]): Promise<string> {
  const dir = join(tmp, `keys-${files.join("-")}`);
  await mkdir(dir);
  for (const f of files) await copyFile(join(keys, f), join(dir, f));
  return dir;
}

const app = (name: string, commit: string) => ["--name", name, "--ref", "main", "--commit", commit];

Deno.test("repo add-app without a key it signs with fails before importing: exit 1, E_NOT_FOUND naming the key file", async () => {
  await withRepo(async ({ tmp, dir, keys, archive }) => {
    const before = await tree(dir);
    for (const missing of ["targets", "snapshot", "timestamp"]) {
      const held = ["targets", "snapshot", "timestamp"].filter((r) => r !== missing).map((r) => `${r}.json`);
      const k = await keysWith(tmp, keys, held);
      const res = await run([
        "add-app",
        "--repo",
        dir,
        "--keys",
        k,
        "--file",
        archive,
        ...app("acme/tv", "1111111"),
        "--json",
      ]);
      assert.equal(res.code, 1, res.stdout);
      assert.deepEqual(JSON.parse(res.stdout).errors, [{
        code: "E_NOT_FOUND",
        message: `Cannot add app: no ${missing} key in ${k} (${missing}.json)`,
      }]);
      assert.deepEqual(await tree(dir), before, `without ${missing}.json nothing is written`);
    }
  });
});

Deno.test("repo add-app --role refuses paths outside the role before importing, naming the archive's target", async () => {
  await withRepo(async ({ tmp, dir, keys, archive }) => {
    const delegate = (name: string, paths: string) =>
      run(["delegate", "--repo", dir, "--keys", keys, "--name", name, "--paths", paths, "--generate"]);
    assert.equal((await delegate("acme", "apps/acme/*/*/*")).code, 0);
    assert.equal((await delegate("tight", "apps/tight/*/*/*.tar.gz")).code, 0);
    const team = await keysWith(tmp, keys, ["acme.json", "tight.json", "snapshot.json", "timestamp.json"]);
    const before = await tree(dir);
    const add = (...extra: string[]) =>
      run(["add-app", "--repo", dir, "--keys", team, "--file", archive, ...extra]);

    const outside = await add("--role", "acme", ...app("other/radio", "5555556"));
    assert.equal(outside.code, 2, outside.stderr);
    assert.equal(
      outside.stderr.split("\n")[0],
      "drover-repo add-app: role 'acme' is delegated apps/acme/*/*/* (target apps/other/radio/main/5555556.tar.gz)",
    );
    const chunked = await add("--role", "tight", ...app("tight/radio", "5555556"));
    assert.equal(chunked.code, 2, chunked.stderr);
    assert.match(
      chunked.stderr,
      /\(the chunked form \(--no-chunks leaves it out\) apps\/tight\/radio\/main\/5555556\.tar\.gz\.cpack\)/,
    );
    const noRoleKey = await add("--role", "other", ...app("acme/radio", "5555556"));
    assert.equal(noRoleKey.code, 1);
    assert.match(noRoleKey.stderr, /Cannot add app: no other key in .* \(other\.json\)/);
    assert.deepEqual(await tree(dir), before, "nothing imported");

    const plain = await add("--role", "tight", ...app("tight/radio", "5555556"), "--no-chunks");
    assert.equal(plain.code, 0, plain.stderr);
  });
});

Deno.test("repo add-app whose signature fails after importing removes what it imported, and only that", async () => {
  await withRepo(async ({ tmp, dir, keys, archive }) => {
    const delegate = [
      "delegate",
      "--repo",
      dir,
      "--keys",
      keys,
      "--name",
      "acme",
      "--paths",
      "apps/acme/*/*/*",
    ];
    assert.equal((await run([...delegate, "--generate", "--threshold", "2"])).code, 0);
    const all = await keysWith(tmp, keys, ["acme.json", "acme.2.json", "snapshot.json", "timestamp.json"]);
    const add = (k: string, commit: string) =>
      run([
        "add-app",
        "--repo",
        dir,
        "--keys",
        k,
        "--role",
        "acme",
        "--file",
        archive,
        ...app("acme/tv", commit),
      ]);
    assert.equal((await add(all, "1111111")).code, 0);
    const before = await tree(dir);
    await rm(join(all, "acme.2.json")); // one of the role's two keys: below its threshold
    const res = await add(all, "1111111"); // the same bytes and options: published already, nothing signed
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /already published/);
    assert.deepEqual(await tree(dir), before, "the published release's files stay");
    const other = await add(all, "2222222");
    assert.equal(other.code, 3, other.stderr);
    assert.deepEqual(await tree(dir), before, "the new commit's chunk index is gone");
  });
});

Deno.test("repo add-app and add-image interrupted (the command's abort signal) leave nothing in targets/", async () => {
  await withRepo(async ({ tmp, dir, keys, archive }) => {
    const before = await tree(dir);
    const interrupted = async (argv: string[]) => {
      const ac = new AbortController();
      const onStderr = (t: string) =>
        t.startsWith("importing") && ac.abort(new Error("Cannot import: interrupted"));
      return await run(argv, { onStderr, signal: ac.signal });
    };
    const added = await interrupted([
      "add-app",
      "--repo",
      dir,
      "--keys",
      keys,
      "--file",
      archive,
      ...app("acme/tv", "1111111"),
    ]);
    assert.equal(added.code, 1);
    assert.match(added.stderr, /interrupted/);
    const image = ["add-image", "--repo", dir, "--keys", keys, "--device-type", "rpi4", "--version", "1.0.0"];
    const imaged = await interrupted([...image, "--file", join(tmp, "os.img")]);
    assert.equal(imaged.code, 1);
    assert.deepEqual(await tree(dir), before);

    assert.equal((await run([...image, "--file", join(tmp, "os.img")])).code, 0);
    const published = await tree(dir);
    await writeFile(join(tmp, "os.img"), "other bytes");
    const clash = await run([...image, "--file", join(tmp, "os.img")]);
    assert.equal(clash.code, 1);
    assert.match(clash.stderr, /already exists with other content/);
    assert.deepEqual(await tree(dir), published, "the refused image's file is removed");
  });
});
