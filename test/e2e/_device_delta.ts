/**
 * Private to test/e2e: the app the device delta tests publish (200 files of 16 KiB, reproducible
 * archives as a release pipeline makes them), and where the device keeps its seeds.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import { runCommand } from "../harness.ts";
import { DeviceFixture } from "./device_fixture.ts";

export const APP = { name: "acme/radio", ref: "main", commit: "0000000" };

/**
 * 200 files of 16 KiB (pseudo-random hex, seeded by name and version): version 1, or 2 for the
 * files in `changed`, or 3 for those in `third`.
 */
export function tree(
  changed: Set<number> = new Set(),
  third: Set<number> = new Set(),
): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < 200; i++) {
    let x = (i + 1) * 2654435761 + (changed.has(i) ? 977 : 0) + (third.has(i) ? 1955 : 0);
    let s = "";
    while (s.length < 16384) {
      x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
      s += x.toString(16).padStart(8, "0");
    }
    files[`data/f${String(i).padStart(3, "0")}.txt`] = s;
  }
  return files;
}

/** The numbers `from` to `to` (exclusive). */
export const range = (from: number, to: number): Set<number> =>
  new Set(Array.from({ length: to - from }, (_, i) => from + i));

/** A reproducible tar.gz (sorted names, fixed mtime and owner). */
async function archive(fx: DeviceFixture, name: string, files: Record<string, string>): Promise<string> {
  const src = join(fx.dir, `src-${name}`);
  for (const [rel, content] of Object.entries(files)) {
    await Deno.mkdir(dirname(join(src, rel)), { recursive: true });
    await Deno.writeTextFile(join(src, rel), content);
  }
  const out = join(fx.dir, `${name}.tar.gz`);
  const r = await runCommand("bash", [
    "-c",
    `tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - -C "${src}" . | gzip -6 -n > "${out}"`,
  ]);
  assert.equal(r.code, 0, r.stderr);
  return out;
}

/** Publishes `files` as release `commit` of the app; its artifact's size and sha256. */
export async function publish(
  fx: DeviceFixture,
  commit: string,
  files: Record<string, string>,
): Promise<{ size: number; sha256: string }> {
  const file = await archive(fx, commit, files);
  await fx.repoCli([
    ...["add-app", "--repo", fx.repo, "--keys", fx.keys],
    ...["--name", APP.name, "--ref", APP.ref, "--commit", commit, "--file", file],
  ]);
  const bytes = await Deno.readFile(file);
  return { size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
}

export async function assertTree(fx: DeviceFixture, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    assert.equal(await Deno.readTextFile(join(fx.target, "radio/current", rel)), content, rel);
  }
}

/** A device with a radiodan release of the app installed, release 1 published. */
export async function setUp(): Promise<{ fx: DeviceFixture; r1: { size: number; sha256: string } }> {
  const fx = await DeviceFixture.create();
  await fx.installApp("radio", APP);
  const r1 = await publish(fx, "aaaaaaa1", tree());
  return { fx, r1 };
}

/** The app's seeds folder. */
export const seedDir = (fx: DeviceFixture): string => join(fx.ws, "seeds", "acme~radio");

/** The sha256 names of the app's seeds, sorted. */
export function seeds(fx: DeviceFixture): string[] {
  try {
    return [...Deno.readDirSync(seedDir(fx))].map((e) => e.name).filter((n) => n.endsWith(".blob"))
      .map((n) => n.slice(0, -".blob".length)).sort();
  } catch {
    return [];
  }
}

/** The header of a seed's cached chunk list (`source`: "index" or "chunked"). */
export async function seedListHead(fx: DeviceFixture, sha256: string): Promise<Record<string, unknown>> {
  const bytes = await Deno.readFile(join(seedDir(fx), `${sha256}.cidx-local`));
  const end = bytes.indexOf(0x0a, 9);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(9, end)));
}

export const packRequests = (reqs: { path: string; range: string | null }[]): typeof reqs =>
  reqs.filter((r) => r.path.endsWith(".cpack"));
