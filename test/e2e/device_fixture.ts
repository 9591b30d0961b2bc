/**
 * Shared set-up of the device end-to-end tests: a signed repository made with the repository CLI,
 * app archives, a target with installed apps, and `drover` runs as real child processes through
 * test/harness.ts (which also builds the bundles), under Deno by default here, or Node.
 *
 * @example
 * ```ts ignore
 * import { DeviceFixture, drover } from "./device_fixture.ts";
 * await using fx = await DeviceFixture.create();
 * await fx.publish("acme/radio", "main", "aaaaaaa1", { "VERSION": "1\n" });
 * const r = await drover(["check", ...fx.args()]);
 * ```
 * @module
 */
import { dirname, join } from "node:path";
import {
  DROVER_REPO_MJS,
  ensureBundle,
  runCommand,
  runDrover,
  type RunOptions,
  type RunResult,
} from "../harness.ts";

/**
 * The device e2e suite's `drover`: test/harness.ts's {@linkcode runDrover}, under Deno unless
 * `options.runtime` says Node (the attack and crash suites run it under Node).
 */
export function drover(args: string[], options: RunOptions = {}): Promise<RunResult> {
  return runDrover(args, { ...options, runtime: options.runtime ?? "deno" });
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
    const r = await runCommand("tar", ["czf", path, "-C", src, "."]);
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
    await ensureBundle();
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
    const r = await runCommand("node", [DROVER_REPO_MJS, ...args]);
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
