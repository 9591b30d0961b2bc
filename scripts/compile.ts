/**
 * `deno task compile`: device binaries from the bundle `dist/drover.mjs`, two ways.
 *
 * - Node single-executable applications (SEA) for `linux-x64`, `linux-arm64` and `linux-armv7l`: SEA runs
 *   a CommonJS main, so the bundle is converted to CommonJS, or (it has top-level await) imported as an ES
 *   module by a small CommonJS loader; that becomes a SEA blob which `postject` injects into the node
 *   binary of the target architecture (npm `node-linux-<arch>`, all pinned to {@linkcode NODE_VERSION},
 *   the newest that npm has for armv7l: the blob must come from the same node version as the binary it
 *   goes into). Without a code cache or snapshot the blob is the same on every 64-bit architecture, so
 *   the host's node of that version makes it; for 32-bit armv7l its `size_t` lengths are re-encoded to
 *   4 bytes (a 64-bit blob aborts there). Linux has no code signature to strip (a macOS step).
 *   Each binary must print the bundle's `--version`: natively, or under qemu-user when installed.
 * - `deno compile` for x86_64 and aarch64 Linux. Its runtime (denort) comes from a host that is not
 *   reachable here: set `DENORT_BIN` (x86_64) and/or `DENORT_BIN_AARCH64` to an unpacked denort of the
 *   same Deno version; without them those targets are skipped with a message saying what is needed.
 *
 * Outputs `dist/bin/drover-linux-<arch>-<node|deno>`. A target whose inputs (bundle, node version, this
 * script's format) are unchanged is reused from the previous run. Progress goes to stderr; with
 * `--json` the result list goes to stdout.
 *
 * @example
 * ```ts ignore
 * import { compile } from "./compile.ts";
 * const [x64] = await compile({ targets: ["linux-x64-node"] });
 * console.log(x64?.path, x64?.size);
 * ```
 * @module
 */
import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, copyFile, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { arch } from "node:os";
import process from "node:process";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The node version of every SEA target (the newest that npm has for all of x64, arm64 and armv7l). */
export const NODE_VERSION = "20.11.0";
/** The Deno version whose denort `deno compile` needs (the toolchain's own). */
export const DENO_VERSION = "2.9.6";
/** Where node's SEA looks for the blob. */
export const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

/** A binary `compile()` can build. */
export type CompileTarget =
  | "linux-x64-node"
  | "linux-arm64-node"
  | "linux-armv7l-node"
  | "linux-x64-deno"
  | "linux-arm64-deno";

/** Every target, in build order. */
export const COMPILE_TARGETS: readonly CompileTarget[] = [
  "linux-x64-node",
  "linux-arm64-node",
  "linux-armv7l-node",
  "linux-x64-deno",
  "linux-arm64-deno",
];

/** Options of {@linkcode compile}. */
export interface CompileOptions {
  /** Targets to build (default: all). */
  targets?: readonly CompileTarget[];
  /** The ES module bundle (default `dist/drover.mjs`, built with `deno task build` when missing). */
  input?: string;
  /** Output directory (default `dist/bin`). */
  outDir?: string;
  /** Download and intermediate cache (default `dist/.cache`). */
  cacheDir?: string;
  /** denort binaries by architecture (default: env `DENORT_BIN`, `DENORT_BIN_AARCH64`). */
  denort?: { x64?: string; arm64?: string };
  /** Rebuild even when the inputs are unchanged. */
  force?: boolean;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
}

