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
 * `--json` the result list goes to stdout. The steps are private files beside this one: `_compile_sea.ts`,
 * `_compile_blob32.ts`, `_compile_deno.ts`, `_compile_smoke.ts`, `_compile_toolchain.ts`, `_compile_run.ts`.
 *
 * @example
 * ```ts ignore
 * import { compile } from "./compile.ts";
 * const [x64] = await compile({ targets: ["linux-x64-node"] });
 * console.log(x64?.path, x64?.size);
 * ```
 * @module
 */
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import process from "node:process";
import { join, resolve } from "node:path";
import { blob32 } from "./_compile_blob32.ts";
import { denoCompile } from "./_compile_deno.ts";
import { digest, exists, run } from "./_compile_run.ts";
import { injectSea, prepareSea } from "./_compile_sea.ts";
import { DENO_VERSION, denoPath, NODE_VERSION, nodeBinary, ROOT } from "./_compile_toolchain.ts";

export { SEA_FUSE } from "./_compile_sea.ts";
export { DENO_VERSION, NODE_VERSION } from "./_compile_toolchain.ts";

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
  await ensureBundle(input, { isDefault: options.input === undefined, log });
  await mkdir(outDir, { recursive: true });
  const results: CompileResult[] = [];
  let sea: { cjs: string; blob: string; key: string } | undefined;
  for (const target of targets) {
    const out = join(outDir, `drover-${target}`);
    if (target in NODE_ARCH) {
      sea ??= await prepareSea(input, { cacheDir, log });
      const key = digest(`${FORMAT}\n${NODE_VERSION}\n${target}\n${sea.key}`);
      if (!options.force && await isFresh(out, { cacheDir, target, key })) {
        log(`${target}: unchanged, reusing ${out}`);
      } else {
        const node = await nodeBinary(NODE_ARCH[target as keyof typeof NODE_ARCH], { cacheDir, log });
        const blob = target === "linux-armv7l-node" ? await blob32(sea.blob) : sea.blob;
        await injectSea(node, out, { blob, input, log });
        await writeStamp(cacheDir, { target, key });
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

async function ensureBundle(
  input: string,
  o: { isDefault: boolean; log: (line: string) => void },
): Promise<void> {
  if (await exists(input)) return;
  if (!o.isDefault) throw new TypeError(`Cannot compile: input ${input} does not exist`);
  o.log(`${input} missing: running deno task build`);
  await run(denoPath(), ["task", "build"], { cwd: ROOT, log: o.log });
  if (!(await exists(input))) throw new Error(`Cannot compile: deno task build did not write ${input}`);
}

/** Whether `out` exists and was built from inputs whose key is `o.key` (its stamp in `<cacheDir>/stamps`). */
async function isFresh(out: string, o: { cacheDir: string; target: string; key: string }): Promise<boolean> {
  if (!(await exists(out))) return false;
  try {
    return (await readFile(join(o.cacheDir, "stamps", `${o.target}.key`), "utf8")) === o.key;
  } catch {
    return false;
  }
}

async function writeStamp(cacheDir: string, o: { target: string; key: string }): Promise<void> {
  await mkdir(join(cacheDir, "stamps"), { recursive: true });
  await writeFile(join(cacheDir, "stamps", `${o.target}.key`), o.key);
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
