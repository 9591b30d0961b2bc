/**
 * Enforces the layout rules of the tree over the module graph that `deno info --json` reports:
 *
 * - a file whose name starts with `_` is imported only by files in its own folder;
 * - the production folders keep their direction: `core/` imports only `core/`; `edge/` and `device/`
 *   import `core/` and themselves, never each other, `scripts/` or `test/`; `scripts/` never imports `test/`;
 *   `device/` and `scripts/` may import `deno.json` (the CLIs' version is its "version");
 * - no import cycles between the project's own files;
 * - `@example` blocks assert with `node:assert/strict`: the console's assert only prints, so it is refused;
 * - every source path the docs name (`docs/*.md`, the READMEs) exists: a moved file takes its docs along.
 *
 * Prints each violation and exits 1 when there is any.
 *
 * @example
 * ```sh
 * deno task check:layout
 * ```
 * @module
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import process from "node:process";

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const SKIP = new Set(["node_modules", "dist", ".data", ".git", "docs"]);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx)$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** The project's own import graph: file (relative to the root) -> files it imports. */
function importGraph(files: string[]): Map<string, string[]> {
  const tmp = mkdtempSync(join(tmpdir(), "drover-layout-"));
  try {
    const entry = join(tmp, "all.ts");
    writeFileSync(entry, files.map((f) => `import ${JSON.stringify("file://" + f)};`).join("\n"));
    const result = spawnSync(
      process.execPath,
      ["info", "--json", "--config", join(root, "deno.json"), entry],
      {
        cwd: root,
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
      },
    );
    if (result.status !== 0) throw new Error(`Cannot read the module graph: ${result.stderr}`);
    const info = JSON.parse(result.stdout) as {
      modules: {
        specifier: string;
        dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
      }[];
    };
    const prefix = "file://" + root + "/";
    const graph = new Map<string, string[]>();
    for (const mod of info.modules) {
      if (!mod.specifier.startsWith(prefix)) continue;
      const from = mod.specifier.slice(prefix.length);
      const deps = new Set<string>();
      for (const dep of mod.dependencies ?? []) {
        for (const s of [dep.code?.specifier, dep.type?.specifier]) {
          if (s?.startsWith(prefix)) deps.add(s.slice(prefix.length));
        }
      }
      graph.set(from, [...deps]);
    }
    return graph;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const top = (path: string) => path.split("/")[0] ?? "";
const isTest = (path: string) => /_test\.tsx?$/.test(path);

/** Which top-level folders production code in each folder may import. */
const ALLOWED: Record<string, readonly string[]> = {
  core: ["core"],
  edge: ["core", "edge"],
  device: ["core", "device", "deno.json"],
  scripts: ["core", "edge", "device", "scripts", "deno.json"],
  /* Benchmarks drive the test harnesses (a real edge process, its fixture). */
  "scripts/bench": ["core", "edge", "device", "scripts", "test"],
};

function layoutViolations(graph: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [from, deps] of graph) {
    for (const to of deps) {
      const name = to.split("/").pop() ?? "";
      if (name.startsWith("_") && dirname(to) !== dirname(from)) {
        out.push(`${from} imports ${to}, which is private to ${dirname(to)}/`);
      }
      const allowed = from.startsWith("scripts/bench/") ? ALLOWED["scripts/bench"] : ALLOWED[top(from)];
      if (allowed && !isTest(from) && !allowed.includes(top(to))) {
        out.push(`${from} imports ${to}: ${top(from)}/ may import only ${allowed.join(", ")}`);
      }
    }
  }
  return out;
}

function cycles(graph: Map<string, string[]>): string[] {
  const out: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const s = state.get(next);
      if (s === "open") out.push([...stack.slice(stack.indexOf(next)), next].join(" -> "));
      else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return out.map((c) => `import cycle: ${c}`);
}

function exampleViolations(files: string[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    for (const comment of text.match(/\/\*\*[\s\S]*?\*\//g) ?? []) {
      if (/console\.assert\s*\(/.test(comment)) {
        out.push(
          `${
            relative(root, file)
          }: an example asserts with the console (it never fails); use node:assert/strict`,
        );
        break;
      }
    }
  }
  return out;
}

/** Source paths (`core/…/x.ts` and the like) named in the docs that do not exist. */
function docPathViolations(): string[] {
  const docs = [
    ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`),
    "README.md",
    ...["core", "device", "edge", "scripts", "test"].map((d) => `${d}/README.md`),
  ];
  const out: string[] = [];
  for (const doc of docs) {
    let text: string;
    try {
      text = readFileSync(join(root, doc), "utf8");
    } catch {
      continue;
    }
    const named = new Set(text.match(/\b(?:core|device|edge|scripts|test)\/[\w/.-]+\.tsx?\b/g) ?? []);
    for (const path of [...named].sort()) {
      if (!existsSync(join(root, path))) out.push(`${doc}: names ${path}, which does not exist`);
    }
  }
  return out;
}

if (import.meta.main) {
  const files = sourceFiles(root);
  const graph = importGraph(files);
  const problems = [
    ...layoutViolations(graph),
    ...cycles(graph),
    ...exampleViolations(files),
    ...docPathViolations(),
  ];
  for (const p of problems) console.error(p);
  if (problems.length > 0) {
    console.error(`Cannot accept the layout: ${problems.length} violation(s)`);
    process.exit(1);
  }
  console.error(`layout ok: ${graph.size} modules, no private imports from outside, no cycles`);
}