/** What happened to one target. */
export interface CompileResult {
  target: CompileTarget;
  /** The binary, when built or reused. */
  path?: string;
  size?: number;
  /** True when an unchanged previous build was reused. */
  cached?: boolean;
  /** Why the target was not built. */
  skipped?: string;
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const FORMAT = "compile-v2"; // bump when the way binaries are made changes (invalidates the cache)
const NODE_ARCH = {
  "linux-x64-node": "x64",
  "linux-arm64-node": "arm64",
  "linux-armv7l-node": "armv7l",
} as const;
const DENO_TRIPLE = {
  "linux-x64-deno": "x86_64-unknown-linux-gnu",
  "linux-arm64-deno": "aarch64-unknown-linux-gnu",
} as const;

/**
 * Build the device binaries; resolves to one result per target (built, reused or skipped with the reason).
 * Throws when a build that could run fails.
 *
 * @example
 * ```ts ignore
 * import { compile } from "./compile.ts";
 * for (const r of await compile()) console.log(r.target, r.path ?? r.skipped);
 * ```
 */
export async function compile(options: CompileOptions = {}): Promise<CompileResult[]> {
  const log = options.log ?? ((line: string) => process.stderr.write(`compile: ${line}\n`));
  const targets = options.targets ?? COMPILE_TARGETS;
  for (const t of targets) {
    if (!COMPILE_TARGETS.includes(t)) throw new RangeError(`Cannot compile: unknown target '${t}'`);
  }
  const input = resolve(options.input ?? join(ROOT, "dist/drover.mjs"));
  const outDir = resolve(options.outDir ?? join(ROOT, "dist/bin"));
  const cacheDir = resolve(options.cacheDir ?? join(ROOT, "dist/.cache"));
  await ensureBundle(input, options.input === undefined, log);
  await mkdir(outDir, { recursive: true });
  const results: CompileResult[] = [];
  let sea: { cjs: string; blob: string; key: string } | undefined;
  for (const target of targets) {
    const out = join(outDir, `drover-${target}`);
    if (target in NODE_ARCH) {
      sea ??= await prepareSea(input, cacheDir, log);
      const key = digest(`${FORMAT}\n${NODE_VERSION}\n${target}\n${sea.key}`);
      if (!options.force && await isFresh(out, cacheDir, target, key)) {
        log(`${target}: unchanged, reusing ${out}`);
      } else {
        const node = await nodeBinary(NODE_ARCH[target as keyof typeof NODE_ARCH], cacheDir, log);
        const blob = target === "linux-armv7l-node" ? await blob32(sea.blob) : sea.blob;
        await injectSea(node, blob, out, input, log);
        await writeStamp(cacheDir, target, key);
      }
      results.push({ target, path: out, size: (await stat(out)).size });
      continue;
    }
    const denort = target === "linux-x64-deno"
      ? options.denort?.x64 ?? process.env.DENORT_BIN
      : options.denort?.arm64 ?? process.env.DENORT_BIN_AARCH64;
    const triple = DENO_TRIPLE[target as keyof typeof DENO_TRIPLE];
    if (!denort) {
      const skipped =
        `needs denort ${DENO_VERSION} for ${triple}: unzip denort-${triple}.zip (Deno release ` +
        `v${DENO_VERSION}) and set ${target === "linux-x64-deno" ? "DENORT_BIN" : "DENORT_BIN_AARCH64"}` +
        `=/path/to/denort`;
      log(`${target}: skipped: ${skipped}`);
      results.push({ target, skipped });
      continue;
    }
    await denoCompile(input, out, { triple, denort, log });
    results.push({ target, path: out, size: (await stat(out)).size });
  }
  return results;
}

async function ensureBundle(input: string, isDefault: boolean, log: (line: string) => void): Promise<void> {
  if (await exists(input)) return;
  if (!isDefault) throw new TypeError(`Cannot compile: input ${input} does not exist`);
  log(`${input} missing: running deno task build`);
  await run(denoPath(), ["task", "build"], { cwd: ROOT, log });
  if (!(await exists(input))) throw new Error(`Cannot compile: deno task build did not write ${input}`);
}

/** The SEA main script (CommonJS) for the bundle, and its blob made by the host's node of NODE_VERSION. */
async function prepareSea(input: string, cacheDir: string, log: (line: string) => void) {
  const dir = join(cacheDir, "sea");
  await mkdir(dir, { recursive: true });
  const cjs = join(dir, "drover.cjs");
  await writeFile(cjs, await seaMain(input, log));
  const key = digest(await readFile(cjs));
  const blob = join(dir, `drover-${key.slice(0, 16)}.blob`);
  if (!(await exists(blob))) {
    const config = join(dir, "sea-config.json");
    const seaConfig = { main: cjs, output: `${blob}.tmp`, disableExperimentalSEAWarning: true };
    await writeFile(config, JSON.stringify(seaConfig, null, 2));
    const host = hostNodeArch();
    const node = await nodeBinary(host, cacheDir, log);
    log(`making the SEA blob with node ${NODE_VERSION} (${host})`);
    await run(node, ["--experimental-sea-config", config], { cwd: dir, log, quiet: true });
    await rename(`${blob}.tmp`, blob);
  }
  return { cjs, blob, key };
}

/**
 * SEA runs a CommonJS main whose `require` only loads built-ins. The bundle is converted to CommonJS; if
 * it uses top-level await (which CommonJS cannot express), a CommonJS loader imports it as a `data:` URL
 * module through a module compiled with a real file name (SEA's own main has none to resolve against).
 */
async function seaMain(input: string, log: (line: string) => void): Promise<string> {
  const esbuild = await import("esbuild");
  try {
    const common = {
      bundle: true,
      platform: "node",
      target: "node20",
      logLevel: "silent",
      write: false,
      define: { "import.meta.main": "true" },
    } as const;
    try {
      const { outputFiles, warnings } = await esbuild.build({
        ...common,
        entryPoints: [input],
        format: "cjs",
      });
      for (const w of warnings) log(`esbuild: ${w.text}`);
      return outputFiles[0]!.text;
    } catch (e) {
      if (!String(e).includes("Top-level await")) throw e;
    }
    // As an ES module: import.meta.url would be the data: URL (createRequire and fileURLToPath reject it),
    // so it becomes the executable's file URL.
    const { outputFiles } = await esbuild.build({
      ...common,
      entryPoints: [input],
      format: "esm",
      define: { ...common.define, "import.meta.url": "__droverSeaUrl" },
      banner: {
        js: 'import { pathToFileURL as __droverSeaPath } from "node:url";\n' +
          "const __droverSeaUrl = __droverSeaPath(process.execPath).href;",
      },
    });
    const url = `data:text/javascript;base64,${Buffer.from(outputFiles[0]!.contents).toString("base64")}`;
    log("bundle uses top-level await: SEA main imports it as an ES module");
    return [
      '"use strict";',
      'const { Module } = require("node:module");',
      `const url = ${JSON.stringify(url)};`,
      "const loader = new Module(process.execPath, null);",
      "loader.filename = process.execPath;",
      'loader._compile("module.exports = (url) => import(url);", process.execPath);',
      "loader.exports(url).catch((e) => {",
      '  process.stderr.write(`drover: ${String(e?.stack ?? e).replaceAll(url, "drover.mjs")}\\n`);',
      "  process.exitCode = 1;",
      "});",
      "",
    ].join("\n");
  } finally {
    await esbuild.stop();
  }
}

/** The node binary of `nodeArch` at NODE_VERSION, from npm `node-linux-<arch>` (cached). */
async function nodeBinary(nodeArch: string, cacheDir: string, log: (line: string) => void): Promise<string> {
  const dir = join(cacheDir, "node", NODE_VERSION, nodeArch);
  const node = join(dir, "node");
  if (await exists(node)) return node;
  await mkdir(dir, { recursive: true });
  const spec = `node-linux-${nodeArch}@${NODE_VERSION}`;
  log(`fetching ${spec} from npm`);
  await run("npm", ["pack", spec, "--silent", "--pack-destination", dir], { cwd: dir, log });
  const tgz = join(dir, `node-linux-${nodeArch}-${NODE_VERSION}.tgz`);
  await run("tar", ["-xzf", tgz, "-C", dir, "package/bin/node"], { cwd: dir, log });
  await rename(join(dir, "package/bin/node"), `${node}.tmp`);
  await rm(join(dir, "package"), { recursive: true, force: true });
  await rm(tgz, { force: true });
  await rename(`${node}.tmp`, node);
  return node;
}

async function injectSea(
  node: string,
  blob: string,
  out: string,
  input: string,
  log: (line: string) => void,
) {
  const tmp = `${out}.tmp`;
  await rm(tmp, { force: true });
  await copyFile(node, tmp);
  await chmod(tmp, 0o755);
  log(`injecting the SEA blob into ${tmp}`);
  const { inject } = await import("postject");
  // postject's LIEF prints harmless section-name warnings on stdout: keep stdout for data.
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => process.stderr.write(chunk)) as typeof write;
  try {
    await inject(tmp, "NODE_SEA_BLOB", await readFile(blob), { sentinelFuse: SEA_FUSE });
  } finally {
    process.stdout.write = write;
  }
  const targetArch = node.split("/").at(-2) as keyof typeof QEMU;
  const qemu = QEMU[targetArch];
  if (hostNodeArch() === targetArch) await smokeTest([tmp], input, log).catch(removing(tmp));
  else if (qemu && await exists(qemu[0]) && await exists(qemu[1])) {
    await smokeTest([qemu[0], "-L", qemu[1], tmp], input, log).catch(removing(tmp));
  }
  await rename(tmp, out);
  log(`wrote ${out}`);
}

