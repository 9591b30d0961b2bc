/**
 * End to end: `drover-repo` and `drover-fleet` as an operator runs them, the bundles under Node and
 * the source under `deno task` (INIT_CWD set): one program name, hints that run as printed, `--help`
 * telling `--lock-wait` and exit 75, and one-line messages for a file a flag names that is missing and
 * an edge given without `http://`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DROVER_REPO_MJS, ensureBundle, ROOT, runCommand } from "../harness.ts";

const FLEET_MJS = join(ROOT, "dist/drover-fleet.mjs");
const EDGE = "http://127.0.0.1:9433"; // nothing listens: every case fails before a request

Deno.test("drover-repo names itself as it was started: drover-repo from the bundle, the deno task from the checkout", async () => {
  await ensureBundle();
  const tmp = await Deno.makeTempDir({ prefix: "script-cli-names-" });
  try {
    const node = await runCommand("node", [DROVER_REPO_MJS, "add-app", "--repo", "r"], { cwd: tmp });
    assert.equal(node.code, 2);
    assert.equal(node.stderr, "drover-repo add-app: missing --name\nTry 'drover-repo add-app --help'.\n");
    const deno = Deno.execPath().includes("/node_modules/") ? `npx -y deno@${Deno.version.deno}` : "deno";
    const task = await runCommand(Deno.execPath(), ["run", "-A", join(ROOT, "scripts/repo.ts"), "add-app"], {
      cwd: ROOT,
      env: { INIT_CWD: tmp },
    });
    assert.equal(task.code, 2);
    assert.match(task.stderr, new RegExp(`^${deno} task repo add-app: missing --`));
    assert.match(task.stderr, new RegExp(`\nTry '${deno} task repo add-app --help'\\.\n$`));
    const fleet = await runCommand("node", [FLEET_MJS, "nope"], { cwd: tmp });
    assert.equal(fleet.stderr, "drover-fleet: unknown command 'nope'\nTry 'drover-fleet --help'.\n");

    const help = await runCommand("node", [DROVER_REPO_MJS, "--help"]);
    assert.match(help.stdout, /^Usage: drover-repo <command>/);
    assert.match(help.stdout, /--lock-wait SECONDS/);
    assert.match(
      help.stdout,
      /Exit codes: 0 ok, 1 failure, 2 usage, 3 verification refused [^\n]*, 75 try later/,
    );
    for (const command of ["init", "add-app", "add-image", "timestamp", "sign", "delegate", "rotate-key"]) {
      const h = await runCommand("node", [DROVER_REPO_MJS, command, "--help"]);
      assert.match(h.stdout, new RegExp(`^Usage: drover-repo ${command} `), command);
      assert.match(h.stdout, /--lock-wait SECONDS \(env DROVER_REPO_LOCK_WAIT, default 120\)/, command);
    }
    const push = await runCommand("node", [DROVER_REPO_MJS, "push", "--help"]);
    assert.match(push.stdout, /--allow-removal/);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("a missing --token-file or --file and an edge without http:// are one line each, exit 2", async () => {
  await ensureBundle();
  const tmp = await Deno.makeTempDir({ prefix: "script-cli-messages-" });
  try {
    const nope = join(tmp, "nope");
    const fleet = await runCommand("node", [FLEET_MJS, "summary", "--edge", EDGE, "--token-file", nope]);
    assert.equal(fleet.code, 2);
    assert.equal(
      fleet.stderr,
      `drover-fleet summary: Cannot read --token-file ${nope}: no such file\nTry 'drover-fleet summary --help'.\n`,
    );
    const push = await runCommand("node", [
      ...[DROVER_REPO_MJS, "push", "--repo", tmp, "--edge", EDGE, "--token-file", nope, "--json"],
    ]);
    assert.equal(push.code, 2);
    assert.equal(
      JSON.parse(push.stdout).errors[0].message,
      `Cannot read --token-file ${nope}: no such file`,
    );
    const keys = join(tmp, "keys");
    assert.equal(
      (await runCommand("node", [DROVER_REPO_MJS, "init", "--repo", join(tmp, "r"), "--keys", keys])).code,
      0,
    );
    const addApp = await runCommand("node", [
      ...[DROVER_REPO_MJS, "add-app", "--repo", join(tmp, "r"), "--keys", keys, "--name", "acme/radio"],
      ...["--ref", "main", "--commit", "0123abc", "--file", join(tmp, "missing.tar.gz")],
    ]);
    assert.equal(addApp.code, 2);
    assert.match(
      addApp.stderr,
      /^drover-repo add-app: Cannot read --file \S+missing\.tar\.gz: no such file\n/,
    );
    assert.doesNotMatch(addApp.stderr, /ENOENT/);

    const env = { DROVER_EDGE: "127.0.0.1:9433", DROVER_OPERATOR_TOKEN: "operator-token-123" };
    const bare = await runCommand("node", [FLEET_MJS, "summary"], { env });
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /not a URL; did you mean http:\/\/127\.0\.0\.1:9433\?\n/);
    const bareLocal = await runCommand("node", [FLEET_MJS, "summary", "--edge", "localhost:9433"], { env });
    assert.match(bareLocal.stderr, /did you mean http:\/\/localhost:9433\?\n/);
    const pushBare = await runCommand("node", [
      DROVER_REPO_MJS,
      "push",
      "--repo",
      tmp,
      "--edge",
      "127.0.0.1:9433",
    ]);
    assert.equal(pushBare.code, 2);
    assert.match(pushBare.stderr, /did you mean http:\/\/127\.0\.0\.1:9433\?\n/);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
