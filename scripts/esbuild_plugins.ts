/**
 * esbuild plugins that let esbuild bundle Deno-style sources for Node and Deno:
 * `npm:` specifiers and deno.json import-map names resolve to packages in `node_modules/`, and
 * bare Node built-ins (`"util"`, `"crypto"`, from CommonJS dependencies) become external `node:`
 * imports (Deno only knows built-ins by their `node:` names).
 * @module
 */
import { builtinModules } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Plugin } from "esbuild";

/** `npm:hono@4.1.0/x`, `npm:/@scope/pkg@1.0.0/x` -> `hono/x`, `@scope/pkg/x`. */
export function npmToBare(specifier: string): string {
  let s = specifier.replace(/^npm:\/?/, "");
  const scoped = s.startsWith("@");
  const nameEnd = scoped ? s.indexOf("/", s.indexOf("/") + 1) : s.indexOf("/");
  const head = nameEnd === -1 ? s : s.slice(0, nameEnd);
  const rest = nameEnd === -1 ? "" : s.slice(nameEnd);
  const at = head.lastIndexOf("@");
  s = (at > 0 ? head.slice(0, at) : head) + rest;
  return s;
}

/**
 * Maps deno.json `imports` (and any `npm:` specifier) to `node_modules/` packages.
 *
 * @example
 * ```ts ignore
 * import * as esbuild from "esbuild";
 * import { importMapPlugin } from "./esbuild_plugins.ts";
 * await esbuild.build({ entryPoints: ["device/drover.ts"], bundle: true, plugins: [importMapPlugin(".")] });
 * ```
 */
export function importMapPlugin(root: string): Plugin {
  const config = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
  const imports: Record<string, string> = config.imports ?? {};
  const keys = Object.keys(imports).sort((a, b) => b.length - a.length);
  const mapped = (spec: string): string | undefined => {
    for (const key of keys) {
      const value = imports[key]!;
      if (key.endsWith("/") ? spec.startsWith(key) : spec === key) {
        const target = key.endsWith("/") ? value + spec.slice(key.length) : value;
        return target.startsWith("npm:") ? npmToBare(target) : target;
      }
    }
    return undefined;
  };
  return {
    name: "deno-import-map",
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData?.mapped || args.path.startsWith("node:")) return undefined;
        const bare = args.path.startsWith("npm:") ? npmToBare(args.path) : mapped(args.path);
        if (bare === undefined || bare === args.path) return undefined;
        const result = await build.resolve(bare, {
          kind: args.kind,
          resolveDir: args.importer.includes("node_modules") ? args.resolveDir : root,
          importer: args.importer,
          pluginData: { mapped: true },
        });
        if (result.errors.length) return { errors: result.errors };
        return result;
      });
    },
  };
}

/**
 * Bare Node built-ins (`util`, `fs/promises`) become external `node:` imports.
 *
 * @example
 * ```ts ignore
 * import { nodeBuiltinsPlugin } from "./esbuild_plugins.ts";
 * const plugins = [nodeBuiltinsPlugin()];
 * ```
 */
export function nodeBuiltinsPlugin(): Plugin {
  const names = new Set(builtinModules.filter((m) => !m.startsWith("_")));
  return {
    name: "node-builtins-prefix",
    setup(build) {
      build.onResolve({ filter: /^[a-z_/]+$/ }, (args) => {
        if (!names.has(args.path)) return undefined;
        return { path: `node:${args.path}`, external: true };
      });
      build.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, external: true }));
    },
  };
}
