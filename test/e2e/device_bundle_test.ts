import assert from "node:assert/strict";
import { DeviceFixture, DROVER, drover, DROVER_REPO, ensureBundles, run } from "./device_fixture.ts";

Deno.test("dist/drover.mjs and dist/drover-repo.mjs run under Node and Deno", async () => {
  await ensureBundles();
  const version = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url))).version;
  for (const runtime of ["node", "deno"] as const) {
    const r = await drover(["--version"], { runtime });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `drover ${version}\n`);
  }
  const node = await run("node", [DROVER_REPO, "--help"]);
  assert.equal(node.code, 0, node.stderr);
  assert.match(node.stdout, /add-app/);
  const deno = await run(Deno.execPath(), ["run", "-A", DROVER_REPO, "--help"]);
  assert.equal(deno.code, 0, deno.stderr);
  assert.match(deno.stdout, /add-app/);
});

Deno.test("drover --help lists every command; each command's --help tells its flags", async () => {
  await ensureBundles();
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

Deno.test("downloads draw a progress bar on a terminal and none with --json or without a terminal", async () => {
  await using fx = await DeviceFixture.create();
  await fx.installApp("radio", { name: "acme/radio", ref: "main", commit: "0000000" });
  await fx.publish("acme/radio", "main", "aaaaaaa1", { VERSION: "1\n" });
  const cmd = ["node", DROVER, "check", ...fx.args(), "--api", fx.fileApi()].join(" ");
  const tty = await run("script", ["-qec", cmd, "/dev/null"]); // stdout and stderr on a pseudo-terminal
  assert.equal(tty.code, 0, tty.stdout);
  const ESC = String.fromCharCode(27);
  assert.ok(tty.stdout.includes(`\r${ESC}[2Kacme/radio aaaaaaa1 [${"#".repeat(30)}] 100%`), tty.stdout);

  await Deno.remove(`${fx.ws}/manifests`, { recursive: true });
  await Deno.remove(`${fx.ws}/downloads`, { recursive: true });
  const json = await run("script", ["-qec", `${cmd} --json`, "/dev/null"]);
  assert.equal(json.code, 0, json.stdout);
  assert.ok(!json.stdout.includes(ESC) && !json.stdout.includes("[#"), json.stdout);

  await Deno.remove(`${fx.ws}/manifests`, { recursive: true });
  await Deno.remove(`${fx.ws}/downloads`, { recursive: true });
  const plain = await drover(["check", ...fx.args(), "--api", fx.fileApi()]);
  assert.equal(plain.code, 0);
  assert.ok(!plain.stderr.includes(ESC) && !plain.stderr.includes("\r"), plain.stderr);
  assert.match(plain.stderr, /^downloading acme\/radio aaaaaaa1 \(/m);
});
