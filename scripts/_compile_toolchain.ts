/**
 * Private to scripts/ (`compile.ts`): the toolchains the binaries are made with. Node single executables
 * use the node binary of {@linkcode NODE_VERSION} for the target architecture, from npm
 * `node-linux-<arch>` (cached); `deno compile` runs the Deno that runs this script.
 * @module
 */
import { mkdir, rename, rm } from "node:fs/promises";
import { arch } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { exists, run } from "./_compile_run.ts";

/** The node version of every SEA target (the newest that npm has for all of x64, arm64 and armv7l). */
export const NODE_VERSION = "20.11.0";
/** The Deno version whose denort `deno compile` needs (the toolchain's own). */
export const DENO_VERSION = "2.9.6";

/** The project's root directory. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The host's architecture as node names it. */
export function hostNodeArch(): "x64" | "arm64" | "armv7l" {
  const a = arch();
  if (a === "x64" || a === "arm64") return a;
  if (a === "arm") return "armv7l";
  throw new RangeError(`Cannot compile: no node ${NODE_VERSION} for this host architecture (${a})`);
}

/** The deno executable: the one running this script, else `deno` on the PATH. */
export function denoPath(): string {
  return typeof Deno !== "undefined" ? Deno.execPath() : "deno";
}

/** The node binary of `nodeArch` at NODE_VERSION, from npm `node-linux-<arch>` (cached in `o.cacheDir`). */
export async function nodeBinary(
  nodeArch: string,
  o: { cacheDir: string; log: (line: string) => void },
): Promise<string> {
  const dir = join(o.cacheDir, "node", NODE_VERSION, nodeArch);
  const node = join(dir, "node");
  if (await exists(node)) return node;
  await mkdir(dir, { recursive: true });
  const spec = `node-linux-${nodeArch}@${NODE_VERSION}`;
  o.log(`fetching ${spec} from npm`);
  await run("npm", ["pack", spec, "--silent", "--pack-destination", dir], { cwd: dir, log: o.log });
  const tgz = join(dir, `node-linux-${nodeArch}-${NODE_VERSION}.tgz`);
  await run("tar", ["-xzf", tgz, "-C", dir, "package/bin/node"], { cwd: dir, log: o.log });
  await rename(join(dir, "package/bin/node"), `${node}.tmp`);
  await rm(join(dir, "package"), { recursive: true, force: true });
  await rm(tgz, { force: true });
  await rename(`${node}.tmp`, node);
  return node;
}
