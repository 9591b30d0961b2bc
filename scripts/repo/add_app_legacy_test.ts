import assert from "node:assert/strict";
import { join } from "node:path";
import { packTar } from "modern-tar";
import { runRepo } from "./main.ts";

const COMMIT = "68200ec154d6dbdcc648e5706bb860c57b7fb621";
/** Another commit for each further release (a commit is published once: not again with other bytes). */
const commitNo = (n: number) => `${COMMIT.slice(0, -1)}${n}`;

async function run(...argv: string[]) {
  let stdout = "", stderr = "";
  const code = await runRepo(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} });
  return { code, stdout, stderr };
}

async function archive(files: Record<string, string | Uint8Array>, options: { gzip: boolean }) {
  const tar = await packTar(
    Object.entries(files).map(([name, body]) => ({
      header: { name, size: typeof body === "string" ? new TextEncoder().encode(body).length : body.length },
      body,
    })),
  );
  if (!options.gzip) return tar;
  const gz = new Blob([tar]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(gz).arrayBuffer());
}

const deploy = (o: Record<string, string> = {}) =>
  JSON.stringify({ name: "acme/radio", ref: "main", commit: COMMIT, ...o });

async function withRepo(
  fn: (
    r: { dir: string; add: (file: Uint8Array, commit?: string) => ReturnType<typeof run> },
  ) => Promise<void>,
) {
  const tmp = await Deno.makeTempDir({ prefix: "drover-add-app-legacy-" });
  try {
    const dir = join(tmp, "repo"), keys = join(tmp, "keys");
    assert.equal((await run("init", "--repo", dir, "--keys", keys)).code, 0);
    let n = 0;
    const add = async (bytes: Uint8Array, commit = COMMIT) => {
      const file = join(tmp, `release-${n++}`);
      await Deno.writeFile(file, bytes);
      const args = ["--repo", dir, "--keys", keys, "--file", file, "--no-chunks"];
      return await run(
        "add-app",
        ...args,
        "--name",
        "acme/radio",
        "--ref",
        "main",
        "--commit",
        commit,
        "--json",
      );
    };
    await fn({ dir, add });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

const releasesJson = async (dir: string) => JSON.parse(await Deno.readTextFile(join(dir, "releases.json")));

Deno.test("repo add-app warns when the archive's .deploy is missing or disagrees, and is quiet when it agrees", async () => {
  await withRepo(async ({ dir, add }) => {
    const good = await add(await archive({ ".deploy": deploy(), "app.js": "x" }, { gzip: true }));
    assert.equal(good.code, 0, good.stderr);
    assert.deepEqual(JSON.parse(good.stdout).warnings, []);
    assert.equal((await releasesJson(dir))["acme/radio"].main.commit, COMMIT);

    const none = await add(await archive({ "app.js": "x" }, { gzip: true }), commitNo(2));
    assert.equal(none.code, 0);
    const [missing] = JSON.parse(none.stdout).warnings;
    assert.match(missing, /no \.deploy at its root: legacy radiodan clients read current\/\.deploy/);

    const other = await add(
      await archive({ ".deploy": deploy({ ref: "develop", commit: "abcdef0" }) }, { gzip: true }),
      commitNo(3),
    );
    const warnings: string[] = JSON.parse(other.stdout).warnings;
    assert.equal(warnings.length, 2, warnings.join("\n"));
    assert.match(warnings[0]!, /names ref develop, not --ref main/);
    assert.match(warnings[1]!, /names commit abcdef0, not --commit 68200ec.*install the release again/);

    const nested = await add(await archive({ "app/.deploy": deploy() }, { gzip: true }), commitNo(4));
    assert.match(
      JSON.parse(nested.stdout).warnings[0],
      /no \.deploy at its root/,
      "only the root .deploy counts",
    );
  });
});

Deno.test("repo add-app reads a .deploy behind a large entry while streaming, and prints warnings on stderr", async () => {
  await withRepo(async ({ add }) => {
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7919) & 0xff);
    const result = await add(
      await archive({ "big.bin": big, ".deploy": deploy({ name: "acme/tv" }) }, { gzip: true }),
    );
    assert.equal(result.code, 0);
    assert.match(JSON.parse(result.stdout).warnings.join("\n"), /names app acme\/tv, not --name acme\/radio/);
  });
  const tmp = await Deno.makeTempDir({ prefix: "drover-add-app-text-" });
  try {
    const dir = join(tmp, "repo"), keys = join(tmp, "keys"), file = join(tmp, "r.tar.gz");
    await run("init", "--repo", dir, "--keys", keys);
    await Deno.writeFile(file, await archive({ "a": "a" }, { gzip: true }));
    const text = await run(
      "add-app",
      "--repo",
      dir,
      "--keys",
      keys,
      "--file",
      file,
      "--no-chunks",
      "--name",
      "a/b",
      "--ref",
      "main",
      "--commit",
      "abcdef0",
    );
    assert.equal(text.code, 0);
    assert.match(text.stderr, /^warning: the archive has no \.deploy at its root/m);
    assert.doesNotMatch(text.stdout, /warning/, "data on stdout, warnings on stderr");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("repo add-app of an uncompressed .tar: signed for devices, left out of releases.json, and says so", async () => {
  await withRepo(async ({ dir, add }) => {
    const gz = await add(await archive({ ".deploy": deploy() }, { gzip: true }));
    assert.equal(gz.code, 0);
    const tar = await add(
      await archive({ ".deploy": deploy({ commit: commitNo(2) }) }, { gzip: false }),
      commitNo(2),
    );
    assert.equal(tar.code, 0);
    const doc = JSON.parse(tar.stdout);
    assert.match(doc.target.path, /\.tar$/, "named by its content");
    assert.deepEqual(doc.warnings, [
      "not offered to legacy radiodan clients (releases.json): " +
      "it is not a gzip-compressed tar (.tar.gz), and they unpack with tar -xzf",
    ]);
    assert.deepEqual(
      await releasesJson(dir),
      {},
      "the ref's current release is the .tar: nothing older instead",
    );
  });
});
