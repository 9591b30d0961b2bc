import assert from "node:assert/strict";
import { randomFillSync } from "node:crypto";
import { join } from "node:path";
import { serveStatic } from "./static_server.ts";
import { DeviceFixture } from "./device_fixture.ts";
import { DROVER_MJS, runCommand } from "../harness.ts";

// Peak memory of the one download path: a 128 MiB release downloaded, verified and extracted in one
// pass (`update`), measured on the real process beside the same runtime's idle footprint
// (`drover --version`). Dead chunk buffers are what piles up (see device/fs/gc_hint.ts).

const MIB = 1024 * 1024;

/** Runs argv to the end; resolves to its peak RSS in MiB (VmHWM polled from /proc). */
async function peakRss(argv: string[]): Promise<{ code: number; peakMiB: number; stderr: string }> {
  const child = new Deno.Command(argv[0]!, { args: argv.slice(1), stdout: "null", stderr: "piped" }).spawn();
  let peak = 0;
  const poll = setInterval(async () => {
    const status = await Deno.readTextFile(`/proc/${child.pid}/status`).catch(() => "");
    const m = /VmHWM:\s+(\d+)/.exec(status);
    if (m) peak = Math.max(peak, Number(m[1]));
  }, 10);
  const out = await child.output().finally(() => clearInterval(poll));
  return { code: out.code, peakMiB: peak / 1024, stderr: new TextDecoder().decode(out.stderr) };
}

function droverArgv(runtime: "node" | "deno", args: string[]): string[] {
  return runtime === "node"
    ? ["node", DROVER_MJS, ...args]
    : [Deno.execPath(), "run", "-A", DROVER_MJS, ...args];
}

async function bigRelease(fx: DeviceFixture): Promise<void> {
  const src = join(fx.dir, "src");
  await Deno.mkdir(join(src, "data"), { recursive: true });
  const block = new Uint8Array(8 * MIB);
  for (let i = 0; i < 16; i++) {
    randomFillSync(block);
    await Deno.writeFile(join(src, "data", `blob-${i}.bin`), block);
  }
  const archive = join(fx.dir, "big.tar.gz");
  const tar = await runCommand("bash", ["-c", `tar -cf - -C "${src}" . | gzip -1 > "${archive}"`]);
  assert.equal(tar.code, 0, tar.stderr);
  await Deno.remove(src, { recursive: true });
  await fx.repoCli([
    ..."add-app --name acme/radio --ref main --commit aaaaaaa1".split(" "),
    ...["--repo", fx.repo, "--keys", fx.keys, "--file", archive],
  ]);
}

// Node only: Deno sits at the budget's edge (idle + 20-34 MiB run to run: its gc is always a full
// collection, and ~12 MiB of its own code pages in with fetch, zlib and the file system; see
// device/fs/gc_hint.ts and issue 8), so asserting it there would fail at random.
const BUDGET_MIB = 32;

for (const runtime of ["node"] as const) {
  Deno.test(`update (${runtime}) of a 128 MiB release peaks within ${BUDGET_MIB} MiB of the idle runtime`, async () => {
    const fx = await DeviceFixture.create();
    await using _fx = fx;
    await fx.installApp("radio", { name: "acme/radio", ref: "main", commit: "0000000" });
    await bigRelease(fx);
    await using server = serveStatic(fx.repo);
    const idle = await peakRss(droverArgv(runtime, ["--version"]));
    assert.equal(idle.code, 0, idle.stderr);
    const update = await peakRss(droverArgv(runtime, ["update", ...fx.args(), "--api", server.url.href]));
    assert.equal(update.code, 0, update.stderr);
    assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");
    const over = update.peakMiB - idle.peakMiB;
    if (Deno.env.get("DEBUG_MEMORY")) {
      console.error(`${runtime}: idle ${idle.peakMiB} MiB, update ${update.peakMiB} MiB`);
    }
    assert.ok(
      over <= BUDGET_MIB,
      `peak ${update.peakMiB.toFixed(1)} MiB is ${over.toFixed(1)} MiB over idle ${
        idle.peakMiB.toFixed(1)
      } MiB`,
    );
  });
}
