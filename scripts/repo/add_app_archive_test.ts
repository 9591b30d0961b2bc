import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { packTar } from "modern-tar";
import { runRepo } from "./main.ts";

async function run(...argv: string[]) {
  let stdout = "", stderr = "";
  const code = await runRepo(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} });
  return { code, stdout, stderr };
}

/** Every file under `dir` with its bytes (base64), to compare a repository before and after. */
async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[path.slice(dir.length + 1)] = (await readFile(path)).toString("base64");
  }
  return out;
}

/**
 * A fresh repository; `add` publishes `bytes` as acme/tv main (chunked form on), as commit 1111111
 * unless told (a commit is published once: the ref's newest again with other bytes is refused).
 */
async function withRepo(
  fn: (r: {
    dir: string;
    add: (bytes: Uint8Array, name: string, commit?: string) => ReturnType<typeof run>;
  }) => Promise<void>,
) {
  const tmp = await Deno.makeTempDir({ prefix: "drover-add-app-archive-" });
  try {
    const dir = join(tmp, "repo"), keys = join(tmp, "keys");
    assert.equal((await run("init", "--repo", dir, "--keys", keys)).code, 0);
    const add = async (bytes: Uint8Array, name: string, commit = "1111111") => {
      const file = join(tmp, name);
      await Deno.writeFile(file, bytes);
      const args = ["--repo", dir, "--keys", keys, "--file", file, "--json"];
      return await run("add-app", ...args, "--name", "acme/tv", "--ref", "main", "--commit", commit);
    };
    await fn({ dir, add });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

const text = (s: string) => new TextEncoder().encode(s);
const deploy = JSON.stringify({ name: "acme/tv", ref: "main", commit: "1111111" });

Deno.test("repo add-app refuses an archive devices cannot read: exit 1, E_ARCHIVE naming the file, nothing published or left in targets/", async () => {
  const good = gzipSync(
    await packTar([{ header: { name: ".deploy", size: deploy.length }, body: deploy }, {
      header: { name: "big.bin", size: 200_000 },
      body: new Uint8Array(200_000).map((_, i) => (i * 7919) & 0xff),
    }]),
  );
  const cases: [string, Uint8Array, RegExp][] = [
    ["bad.tar.gz", text("notgzip\n"), /bad\.tar\.gz is not a readable tar or tar\.gz archive \(.*truncated/],
    ["empty.tar.gz", new Uint8Array(0), /empty\.tar\.gz is empty, not a tar or tar\.gz archive/],
    ["hello.tar.gz", gzipSync(text("hello\n")), /hello\.tar\.gz is not a readable tar or tar\.gz archive/],
    ["one-block.tar", new Uint8Array(512), /one-block\.tar is not a readable tar or tar\.gz archive/],
    ["cut.tar.gz", good.subarray(0, good.length - 100), /cut\.tar\.gz is not a readable tar or tar\.gz/],
    [
      "noise.tar",
      new Uint8Array(64 * 1024).map((_, i) => (i * 31 + 7) & 0xff),
      /noise\.tar is not a readable/,
    ],
  ];
  await withRepo(async ({ dir, add }) => {
    const before = await tree(dir);
    for (const [name, bytes, message] of cases) {
      const res = await add(bytes, name);
      assert.equal(res.code, 1, `${name}: ${res.stdout}`);
      const [error] = JSON.parse(res.stdout).errors;
      assert.equal(error.code, "E_ARCHIVE", name);
      assert.match(error.message, /^Cannot add app: /, name);
      assert.match(error.message, message, name);
      assert.deepEqual(await tree(dir), before, `${name}: the repository is as it was`);
    }
    const published = await add(good, "good.tar.gz");
    assert.equal(published.code, 0, published.stdout);
    assert.equal(JSON.parse(published.stdout).target.custom.serial, 1, "no serial was used up");
  });
});

Deno.test("repo add-app publishes what devices can read: an empty tar, a plain tar; entries devices refuse are a warning", async () => {
  await withRepo(async ({ add }) => {
    const empty = await add(new Uint8Array(1024), "empty.tar", "0000001");
    assert.equal(empty.code, 0, empty.stdout);
    assert.match(JSON.parse(empty.stdout).target.path, /\.tar$/);

    const plain = await add(
      await packTar([{ header: { name: ".deploy", size: deploy.length }, body: deploy }]),
      "p",
    );
    assert.equal(plain.code, 0, plain.stdout);

    const escaping = await add(
      gzipSync(await packTar([{ header: { name: "../escape", size: 1 }, body: "x" }])),
      "escaping.tar.gz",
      "2222222",
    );
    assert.equal(escaping.code, 0, escaping.stdout);
    const [warning] = JSON.parse(escaping.stdout).warnings;
    assert.match(warning, /^devices refuse to install it \(drover update exits 3\): Cannot extract .*'\.\.'/);
  });
});
