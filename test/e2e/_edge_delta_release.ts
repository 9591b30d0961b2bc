/**
 * The releases of the edge delta scenario (`_edge_delta.ts`): an app tree of 100 files of 32 KiB,
 * reproducible archives of it, `repo add-app` and `repo push` with the bundled repository CLI under
 * Node, and the repository's current targets metadata.
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { decodeMetadata } from "../../core/trust/mod.ts";
import { DROVER_REPO_MJS, runCommand } from "../harness.ts";
import type { DeviceFixture } from "./device_fixture.ts";

/** The publish token the edges of the scenario take. */
export const TOKEN = "delta-push-token-0123456789";

/** The app the device runs (installed by hand at commit 0000000). */
export const APP = { name: "acme/radio", ref: "main", commit: "0000000" } as const;

/** One target of a `repo push --json` report. */
export interface Pushed {
  path: string;
  sha256: string;
  bytes: number;
}

/** A target entry of signed targets metadata (the fields the scenario reads). */
export interface TargetEntry {
  length: number;
  hashes: { sha256: string };
}

/** 100 files of 32 KiB (pseudo-random hex, seeded by index; `changed` ones differ). */
export function tree(changed: Set<number> = new Set()): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < 100; i++) {
    let x = (i + 1) * 2654435761 + (changed.has(i) ? 977 : 0);
    let s = "";
    while (s.length < 32768) {
      x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
      s += x.toString(16).padStart(8, "0");
    }
    files[`data/f${String(i).padStart(3, "0")}.txt`] = s;
  }
  return files;
}

/** `repo add-app` of a reproducible tar.gz of `files` (sorted names, fixed mtime and owner) as `commit`; the archive. */
export async function addApp(
  fx: DeviceFixture,
  commit: string,
  files: Record<string, string>,
): Promise<string> {
  const src = join(fx.dir, `src-${commit}`);
  for (const [rel, content] of Object.entries(files)) {
    await Deno.mkdir(dirname(join(src, rel)), { recursive: true });
    await Deno.writeTextFile(join(src, rel), content);
  }
  const file = join(fx.dir, `${commit}.tar.gz`);
  const r = await runCommand("bash", [
    "-c",
    `tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - -C "${src}" . | gzip -6 -n > "${file}"`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  await fx.repoCli([
    ...["add-app", "--repo", fx.repo, "--keys", fx.keys],
    ...["--name", APP.name, "--ref", APP.ref, "--commit", commit, "--file", file],
  ]);
  return file;
}

/** `repo push --repo R --edge URL --json` (exit 0 asserted); its report. */
// deno-lint-ignore no-explicit-any
export async function push(fx: DeviceFixture, edge: string): Promise<any> {
  const argv = [DROVER_REPO_MJS, "push", "--repo", fx.repo, "--edge", edge, "--json"];
  const r = await runCommand("node", argv, { env: { DROVER_TOKEN: TOKEN }, timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return JSON.parse(r.stdout);
}

/** Where a target of the push is served: `<edge>/targets/<dir>/<sha256>.<basename>`. */
export function servedAt(edge: string, t: Pushed): string {
  const slash = t.path.lastIndexOf("/") + 1;
  return `${edge}/targets/${t.path.slice(0, slash)}${t.sha256}.${t.path.slice(slash)}`;
}

/** The repository's current targets metadata (signed part) and its path. */
export async function localTargets(fx: DeviceFixture) {
  const read = async (path: string) => decodeMetadata(await Deno.readFile(join(fx.repo, path))).signed;
  const timestamp = await read("tuf/timestamp.json") as { meta: Record<string, { version: number }> };
  const snapshotPath = `tuf/${timestamp.meta["snapshot.json"]!.version}.snapshot.json`;
  const snapshot = await read(snapshotPath) as { meta: Record<string, { version: number }> };
  const path = `tuf/${snapshot.meta["targets.json"]!.version}.targets.json`;
  return { path, signed: await read(path) as { version: number; targets: Record<string, TargetEntry> } };
}
