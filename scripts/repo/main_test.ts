import assert from "node:assert/strict";
import { join } from "node:path";
import { VERSION } from "../../device/cli/version.ts";
import { runRepo } from "./main.ts";

async function run(...argv: string[]) {
  let stdout = "", stderr = "";
  const code = await runRepo(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} });
  return { code, stdout, stderr };
}

Deno.test("runRepo() maps usage errors to 2 with --json errors on stdout, and lists every command in --help", async () => {
  const help = await run("--help");
  assert.equal(help.code, 0);
  for (const c of ["init", "add-device-type", "add-app", "add-image", "timestamp", "rotate-key"]) {
    assert.match(help.stdout, new RegExp(`\\n  ${c} `));
  }
  assert.equal((await run()).code, 2);
  assert.equal((await run("nope")).code, 2);
  const missing = await run("add-app", "--json");
  assert.equal(missing.code, 2);
  assert.deepEqual(JSON.parse(missing.stdout), {
    command: "add-app",
    ok: false,
    exitCode: 2,
    errors: [{ code: "E_USAGE", message: "missing --name" }],
  });
  assert.equal((await run("init", "--repo")).code, 2);
  assert.equal((await run("rotate-key", "--repo", "r", "--keys", "k", "--role", "admin")).code, 2);
  for (const c of ["init", "add-device-type", "add-app", "add-image", "timestamp", "rotate-key"]) {
    const h = await run(c, "--help");
    assert.equal(h.code, 0, c);
    assert.match(h.stdout, new RegExp(`^Usage: drover-repo ${c} `), c);
  }
});

Deno.test("runRepo() add-app rejects every unsafe name, ref or commit with exit 2 and writes nothing", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const r = join(tmp, "repo"), k = join(tmp, "keys");
    assert.equal((await run("init", "--repo", r, "--keys", k)).code, 0);
    await Deno.writeFile(join(tmp, "a.tar"), new Uint8Array(10));
    const cases: [string, string, string][] = [
      ["../x", "main", "0123abc"],
      ["acme/radio", "..", "0123abc"],
      ["acme/radio", "main", "../../x"],
      ["acme", "main", "0123abc"],
      ["acme/radio/x", "main", "0123abc"],
      ["acme/.hidden", "main", "0123abc"],
      ["acme/radio", "a/b", "0123abc"],
      ["acme/radio", "main", "0123abz"],
      ["acme/radio", "-rf", "0123abc"],
    ];
    for (const [name, ref, commit] of cases) {
      const res = await run(
        "add-app",
        "--repo",
        r,
        "--keys",
        k,
        "--file",
        join(tmp, "a.tar"),
        "--name",
        name,
        "--ref",
        ref,
        "--commit",
        commit,
      );
      assert.equal(res.code, 2, `${name} ${ref} ${commit}: ${res.stderr}`);
    }
    await assert.rejects(Deno.stat(join(r, "targets")), Deno.errors.NotFound);
    const bad = await run(
      "add-app",
      "--repo",
      r,
      "--keys",
      k,
      "--file",
      join(tmp, "a.tar"),
      "--name",
      "a/b",
      "--ref",
      "main",
      "--commit",
      "0123abc",
      "--version",
      "not-a-version",
    );
    assert.equal(bad.code, 2);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("runRepo() speaks drover's JSON: {command, ok, exitCode} documents, E_FAILURE errors, one version", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const r = join(tmp, "repo"), k = join(tmp, "keys");
    const init = await run("init", "--repo", r, "--keys", k, "--json");
    assert.equal(init.code, 0, init.stderr);
    const doc = JSON.parse(init.stdout);
    assert.deepEqual([doc.command, doc.ok, doc.exitCode, doc.versions.root], ["init", true, 0, 1]);
    const again = await run("init", "--repo", r, "--keys", k, "--json");
    assert.equal(again.code, 1);
    const failed = JSON.parse(again.stdout);
    assert.deepEqual([failed.command, failed.ok, failed.exitCode], ["init", false, 1]);
    assert.equal(failed.errors[0].code, "E_FAILURE");
    assert.match(failed.errors[0].message, /^Cannot init: .* already holds a repository$/);
    assert.equal(again.stderr, "", "with --json the document is the whole report");
    const plain = await run("init", "--repo", r, "--keys", k);
    assert.match(plain.stderr, /^drover-repo init: Cannot init: .* already holds a repository\n$/);
    const version = await run("--version");
    assert.equal(version.stdout, `drover-repo ${VERSION}\n`);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
