/**
 * Type-checks `core/` without Deno's types, as Cloudflare Workers, Node and browsers would see it:
 * the project's compiler options with `lib` set to ES + DOM only, so any `Deno.*` use is an error,
 * and a scan that refuses `node:` imports outside `core/node.ts` (the one injected module).
 *
 * @example
 * ```sh
 * deno task check:core
 * ```
 * @module
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { spawnSync } from "node:child_process";
import process from "node:process";

const root = new URL("..", import.meta.url).pathname;

function coreFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...coreFiles(path));
    else if (/\.ts$/.test(entry.name) && !/_test\.ts$/.test(entry.name)) out.push(path);
  }
  return out;
}

const files = coreFiles(join(root, "core")).filter((f) => !f.endsWith("/core/node.ts"));
/** Source without comments: examples may import node:assert/strict, code may not import node:*. */
const code = (f: string) =>
  readFileSync(f, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
const offenders = files.filter((f) => /from\s+["']node:|\bDeno\./.test(code(f)));
if (offenders.length > 0) {
  console.error(
    `Cannot check core: node:* or Deno.* used in ${offenders.map((f) => relative(root, f)).join(", ")}`,
  );
  process.exit(1);
}

const config = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
config.compilerOptions = {
  ...config.compilerOptions,
  lib: ["esnext", "dom", "dom.iterable", "dom.asynciterable"],
};
delete config.tasks;
const tmp = join(root, ".check_core.json");
writeFileSync(tmp, JSON.stringify(config));
try {
  const deno = process.execPath;
  const result = spawnSync(deno, [
    "check",
    "--quiet",
    "--config",
    tmp,
    ...files.map((f) => relative(root, f)),
  ], {
    cwd: root,
    stdio: "inherit",
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
  console.error(`core type-checks without Deno types (${files.length} files)`);
} finally {
  rmSync(tmp, { force: true });
}
