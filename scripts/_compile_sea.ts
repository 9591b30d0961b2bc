/**
 * Private to scripts/ (`compile.ts`): Node single-executable applications. SEA runs a CommonJS main, so
 * the bundle is converted to CommonJS, or (it has top-level await) imported as an ES module by a small
 * CommonJS loader; the host's node of NODE_VERSION makes that into a SEA blob, which `postject` injects
 * into the target's node binary. The result must pass the smoke test (natively or under qemu-user).
 * @module
 */
import { Buffer } from "node:buffer";
import { chmod, copyFile, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import process from "node:process";
import { join } from "node:path";
import { digest, exists, removing, run } from "./_compile_run.ts";
import { QEMU, smokeTest } from "./_compile_smoke.ts";
import { hostNodeArch, NODE_VERSION, nodeBinary } from "./_compile_toolchain.ts";

/** Where node's SEA looks for the blob. */
export const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";

/** The SEA main script (CommonJS) for the bundle, and its blob made by the host's node of NODE_VERSION. */
export async function prepareSea(
  input: string,
  o: { cacheDir: string; log: (line: string) => void },
): Promise<{ cjs: string; blob: string; key: string }> {
  const { cacheDir, log } = o;
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
    const node = await nodeBinary(host, { cacheDir, log });
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

/**
 * Writes `out`: a copy of `node` with `o.blob` injected, smoke-tested against the bundle `o.input`
 * (natively, or under qemu-user when installed) before it is renamed into place.
 */
export async function injectSea(
  node: string,
  out: string,
  o: { blob: string; input: string; log: (line: string) => void },
): Promise<void> {
  const { blob, input, log } = o;
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
  if (hostNodeArch() === targetArch) await smokeTest([tmp], { input, log }).catch(removing(tmp));
  else if (qemu && await exists(qemu[0]) && await exists(qemu[1])) {
    await smokeTest([qemu[0], "-L", qemu[1], tmp], { input, log }).catch(removing(tmp));
  }
  await rename(tmp, out);
  log(`wrote ${out}`);
}
