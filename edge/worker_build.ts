/**
 * esbuild options of the Worker bundle (`dist/worker.js` from `edge/worker.ts`), shared by
 * `scripts/build.ts` and the workerd tests so both run the same bundle.
 * @module
 */
import type { BuildOptions, Plugin } from "esbuild";

/**
 * CommonJS dependencies (`@tufjs/models`) `require("util")` and `require("crypto")`; an ESM bundle
 * has no `require`, so those become bundled ESM shims that import `node:*` (workerd provides
 * them with `nodejs_compat`).
 */
const nodeBuiltins: Plugin = {
  name: "node-builtins",
  setup(build) {
    build.onResolve({ filter: /^(util|crypto|buffer|events|stream|string_decoder)$/ }, (args) => ({
      path: args.path,
      namespace: "node-builtin",
    }));
    build.onLoad({ filter: /.*/, namespace: "node-builtin" }, (args) => ({
      contents:
        `import * as m from "node:${args.path}";\nexport * from "node:${args.path}";\nexport default m.default ?? m;\n`,
      loader: "js",
    }));
  },
};

/**
 * Options for `esbuild.build` (add `outfile`). ESM for module Workers; `node:*` stays external
 * (workerd provides it with `nodejs_compat`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { workerBuildOptions } from "./worker_build.ts";
 * assert.equal(workerBuildOptions().format, "esm");
 * ```
 */
export function workerBuildOptions(): BuildOptions {
  return {
    entryPoints: [new URL("./worker.ts", import.meta.url).pathname],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser", "import"],
    external: ["node:*"],
    plugins: [nodeBuiltins],
    minify: false,
    sourcemap: false,
    legalComments: "none",
    logLevel: "warning",
  };
}
