/**
 * `deno task build`: bundles with esbuild
 * - `dist/drover.mjs` from `device/drover.ts` (platform node, ESM, `#!/usr/bin/env node`, a
 *   `createRequire` banner so CommonJS dependencies work): runs with `node` (20+) and `deno run -A`;
 * - `dist/drover-repo.mjs` from `scripts/repo.ts` (same options);
 * - `dist/drover-fleet.mjs` from `scripts/fleet.ts` (same options);
 * - `dist/worker.js` from `edge/worker.ts` when it exists (options from `edge/worker_build.ts`'s
 *   `workerBuildOptions()` when present, else platform neutral, conditions workerd/worker/browser).
 *
 * @example
 * ```sh
 * deno task build            # all bundles
 * deno run -A scripts/build.ts drover   # only dist/drover.mjs
 * ```
 * @module
 */
import { existsSync } from "node:fs";
import { chmod, mkdir, rename } from "node:fs/promises";
import process from "node:process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { importMapPlugin, nodeBuiltinsPlugin } from "./esbuild_plugins.ts";

/** Repository root. */
export const ROOT: string = dirname(dirname(fileURLToPath(import.meta.url)));

const BANNER = [
  "#!/usr/bin/env node",
  'import { createRequire as __droverCreateRequire } from "node:module";',
  "const require = __droverCreateRequire(import.meta.url);",
].join("\n");

/** Bundles a CLI entry (`run` is the exported function the bundle calls) for Node and Deno. */
async function buildCli(entry: string, outfile: string, run?: string): Promise<string> {
  const out = join(ROOT, outfile);
  await mkdir(dirname(out), { recursive: true });
  const contents = run ? `import { ${run} } from "./${entry}";\nawait ${run}();\n` : `import "./${entry}";\n`;
  const tmp = `${out}.tmp-${process.pid}`;
  await esbuild.build({
    stdin: { contents, resolveDir: ROOT, sourcefile: `${entry}.entry.ts`, loader: "ts" },
    outfile: tmp,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    mainFields: ["module", "main"],
    conditions: ["node", "import"],
    banner: { js: BANNER },
    define: { "import.meta.main": "false" },
    plugins: [nodeBuiltinsPlugin(), importMapPlugin(ROOT)],
    legalComments: "none",
    logLevel: "warning",
  });
  await chmod(tmp, 0o755);
  await rename(tmp, out); // atomic: concurrent builds (parallel test files) never see half a bundle
  return out;
}

/** Builds `dist/drover.mjs`. */
export function buildDrover(): Promise<string> {
  return buildCli("device/drover.ts", "dist/drover.mjs", "runMain");
}

/** Builds `dist/drover-repo.mjs`. */
export function buildRepo(): Promise<string> {
  return buildCli("scripts/repo.ts", "dist/drover-repo.mjs");
}

/** Builds `dist/drover-fleet.mjs`. */
export function buildFleet(): Promise<string> {
  return buildCli("scripts/fleet.ts", "dist/drover-fleet.mjs");
}

/** Builds `dist/worker.js` if `edge/worker.ts` exists; resolves to its path or `undefined`. */
export async function buildWorker(): Promise<string | undefined> {
  const entry = join(ROOT, "edge/worker.ts");
  if (!existsSync(entry)) return undefined;
  const out = join(ROOT, "dist/worker.js");
  await mkdir(dirname(out), { recursive: true });
  let options: esbuild.BuildOptions = {
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser", "import"],
    external: ["node:*"],
    legalComments: "none",
    logLevel: "warning",
  };
  if (existsSync(join(ROOT, "edge/worker_build.ts"))) {
    const mod = await import("../edge/worker_build.ts");
    if (typeof mod.workerBuildOptions === "function") options = mod.workerBuildOptions();
  }
  await esbuild.build({
    ...options,
    outfile: out,
    plugins: [...(options.plugins ?? []), importMapPlugin(ROOT)],
  });
  return out;
}

/** Every bundle (or those named: `drover`, `repo`, `fleet`, `worker`). */
export async function buildAll(only: string[] = []): Promise<string[]> {
  const want = (n: string) => only.length === 0 || only.includes(n);
  const outs: string[] = [];
  try {
    if (want("drover")) outs.push(await buildDrover());
    if (want("repo")) outs.push(await buildRepo());
    if (want("fleet")) outs.push(await buildFleet());
    if (want("worker")) {
      const w = await buildWorker();
      if (w) outs.push(w);
    }
  } finally {
    await esbuild.stop();
  }
  return outs;
}

if (import.meta.main) {
  const outs = await buildAll(process.argv.slice(2));
  for (const o of outs) console.error(`built ${o}`);
}
