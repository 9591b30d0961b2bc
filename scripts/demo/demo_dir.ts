/**
 * The demo's working directory: a fresh temporary one, or `--dir DIR` when DIR is missing, empty
 * or made by an earlier demo (its marker file `.drover-demo`; what that demo left is cleared).
 * Never `./.data` nor `$DROVER_DATA`, nor a directory inside or around them: the demo must not
 * touch a real repository or fleet. Layout: `repo/` (the edge's repository, its `keys/` and
 * `fleet.sqlite`), `devices/dNN/` (each device's target and workspace), `releases/` (archives).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { existsSync } from "node:fs";
 * import { openDemoDir } from "./demo_dir.ts";
 * const dir = await openDemoDir({}, { cwd: Deno.cwd(), env: {} });
 * assert.ok(existsSync(dir.repo) === false && existsSync(dir.root));
 * await dir.remove();
 * assert.equal(existsSync(dir.root), false);
 * ```
 * @module
 */
import { existsSync, realpathSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";

const MARKER = ".drover-demo";
const PARTS = ["repo", "devices", "releases"] as const;

/** The working directory and its parts (absolute paths). */
export interface DemoDir {
  root: string;
  /** The repository the edge serves (`DROVER_DATA` of this edge). */
  repo: string;
  devices: string;
  releases: string;
  /** Removes what the demo made: the whole directory if it made it, else its parts and marker. */
  remove(): Promise<void>;
}

/**
 * Opens the working directory. `where.cwd` resolves `./.data` and a relative `--dir`;
 * `where.env.DROVER_DATA`, when set, is refused like `./.data`.
 */
export async function openDemoDir(
  options: { dir?: string },
  where: { cwd: string; env: Record<string, string | undefined> },
): Promise<DemoDir> {
  let root: string;
  let made: boolean;
  if (options.dir === undefined) {
    root = await mkdtemp(join(tmpdir(), "drover-demo-"));
    made = true;
  } else {
    root = canonical(resolve(where.cwd, options.dir));
    const shown = options.dir;
    const forbidden = [{ path: resolve(where.cwd, ".data"), name: "./.data" }];
    if (where.env.DROVER_DATA) {
      forbidden.push({ path: resolve(where.cwd, where.env.DROVER_DATA), name: "$DROVER_DATA" });
    }
    for (const f of forbidden) {
      const path = canonical(f.path);
      if (overlaps(root, path)) {
        throw new Error(
          `Cannot use --dir ${shown}: it is or overlaps ${f.name} (${path}); the demo never touches it`,
        );
      }
    }
    made = !existsSync(root);
    if (!made) await checkReusable(root, shown);
    await mkdir(root, { recursive: true });
  }
  await writeFile(join(root, MARKER), "made by `deno task demo`; removed when the demo stops\n");
  const dir = {
    root,
    repo: join(root, "repo"),
    devices: join(root, "devices"),
    releases: join(root, "releases"),
    async remove() {
      if (made) return await rm(root, { recursive: true, force: true });
      for (const part of [...PARTS, MARKER]) await rm(join(root, part), { recursive: true, force: true });
    },
  };
  // a directory an earlier demo left: start afresh
  for (const part of PARTS) await rm(join(root, part), { recursive: true, force: true });
  return dir;
}

/** An existing `--dir` must be an empty directory or one an earlier demo made. */
async function checkReusable(root: string, shown: string): Promise<void> {
  const info = await stat(root);
  if (!info.isDirectory()) throw new Error(`Cannot use --dir ${shown}: it is not a directory`);
  const entries = await readdir(root);
  if (entries.length === 0 || entries.includes(MARKER)) return;
  const repository = existsSync(join(root, "tuf", "root.json")) || existsSync(join(root, "repo", "tuf"));
  throw new Error(
    `Cannot use --dir ${shown}: it ${
      repository ? "holds a repository" : "is not empty"
    } and was not made by the demo (give a missing or empty directory)`,
  );
}

/** Whether one of the two paths is the other or inside it. */
function overlaps(a: string, b: string): boolean {
  const inside = (child: string, parent: string) => {
    const r = relative(parent, child);
    return r === "" || (!r.startsWith("..") && !r.startsWith("/"));
  };
  return inside(a, b) || inside(b, a);
}

/** `path` with symbolic links resolved as far as it exists. */
function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(canonical(parent), basename(path));
  }
}
