/**
 * Private to scripts/bench (the install benchmark): one timed run of each contender. The baseline is
 * `curl -s URL | tee >(openssl dgst -sha256 >/dev/null) | tar xz -C DIR`; drover runs `update`, `check`
 * or `install` (the bundle under node or deno) against a device with an older release of the app, its
 * peak RSS measured (`_processes.ts`).
 * @module
 */
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exec, execMeasured } from "./_processes.ts";
import { APP, DENO, ROOT } from "./_install_constants.ts";

/** One contender's run: its time and (drover) the peak RSS of the measured process, MiB. */
export interface ContenderRun {
  name: string;
  seconds: number;
  /** Relative to the baseline's time (0 until the caller computes it). */
  ratio: number;
  peakRssMiB?: number;
}

/** The baseline: `url` downloaded, hashed and extracted into `out` by the native tools. */
export async function baseline(url: string, out: string): Promise<ContenderRun> {
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await exec("sync", []);
  const started = performance.now();
  await exec("bash", [
    "-c",
    `set -o pipefail; curl -sf "${url}" | tee >(openssl dgst -sha256 >/dev/null) | tar xz -C "${out}"`,
  ]);
  return { name: "baseline", seconds: (performance.now() - started) / 1000, ratio: 1 };
}

/** A device with an older release of the app installed (radiodan-style, made by hand) and a fresh workspace. */
async function freshDevice(work: string, repo: string) {
  const device = join(work, "device");
  await rm(device, { recursive: true, force: true });
  const release = join(device, "target/big-app/releases/0-aaaaaaaaaaaa");
  await mkdir(release, { recursive: true });
  await writeFile(
    join(release, ".deploy"),
    JSON.stringify({ name: APP.name, ref: APP.ref, commit: APP.oldCommit }),
  );
  await symlink("releases/0-aaaaaaaaaaaa", join(device, "target/big-app/current"));
  await mkdir(join(device, "workspace"), { recursive: true });
  return {
    target: join(device, "target"),
    workspace: join(device, "workspace"),
    root: join(repo, "tuf/1.root.json"),
  };
}

/**
 * `drover <command>` from `o.bundle` under `runtime` against the repository served at `api`: on a fresh
 * device, or (`keep`) on the device the previous run left in `work`.
 */
export async function droverRun(
  runtime: "node" | "deno",
  command: "update" | "check" | "install",
  o: { work: string; repo: string; api: string; keep?: boolean; bundle: string },
): Promise<ContenderRun> {
  const { work, repo, api } = o;
  const device = o.keep
    ? {
      target: join(work, "device/target"),
      workspace: join(work, "device/workspace"),
      root: join(repo, "tuf/1.root.json"),
    }
    : await freshDevice(work, repo);
  const args = [command, "--target", device.target, "--workspace", device.workspace];
  if (command !== "install") args.push("--api", api, "--trusted-root", device.root);
  const bundle = o.bundle;
  const argv = runtime === "node" ? ["node", bundle, ...args] : [DENO, "run", "-A", bundle, ...args];
  await exec("sync", []);
  const started = performance.now();
  const peakKiB = await execMeasured(argv, join(ROOT, ".bench"));
  const seconds = (performance.now() - started) / 1000;
  return { name: `drover ${command} (${runtime})`, seconds, ratio: 0, peakRssMiB: peakKiB / 1024 };
}