async function denoCompile(
  input: string,
  out: string,
  o: { triple: string; denort: string; log: (line: string) => void },
): Promise<void> {
  if (!(await exists(o.denort))) throw new TypeError(`Cannot compile: denort ${o.denort} does not exist`);
  o.log(`deno compile --target ${o.triple} with DENORT_BIN=${o.denort}`);
  const args = ["compile", "-A", "--no-check", "--target", o.triple, "--output", `${out}.tmp`, input];
  await run(denoPath(), args, {
    cwd: ROOT,
    log: o.log,
    env: { ...process.env, DENORT_BIN: o.denort, NO_COLOR: "1" },
  });
  if (o.triple.startsWith(arch() === "x64" ? "x86_64" : arch() === "arm64" ? "aarch64" : "-")) {
    await smokeTest([`${out}.tmp`], input, o.log).catch(removing(`${out}.tmp`));
  }
  await rename(`${out}.tmp`, out);
  o.log(`wrote ${out}`);
}

/** A catch handler that removes `path`, then rethrows. */
function removing(path: string): (error: unknown) => Promise<never> {
  return async (error) => {
    await rm(path, { force: true });
    throw error;
  };
}

/** Emulators that run other targets' binaries for the smoke test when installed (apt: qemu-user + cross libc). */
const QEMU: Partial<Record<"x64" | "arm64" | "armv7l", [string, string]>> = {
  arm64: ["/usr/bin/qemu-aarch64", "/usr/aarch64-linux-gnu"],
  armv7l: ["/usr/bin/qemu-arm", "/usr/arm-linux-gnueabihf"],
};

