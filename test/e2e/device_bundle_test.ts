import assert from "node:assert/strict";
import { join } from "node:path";
import { DeviceFixture, drover, jsonOf } from "./device_fixture.ts";
import { DROVER_MJS, DROVER_REPO_MJS, ensureBundle, runCommand } from "../harness.ts";

Deno.test("dist/drover.mjs and dist/drover-repo.mjs run under Node and Deno", async () => {
  await ensureBundle();
  const version = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url))).version;
  for (const runtime of ["node", "deno"] as const) {
    const r = await drover(["--version"], { runtime });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `drover ${version}\n`);
  }
  for (const argv of [["node", DROVER_REPO_MJS], [Deno.execPath(), "run", "-A", DROVER_REPO_MJS]]) {
    const r = await runCommand(argv[0]!, [...argv.slice(1), "--version"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `drover-repo ${version}\n`);
  }
  const node = await runCommand("node", [DROVER_REPO_MJS, "--help"]);
  assert.equal(node.code, 0, node.stderr);
  assert.match(node.stdout, /add-app/);
  const deno = await runCommand(Deno.execPath(), ["run", "-A", DROVER_REPO_MJS, "--help"]);
  assert.equal(deno.code, 0, deno.stderr);
  assert.match(deno.stdout, /add-app/);
});

Deno.test("drover --help lists every command; each command's --help tells its flags", async () => {
  await ensureBundle();
  const help = await drover(["--help"], { runtime: "node" });
  assert.equal(help.code, 0);
  for (const c of ["check", "install", "update", "status", "rollback", "gc", "image", "manifest"]) {
    assert.match(help.stdout, new RegExp(`^  ${c} `, "m"));
  }
  const cases: [string, RegExp[]][] = [
    ["check", [/--api URL/, /--trusted-root FILE/, /--insecure-legacy/, /--wait SECONDS/, /--json/]],
    ["install", [/--health-cmd CMD/, /--health-timeout/]],
    ["update", [/--api URL/, /--health-cmd CMD/]],
    ["status", [/--target DIR/]],
    ["rollback", [/--app NAME/]],
    ["gc", [/--keep N/]],
  ];
  for (const [cmd, patterns] of cases) {
    const r = await drover([cmd, "--help"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Usage: drover ${cmd} `));
    for (const p of patterns) assert.match(r.stdout, p, `${cmd} --help: ${p}`);
  }
});

Deno.test("usage errors exit 2 with a one-line hint; environment defaults stand in for flags", async () => {
  await using fx = await DeviceFixture.create();
  const unknown = await drover(["frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  const flag = await drover(["check", "--bogus"]);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /Try 'drover check --help'\.\n$/);
  const missing = await drover(["check", "--target", fx.target, "--json"]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /missing --workspace \(or env DROVER_WORKSPACE\)/);
  assert.equal(JSON.parse(missing.stdout).errors[0].code, "E_USAGE");
  assert.equal((await drover([])).code, 2);

  await fx.installApp("radio", { name: "acme/radio", ref: "main", commit: "0000000" });
  await fx.publish("acme/radio", "main", "aaaaaaa1", { VERSION: "1\n" });
  const env = {
    DROVER_TARGET: fx.target,
    DROVER_WORKSPACE: fx.ws,
    DROVER_API: fx.fileApi(),
    DROVER_TRUSTED_ROOT: `${fx.repo}/tuf/1.root.json`,
  };
  const r = await drover(["update"], { env, runtime: "node" });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /installed/);
});

Deno.test("every command takes the device flags, so one set serves check, install, update, status and the rest", async () => {
  await using fx = await DeviceFixture.create();
  await fx.installApp("radio", { name: "acme/radio", ref: "main", commit: "0000000" });
  await fx.publish("acme/radio", "main", "aaaaaaa1", { VERSION: "1\n" });
  const device = [
    ...fx.args(),
    ...["--api", fx.fileApi(), "--trusted-root", join(fx.repo, "tuf/1.root.json")],
    ...["--cache-dir", join(fx.dir, "cache")],
  ];
  const check = await drover(["check", ...device, "--json"]);
  assert.equal(check.code, 0, check.stderr);
  assert.equal(jsonOf(check).apps[0].action, "downloaded");
  const install = await drover(["install", ...device, "--json"], { runtime: "node" });
  assert.equal(install.code, 0, install.stderr);
  assert.equal(jsonOf(install).apps[0].action, "installed");
  const status = await drover(["status", ...device, "--json"]);
  assert.equal(status.code, 0, status.stderr);
  assert.equal(jsonOf(status).apps[0].current.commit, "aaaaaaa1");
  for (
    const argv of [
      ["update", ...device],
      ["gc", "--keep", "2", ...device],
      ["add", "--app", "acme/tv", ...device],
      ["image", "clean-cache", ...device],
      ["rollback", "--app", "acme/radio", ...device],
    ]
  ) {
    const r = await drover(argv);
    assert.equal(r.code, 0, `${argv[0]}: ${r.stderr}`);
  }
  assert.equal(await fx.currentCommit("radio"), "0000000", "rolled back");
  for (const command of ["check", "install", "status"]) {
    const r = await drover([command, ...device, "--bogus"]);
    assert.equal(r.code, 2, `${command}: ${r.stderr}`);
    assert.match(
      r.stderr,
      new RegExp(`Unknown option '--bogus'.*\nTry 'drover ${command} --help'\\.\n$`, "s"),
    );
  }
  const help = await drover(["install", "--help"]);
  assert.match(help.stdout, /takes the device flags --target DIR, --workspace DIR, --api URL,/);
});

Deno.test("downloads draw a progress bar on a terminal and none with --json or without a terminal", async () => {
  await using fx = await DeviceFixture.create();
  await fx.installApp("radio", { name: "acme/radio", ref: "main", commit: "0000000" });
  await fx.publish("acme/radio", "main", "aaaaaaa1", { VERSION: "1\n" });
  const cmd = ["node", DROVER_MJS, "check", ...fx.args(), "--api", fx.fileApi()].join(" ");
  const tty = await runCommand("script", ["-qec", cmd, "/dev/null"]); // stdout and stderr on a pseudo-terminal
  assert.equal(tty.code, 0, tty.stdout);
  const ESC = String.fromCharCode(27);
  assert.ok(tty.stdout.includes(`\r${ESC}[2Kacme/radio aaaaaaa1 [${"#".repeat(30)}] 100%`), tty.stdout);

  await Deno.remove(`${fx.ws}/manifests`, { recursive: true });
  await Deno.remove(`${fx.ws}/downloads`, { recursive: true });
  const json = await runCommand("script", ["-qec", `${cmd} --json`, "/dev/null"]);
  assert.equal(json.code, 0, json.stdout);
  assert.ok(!json.stdout.includes(ESC) && !json.stdout.includes("[#"), json.stdout);

  await Deno.remove(`${fx.ws}/manifests`, { recursive: true });
  await Deno.remove(`${fx.ws}/downloads`, { recursive: true });
  const plain = await drover(["check", ...fx.args(), "--api", fx.fileApi()]);
  assert.equal(plain.code, 0);
  assert.ok(!plain.stderr.includes(ESC) && !plain.stderr.includes("\r"), plain.stderr);
  assert.match(plain.stderr, /^downloading acme\/radio aaaaaaa1 \(/m);
});
