/**
 * Private to scripts/bench (the install benchmark): the large release (`release.tar.gz`: mostly
 * incompressible files plus a few hundred small ones, gzip -1) and its repository (`scripts/repo.ts`),
 * each made once in the working directory and reused by later runs.
 * @module
 */
import { randomFillSync } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { exec } from "./_processes.ts";
import { APP, DENO, ROOT } from "./_install_constants.ts";

/** Random (incompressible) 8 MiB files and up to 400 small text files (<= 3%): `sizeMiB` in all, gzip -1. */
export async function makeRelease(work: string, sizeMiB: number, log: (line: string) => void) {
  const archive = join(work, "release.tar.gz");
  const content = join(work, "content");
  const marker = join(work, "release.done");
  if (existsSync(marker)) return { archive, contentBytes: Number(await readFile(marker, "utf8")) };
  log(`making a ${sizeMiB} MiB release (once; cached in ${work})`);
  await rm(work, { recursive: true, force: true });
  await mkdir(join(content, "data"), { recursive: true });
  await mkdir(join(content, "src"), { recursive: true });
  let bytes = 0;
  const big = new Uint8Array(8 << 20);
  const small = "export const line = 'the quick brown fox jumps over the lazy dog';\n".repeat(60);
  const smallCount = Math.min(400, Math.floor((sizeMiB * 1048576 * 0.03) / small.length));
  const bigBytes = sizeMiB * 1048576 - smallCount * small.length;
  for (let i = 0; bytes < bigBytes; i++) {
    const n = Math.min(big.length, bigBytes - bytes);
    randomFillSync(big);
    await writeFile(join(content, "data", `blob-${String(i).padStart(4, "0")}.bin`), big.subarray(0, n));
    bytes += n;
  }
  for (let i = 0; i < smallCount; i++) {
    await writeFile(join(content, "src", `module-${i}.js`), small);
    bytes += small.length;
  }
  await exec("bash", ["-c", `tar -cf - -C "${content}" . | gzip -1 > "${archive}.tmp"`]);
  await rename(`${archive}.tmp`, archive);
  await rm(content, { recursive: true, force: true });
  await writeFile(marker, String(bytes));
  return { archive, contentBytes: bytes };
}

/** The repository (keys beside it) that publishes `archive` as {@linkcode APP}; resolves its directory. */
export async function makeRepo(work: string, archive: string, log: (line: string) => void): Promise<string> {
  const repo = join(work, "repo");
  if (existsSync(join(repo, "releases.json"))) return repo;
  log("publishing it with scripts/repo.ts");
  await rm(repo, { recursive: true, force: true });
  await rm(`${repo}.keys`, { recursive: true, force: true });
  const cli = [DENO, "run", "-A", join(ROOT, "scripts/repo.ts")] as const;
  await exec(cli[0], [...cli.slice(1), "init", "--repo", repo, "--keys", `${repo}.keys`]);
  const add = ["add-app", "--repo", repo, "--keys", `${repo}.keys`, "--name", APP.name, "--ref", APP.ref];
  await exec(cli[0], [...cli.slice(1), ...add, "--commit", APP.commit, "--file", archive]);
  return repo;
}

/** The archive's path in `repo` (from its releases.json), without the leading slash. */
export async function archiveUrl(repo: string): Promise<string> {
  const doc = JSON.parse(await readFile(join(repo, "releases.json"), "utf8"));
  const file = doc[APP.name]?.[APP.ref]?.file;
  if (typeof file !== "string") {
    throw new Error(`Cannot bench install: ${APP.name} missing from releases.json`);
  }
  return file.replace(/^\//, "");
}