/**
 * Node 20's SEA blob stores string lengths as `size_t`: 8 bytes as made on a 64-bit host, 4 bytes on a
 * 32-bit target (armv7l), which aborts on a 64-bit blob. Re-encodes the plain layout (no snapshot, no code
 * cache, no assets): magic u32, flags u32, then length + bytes of the code path and of the main script.
 */
async function blob32(path: string): Promise<string> {
  const out = `${path}.32`;
  if (await exists(out)) return out;
  const b = await readFile(path);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const flags = view.getUint32(4, true);
  if (flags & ~1) throw new Error(`Cannot convert the SEA blob to 32 bits: unsupported flags ${flags}`);
  const parts: Uint8Array[] = [b.subarray(0, 8)];
  let at = 8;
  for (const _ of ["code path", "main script"]) {
    const length = Number(view.getBigUint64(at, true));
    const size = new Uint8Array(4);
    new DataView(size.buffer).setUint32(0, length, true);
    parts.push(size, b.subarray(at + 8, at + 8 + length));
    at += 8 + length;
  }
  if (at !== b.length) {
    throw new Error(`Cannot convert the SEA blob to 32 bits: ${b.length - at} unexpected bytes`);
  }
  await writeFile(`${out}.tmp`, Buffer.concat(parts));
  await rename(`${out}.tmp`, out);
  return out;
}

/** The binary must print what the bundle prints for --version (catches a wrong DENORT_BIN, a bad blob). */
async function smokeTest(command: string[], input: string, log: (line: string) => void): Promise<void> {
  const binary = command.at(-1)!;
  const { stdout } = await run(command[0]!, [...command.slice(1), "--version"], {
    cwd: dirname(binary),
    log,
    quiet: true,
  });
  const expected = await run("node", [input, "--version"], { cwd: dirname(binary), log, quiet: true })
    .then((r) => r.stdout, () => undefined);
  if (expected !== undefined && stdout !== expected) {
    throw new Error(
      `Cannot compile: ${basename(binary)} --version printed '${stdout.trim()}' where the bundle prints ` +
        `'${expected.trim()}' (for deno targets: is DENORT_BIN a denort ${DENO_VERSION}?)`,
    );
  }
  const how = command.length > 1 ? ` (${basename(command[0]!)})` : "";
  log(`smoke test${how}: ${basename(binary)} --version -> ${stdout.trim()}`);
}

