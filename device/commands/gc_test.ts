import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import process from "node:process";
import { command, type GcReport } from "./gc.ts";
import { lockApp } from "../app/app_lock.ts";

const sha = (c: string) => c.repeat(64);

/** A target with `acme/radio` (current: release of sha "c", previous: "b") and a workspace beside it. */
async function device() {
  const dir = await mkdtemp(join(tmpdir(), "drover-gc-"));
  const target = join(dir, "target"), ws = join(dir, "ws");
  const app = join(target, "radio");
  for (const [id, s] of [["1-aaaaaaa", "a"], ["2-bbbbbbb", "b"], ["3-ccccccc", "c"]] as const) {
    await mkdir(join(app, "releases", id), { recursive: true });
    const deploy = {
      name: "acme/radio",
      ref: "main",
      commit: id.slice(2),
      sha256: sha(s),
      serial: Number(id[0]),
    };
    await writeFile(join(app, "releases", id, ".deploy"), JSON.stringify(deploy));
  }
  await symlink("releases/3-ccccccc", join(app, "current"));
  await symlink("releases/2-bbbbbbb", join(app, "previous"));
  return { dir, target, ws, [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes a seed of `bytes` bytes (and its chunk list) of `app` named `s`. */
async function seed(ws: string, app: string, s: string, bytes = 1000) {
  const folder = join(ws, "seeds", app);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, `${sha(s)}.blob`), new Uint8Array(bytes));
  await writeFile(join(folder, `${sha(s)}.cidx-local`), new Uint8Array(10));
}

async function gc(args: string[]): Promise<GcReport> {
  const out: string[] = [];
  const io = { stdout: (t: string) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false };
  const code = await command.run([...args, "--json"], io);
  const report = JSON.parse(out.join("")) as GcReport;
  assert.equal(code, 0, JSON.stringify(report.errors));
  return report;
}

Deno.test("gc removes the seeds of apps no longer on the device and reports the bytes freed", async () => {
  await using d = await device();
  await seed(d.ws, "acme~radio", "c");
  await seed(d.ws, "acme~gone", "e", 5000);
  await seed(d.ws, "acme~gone", "f", 3000);
  const report = await gc(["--target", d.target, "--workspace", d.ws, "--keep", "5"]);
  assert.deepEqual(report.seeds?.removed, ["acme~gone"]);
  assert.equal(report.seeds?.freedBytes, 5000 + 3000 + 2 * 10);
  assert.deepEqual(report.seeds?.kept, [`acme~radio/${sha("c")}.blob`]);
  assert.deepEqual(await readdir(join(d.ws, "seeds")), ["acme~radio"]);
});

Deno.test("gc keeps at most --seeds N seeds an app, the current release's first, then the previous one's", async () => {
  await using d = await device();
  for (const s of ["a", "b", "c", "d"]) await seed(d.ws, "acme~radio", s);
  const one = await gc(["--target", d.target, "--workspace", d.ws, "--keep", "5", "--seeds", "1"]);
  assert.deepEqual(one.seeds?.kept, [`acme~radio/${sha("c")}.blob`]);
  assert.deepEqual(one.seeds?.removed.sort(), ["a", "b", "d"].map((s) => `acme~radio/${sha(s)}.blob`));
  assert.equal(one.seeds?.freedBytes, 3 * 1010);
  for (const s of ["a", "b"]) await seed(d.ws, "acme~radio", s);
  const two = await gc(["--target", d.target, "--workspace", d.ws, "--keep", "5"]);
  assert.deepEqual(two.seeds?.kept.sort(), ["b", "c"].map((s) => `acme~radio/${sha(s)}.blob`), "default 2");
  const left = (await readdir(join(d.ws, "seeds", "acme~radio"))).sort();
  assert.deepEqual(left, ["b", "c"].flatMap((s) => [`${sha(s)}.blob`, `${sha(s)}.cidx-local`]));
});

Deno.test("gc removes the seeds of the layout before and stray files", async () => {
  await using d = await device();
  await seed(d.ws, "acme~radio", "c");
  await writeFile(join(d.ws, "seeds", "acme~radio.blob"), new Uint8Array(700));
  await writeFile(join(d.ws, "seeds", "acme~radio.cidx-local"), new Uint8Array(7));
  await writeFile(join(d.ws, "seeds", "acme~radio", ".x.cidx-local.tmp"), new Uint8Array(3));
  const report = await gc(["--target", d.target, "--workspace", d.ws, "--keep", "5"]);
  assert.deepEqual(report.seeds?.removed, ["acme~radio.blob"]);
  assert.equal(report.seeds?.freedBytes, 700 + 7 + 3);
  assert.deepEqual(await readdir(join(d.ws, "seeds")), ["acme~radio"]);
});

Deno.test("gc without a workspace leaves the seeds alone", async () => {
  await using d = await device();
  await seed(d.ws, "acme~gone", "e");
  const report = await gc(["--target", d.target, "--keep", "5"]);
  assert.equal(report.seeds, undefined);
  assert.deepEqual(await readdir(join(d.ws, "seeds")), ["acme~gone"]);
});

Deno.test("gc never removes current or previous when the target is relative or reached through symlinks", async () => {
  await using d = await device();
  await mkdir(join(d.target, "radio/releases/4-ddddddd"));
  await symlink(d.dir, join(d.dir, "via")); // a symlinked parent directory, as /opt -> /data/opt
  await rename(join(d.target, "radio/releases"), join(d.dir, "store")); // releases/ itself a symlink
  await symlink(join(d.dir, "store"), join(d.target, "radio/releases"));
  for (const target of [relative(process.cwd(), d.target), join(d.dir, "via/target"), `${d.target}/./`]) {
    const report = await gc(["--target", target, "--keep", "0"]);
    assert.deepEqual(report.apps[0]?.kept.sort(), ["2-bbbbbbb", "3-ccccccc"], target);
  }
  assert.deepEqual((await readdir(join(d.dir, "store"))).sort(), ["2-bbbbbbb", "3-ccccccc"]);
  const report = await gc(["--target", relative(process.cwd(), join(d.dir, "via/target")), "--keep", "1"]);
  assert.deepEqual(report.apps[0]?.removed, []);
});

/** Adds `<target>/radio-develop`: acme/radio on ref develop, current release of sha "e", previous "d". */
async function secondRef(target: string) {
  const app = join(target, "radio-develop");
  for (const [id, s] of [["4-ddddddd", "d"], ["5-eeeeeee", "e"]] as const) {
    await mkdir(join(app, "releases", id), { recursive: true });
    const deploy = {
      name: "acme/radio",
      ref: "develop",
      commit: id.slice(2),
      sha256: sha(s),
      serial: Number(id[0]),
    };
    await writeFile(join(app, "releases", id, ".deploy"), JSON.stringify(deploy));
  }
  await symlink("releases/5-eeeeeee", join(app, "current"));
  await symlink("releases/4-ddddddd", join(app, "previous"));
}

Deno.test("gc --seeds N counts per app and ref: every ref keeps its current release's seed, then its previous one's", async () => {
  await using d = await device();
  await secondRef(d.target);
  for (const s of ["a", "b", "c", "d", "e"]) await seed(d.ws, "acme~radio", s);
  const one = await gc(["--target", d.target, "--workspace", d.ws, "--keep", "5", "--seeds", "1"]);
  assert.deepEqual(one.seeds?.kept.sort(), ["c", "e"].map((s) => `acme~radio/${sha(s)}.blob`).sort());
  for (const s of ["a", "b", "d"]) await seed(d.ws, "acme~radio", s);
  const two = await gc(["--target", d.target, "--workspace", d.ws, "--keep", "5"]);
  assert.deepEqual(
    two.seeds?.kept.sort(),
    ["b", "c", "d", "e"].map((s) => `acme~radio/${sha(s)}.blob`).sort(),
  );
  assert.deepEqual(two.seeds?.removed, [`acme~radio/${sha("a")}.blob`]);
  // the per-app output names the ref
  assert.deepEqual(two.apps.map((a) => [a.name, a.ref, a.dir]), [
    ["acme/radio", "main", "radio"],
    ["acme/radio", "develop", "radio-develop"],
  ]);
  const out: string[] = [];
  const io = { stdout: (t: string) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false };
  assert.equal(await command.run(["--target", d.target, "--keep", "5"], io), 0);
  assert.match(out.join(""), /^acme\/radio\tmain\tkept 3\t.*\nacme\/radio\tdevelop\tkept 2\t/);
});

Deno.test("gc waits for an app's lock (an install, its health check), else exits 75 and removes nothing of it", async () => {
  await using d = await device();
  const app = join(d.target, "radio");
  const held = await lockApp(app);
  const out: string[] = [];
  const io = { stdout: (t: string) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false };
  for (const ws of [[], ["--workspace", d.ws]]) {
    out.length = 0;
    assert.equal(await command.run(["--target", d.target, ...ws, "--keep", "0", "--json"], io), 75);
    const report = JSON.parse(out.join("")) as GcReport;
    assert.deepEqual(report.apps[0]?.removed, []);
    assert.equal(report.errors[0]?.code, "E_TRANSIENT");
    assert.match(report.errors[0]?.message ?? "", /Cannot lock .*radio\/\.drover-lock/);
  }
  assert.deepEqual((await readdir(join(app, "releases"))).sort(), ["1-aaaaaaa", "2-bbbbbbb", "3-ccccccc"]);
  setTimeout(() => held.release(), 300);
  out.length = 0;
  assert.equal(await command.run(["--target", d.target, "--keep", "0", "--wait", "10", "--json"], io), 0);
  assert.deepEqual((JSON.parse(out.join("")) as GcReport).apps[0]?.removed, ["1-aaaaaaa"]);
});

Deno.test("gc leaves a damaged app (current pointing at a missing release) alone and says how to recover", async () => {
  await using d = await device();
  await rm(join(d.target, "radio/releases/3-ccccccc"), { recursive: true });
  const out: string[] = [];
  const io = { stdout: (t: string) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false };
  assert.equal(await command.run(["--target", d.target, "--keep", "0", "--json"], io), 1);
  const report = JSON.parse(out.join("")) as GcReport;
  assert.deepEqual(report.apps[0]?.removed, []);
  assert.match(
    report.errors[0]?.message ?? "",
    /'current' -> releases\/3-ccccccc does not exist .*drover update/,
  );
  assert.deepEqual((await readdir(join(d.target, "radio/releases"))).sort(), ["1-aaaaaaa", "2-bbbbbbb"]);
});
