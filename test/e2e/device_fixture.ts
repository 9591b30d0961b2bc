/**
 * Shared set-up of the device end-to-end tests: the bundles (built when missing or older than
 * the sources), a signed repository made with the repository CLI, app archives, a target with
 * installed apps, and `drover` runs as real child processes (Deno by default, or Node).
 *
 * @example
 * ```ts ignore
 * import { DeviceFixture } from "./device_fixture.ts";
 * await using fx = await DeviceFixture.create();
 * await fx.publish("acme/radio", "main", "aaaaaaa1", { "VERSION": "1\n" });
 * const r = await fx.drover(["check", ...fx.args()]);
 * ```
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root. */
export const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
export const DROVER = join(ROOT, "dist/drover.mjs");
export const DROVER_REPO = join(ROOT, "dist/drover-repo.mjs");

/** Output of a child process. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory && e.name !== "node_modules" && !e.name.startsWith(".")) {
      newest = Math.max(newest, await newestSource(p));
    } else if (e.isFile && e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
      newest = Math.max(newest, (await Deno.stat(p)).mtime?.getTime() ?? 0);
    }
  }
  return newest;
}

let built: Promise<void> | undefined;

/** Builds dist/drover.mjs and dist/drover-repo.mjs unless they are newer than every source. */
export function ensureBundles(): Promise<void> {
  return built ??= (async () => {
    const sources = Math.max(
      ...(await Promise.all(["core", "device", "scripts"].map((d) => newestSource(join(ROOT, d))))),
      (await Deno.stat(join(ROOT, "deno.json"))).mtime?.getTime() ?? 0,
    );
    const age = async (p: string) => (await Deno.stat(p).catch(() => undefined))?.mtime?.getTime() ?? 0;
    if ((await age(DROVER)) > sources && (await age(DROVER_REPO)) > sources) return;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(ROOT, "scripts/build.ts"), "drover", "repo"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(`Cannot build bundles: ${new TextDecoder().decode(out.stderr)}`);
  })();
}

/** Runs a command; never throws on a non-zero exit. */
export async function run(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; stdin?: string } = {},
): Promise<RunResult> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd: options.cwd,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Runs the bundled `drover` under Deno (default) or Node. */
export function drover(
  args: string[],
  options: { runtime?: "deno" | "node"; env?: Record<string, string>; cwd?: string } = {},
): Promise<RunResult> {
  return options.runtime === "node"
    ? run("node", [DROVER, ...args], options)
    : run(Deno.execPath(), ["run", "-A", DROVER, ...args], options);
}

/** Writes a tar.gz of `files` (path -> content; mode 0755 when the content starts with "#!"). */
export async function makeArchive(path: string, files: Record<string, string>): Promise<string> {
  const src = await Deno.makeTempDir({ prefix: "drover-src-" });
  try {
    for (const [rel, content] of Object.entries(files)) {
      const p = join(src, rel);
      await Deno.mkdir(dirname(p), { recursive: true });
      await Deno.writeTextFile(p, content, { mode: content.startsWith("#!") ? 0o755 : 0o644 });
    }
    const r = await run("tar", ["czf", path, "-C", src, "."]);
    if (r.code !== 0) throw new Error(`Cannot make archive: ${r.stderr}`);
  } finally {
    await Deno.remove(src, { recursive: true });
  }
  return path;
}

/** A temp directory with repo/, keys/, target/, ws/, and helpers to drive them. */
export class DeviceFixture {
  readonly dir: string;
  readonly repo: string;
  readonly keys: string;
  readonly target: string;
  readonly ws: string;
  #archives = 0;

  private constructor(dir: string) {
    this.dir = dir;
    this.repo = join(dir, "repo");
    this.keys = join(dir, "keys");
    this.target = join(dir, "target");
    this.ws = join(dir, "ws");
  }

  /** Builds the bundles if needed, initialises a repository and provisions its root in ws/tuf/. */
  static async create(options: { provision?: boolean } = {}): Promise<DeviceFixture> {
    await ensureBundles();
    const fx = new DeviceFixture(await Deno.makeTempDir({ prefix: "drover-e2e-" }));
    await Deno.mkdir(fx.target);
    await fx.repoCli(["init", "--repo", fx.repo, "--keys", fx.keys]);
    if (options.provision ?? true) {
      await Deno.mkdir(join(fx.ws, "tuf"), { recursive: true });
      await Deno.copyFile(join(fx.repo, "tuf/1.root.json"), join(fx.ws, "tuf/root.json"));
    }
    return fx;
  }

  /** Runs the repository CLI (bundled, under Node); throws on failure. */
  async repoCli(args: string[]): Promise<string> {
    const r = await run("node", [DROVER_REPO, ...args]);
    if (r.code !== 0) throw new Error(`repo ${args[0]} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  }

  /** Archives `files` and publishes them as `name`@`ref` `commit`; returns the archive path. */
  async publish(
    name: string,
    ref: string,
    commit: string,
    files: Record<string, string>,
    options: { allowDowngrade?: boolean } = {},
  ): Promise<string> {
    const archive = await makeArchive(join(this.dir, `a${++this.#archives}.tar.gz`), files);
    await this.repoCli([
      "add-app",
      "--repo",
      this.repo,
      "--keys",
      this.keys,
      "--name",
      name,
      "--ref",
      ref,
      "--commit",
      commit,
      "--file",
      archive,
      ...(options.allowDowngrade ? ["--allow-downgrade"] : []),
    ]);
    return archive;
  }

  /** Creates `<target>/<dirName>` with one release `id` holding `deploy` and `files`, `current` -> it. */
  async installApp(
    dirName: string,
    deploy: Record<string, unknown>,
    options: { id?: string; absolute?: boolean; files?: Record<string, string> } = {},
  ): Promise<string> {
    const app = join(this.target, dirName);
    const id = options.id ?? "0";
    const rel = join(app, "releases", id);
    await Deno.mkdir(rel, { recursive: true });
    await Deno.writeTextFile(join(rel, ".deploy"), JSON.stringify(deploy));
    for (const [p, c] of Object.entries(options.files ?? {})) await Deno.writeTextFile(join(rel, p), c);
    await Deno.symlink(options.absolute ? rel : `releases/${id}`, join(app, "current"));
    return app;
  }

  /** `--target T --workspace W`. */
  args(): string[] {
    return ["--target", this.target, "--workspace", this.ws];
  }

  /** `--api` of the repository as file://. */
  fileApi(): string {
    return `file://${this.repo}`;
  }

  /** The commit in `<app>/current/.deploy`. */
  async currentCommit(dirName: string): Promise<string> {
    return JSON.parse(await Deno.readTextFile(join(this.target, dirName, "current/.deploy"))).commit;
  }

  /** Link text of `<app>/<name>`. */
  link(dirName: string, name: "current" | "previous"): Promise<string> {
    return Deno.readLink(join(this.target, dirName, name));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Deno.remove(this.dir, { recursive: true });
  }
}

/** Parses the one JSON document a `--json` run printed (fails the test with the output otherwise). */
// deno-lint-ignore no-explicit-any
export function jsonOf(r: RunResult): any {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not one JSON document (exit ${r.code}):\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
  }
}