async function isFresh(out: string, cacheDir: string, target: string, key: string): Promise<boolean> {
  if (!(await exists(out))) return false;
  try {
    return (await readFile(join(cacheDir, "stamps", `${target}.key`), "utf8")) === key;
  } catch {
    return false;
  }
}

async function writeStamp(cacheDir: string, target: string, key: string): Promise<void> {
  await mkdir(join(cacheDir, "stamps"), { recursive: true });
  await writeFile(join(cacheDir, "stamps", `${target}.key`), key);
}

function hostNodeArch(): "x64" | "arm64" | "armv7l" {
  const a = arch();
  if (a === "x64" || a === "arm64") return a;
  if (a === "arm") return "armv7l";
  throw new RangeError(`Cannot compile: no node ${NODE_VERSION} for this host architecture (${a})`);
}

function denoPath(): string {
  return typeof Deno !== "undefined" ? Deno.execPath() : "deno";
}

function digest(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

async function exists(path: string): Promise<boolean> {
  return await stat(path).then(() => true, () => false);
}

function run(
  cmd: string,
  args: string[],
  o: { cwd: string; log: (line: string) => void; env?: Record<string, string | undefined>; quiet?: boolean },
): Promise<{ stdout: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, {
      cwd: o.cwd,
      env: o.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Uint8Array) => (stdout += d));
    child.stderr.on("data", (d: Uint8Array) => (stderr += d));
    child.on("error", (e) => reject(new Error(`Cannot run ${cmd}: ${e.message}`, { cause: e })));
    child.on("close", (code) => {
      if (code === 0) {
        if (!o.quiet && stderr.trim()) o.log(stderr.trim());
        return resolveRun({ stdout });
      }
      const output = (stderr || stdout).trim().replace(
        /data:text\/javascript;base64,[A-Za-z0-9+/=]+/g,
        "drover.mjs",
      );
      reject(new Error(`Cannot run ${cmd} ${args.join(" ")}: exit ${code}: ${output.slice(0, 4000)}`));
    });
  });
}

const USAGE = `Usage: deno task compile [--target TARGET]… [--input FILE] [--out-dir DIR] [--force] [--json]

Builds device binaries from dist/drover.mjs (runs deno task build when it is missing):
  linux-x64-node, linux-arm64-node, linux-armv7l-node   Node ${NODE_VERSION} single-executable apps
  linux-x64-deno, linux-arm64-deno                      deno compile; need DENORT_BIN / DENORT_BIN_AARCH64
                                                        (denort ${DENO_VERSION}, unzipped) or are skipped
Outputs dist/bin/drover-<target>. Unchanged inputs reuse the previous node build unless --force.
Each binary must print what \`node dist/drover.mjs --version\` prints: run natively, or for arm targets
under qemu-user when /usr/bin/qemu-arm, qemu-aarch64 and the cross libraries are installed.
`;

async function main(argv: string[]): Promise<number> {
  const targets: CompileTarget[] = [];
  const options: CompileOptions = {};
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new SyntaxError(`Cannot parse arguments: ${a} needs a value`);
      return v;
    };
    if (a === "--help" || a === "-h") {
      process.stdout.write(USAGE);
      return 0;
    } else if (a === "--target") targets.push(value() as CompileTarget);
    else if (a === "--input") options.input = value();
    else if (a === "--out-dir") options.outDir = value();
    else if (a === "--force") options.force = true;
    else if (a === "--json") json = true;
    else throw new SyntaxError(`Cannot parse arguments: unknown option '${a}'`);
  }
  if (targets.length) options.targets = targets;
  const results = await compile(options);
  if (json) process.stdout.write(JSON.stringify(results, null, 2) + "\n");
  else {
    for (const r of results) {
      const what = r.path
        ? `${r.path} (${((r.size ?? 0) / 1048576).toFixed(1)} MiB)`
        : `skipped: ${r.skipped}`;
      process.stdout.write(`${r.target}\t${what}\n`);
    }
  }
  return 0;
}

if (import.meta.main) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`compile: ${e instanceof Error ? e.message : e}\n`);
    process.exitCode = e instanceof SyntaxError || e instanceof RangeError ? 2 : 1;
  }
}
