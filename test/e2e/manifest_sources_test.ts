/**
 * End to end (in process, real HTTP on 127.0.0.1): `drover manifest plan|install` tells a source that could
 * not be reached (exit 75: it may hold what is missing) from one that lacks the manifest (exit 1).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { setAbilities } from "../../core/abilities.ts";
import { nodeAbilities } from "../../core/node.ts";
import { runRepo } from "../../scripts/repo/main.ts";
import { serveDir, tempDir } from "../harness.ts";
import { droverInProcess as drover } from "./_drover_in_process.ts";

setAbilities(nodeAbilities);

async function repo(...args: string[]): Promise<void> {
  let err = "";
  const code = await runRepo(args, { stdout: () => {}, stderr: (t) => (err += t), env: {} });
  assert.equal(code, 0, `repo ${args[0]}: ${err}`);
}

/** A repository with manifest `gw` (one artifact `fw.bin`), and a bundle copy of it in `usb/`. */
async function fixture(dir: string): Promise<{ repoDir: string; usb: string; root: string }> {
  const repoDir = join(dir, "repo"), keys = join(dir, "keys"), usb = join(dir, "usb");
  await repo("init", "--repo", repoDir, "--keys", keys);
  const fw = new TextEncoder().encode("firmware\n".repeat(1000));
  await Deno.writeFile(join(dir, "fw.bin"), fw);
  const manifest = {
    type: "drover-manifest",
    kind: "install",
    target: "device",
    id: "gw",
    version: "1.0.0",
    deviceTypes: ["rpi4"],
    mode: "trusted",
    nodes: { primary: [{ id: "fw.bin" }] },
  };
  await Deno.writeTextFile(join(dir, "gw.json"), JSON.stringify(manifest));
  await repo(
    "add-manifest",
    "--repo",
    repoDir,
    "--keys",
    keys,
    "--file",
    join(dir, "gw.json"),
    "--artifact",
    join(dir, "fw.bin"),
  );
  await Deno.mkdir(join(usb, "manifests"), { recursive: true });
  await Deno.mkdir(join(usb, "artifacts"));
  const signed = [...Deno.readDirSync(join(repoDir, "targets", "manifests"))].find((e) =>
    e.name.endsWith(".gw.json")
  )!;
  await Deno.copyFile(join(repoDir, "targets", "manifests", signed.name), join(usb, "manifests", "gw.json"));
  await Deno.writeFile(join(usb, "artifacts", "fw.bin"), fw);
  return { repoDir, usb, root: join(repoDir, "tuf", "1.root.json") };
}

/** A URL where nothing listens: a server's port, once it is shut down. */
async function deadUrl(): Promise<string> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response());
  await server.shutdown();
  return `http://127.0.0.1:${server.addr.port}`;
}

Deno.test("drover manifest exits 75 when a source cannot be reached, 1 when a reachable one lacks it", async () => {
  await using tmp = await tempDir("drover-manifest-sources-");
  const { repoDir, usb, root } = await fixture(tmp.path);
  const dead = await deadUrl();
  const installDir = tmp.join("installed");
  const args = (...sources: string[]) => [...sources.flatMap((s) => ["--source", s]), "--trusted-root", root];

  const down = await drover("manifest", "install", "--id", "gw", ...args(dead), "--install-dir", installDir);
  assert.equal(down.code, 75, down.stderr);
  assert.ok(down.stderr.includes(`source ${dead}/ could not be reached: Cannot fetch ${dead}/`), down.stderr);
  assert.match(down.stderr, /nothing installed \(try later\)/);
  await assert.rejects(Deno.stat(join(installDir, "installed.json")));
  const plan = await drover("manifest", "plan", "--id", "gw", ...args(dead), "--json");
  assert.equal(plan.code, 75);
  assert.deepEqual(plan.json().missing, ["gw"]);
  assert.deepEqual(
    plan.json().sourceErrors.map((
      e: { source: string; code: string; transient: boolean },
    ) => [e.source, e.code, e.transient]),
    [[`${dead}/`, "E_TRANSIENT", true]],
  );

  await using failing = serveDir(repoDir, () => new Response("busy", { status: 503 }));
  const busy = await drover("manifest", "plan", "--id", "gw", ...args(failing.url), "--json");
  assert.equal(busy.code, 75, "a 5xx is transient too");

  await using server = serveDir(repoDir);
  const lacking = await drover(
    "manifest",
    "install",
    "--id",
    "no-such",
    ...args(server.url),
    "--install-dir",
    installDir,
  );
  assert.equal(lacking.code, 1, lacking.stderr);
  assert.match(lacking.stderr, /no-such\s+manifest\s+missing/);
  assert.doesNotMatch(lacking.stderr, /could not be reached/);
  const mixed = await drover("manifest", "plan", "--id", "no-such", ...args(dead, usb), "--json");
  assert.equal(mixed.code, 75, "missing, and the unreachable source may hold it");

  const fromUsb = await drover(
    "manifest",
    "install",
    "--id",
    "gw",
    ...args(dead, usb),
    "--install-dir",
    installDir,
  );
  assert.equal(fromUsb.code, 0, fromUsb.stderr);
  assert.match(
    fromUsb.stderr,
    /warning: source http:\/\/127\.0\.0\.1:\d+\/ failed \(not needed\): Cannot fetch/,
  );
  assert.ok((await Deno.stat(join(installDir, "installed.json"))).isFile);
  const online = await drover("manifest", "plan", "--id", "gw", ...args(server.url), "--json");
  assert.equal(online.code, 0, online.stderr);
  assert.deepEqual(online.json().sourceErrors, []);
});
