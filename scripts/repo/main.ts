/**
 * The `repo` CLI without the process: dispatch to a subcommand, map errors to exit codes
 * (0 ok, 1 failure, 2 usage) and write `{ "error": { code, message } }` with --json.
 * `scripts/repo.ts` is the entry that sets the process exit code.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runRepo } from "./main.ts";
 * let out = "";
 * const code = await runRepo(["--help"], { stdout: (t) => (out += t), stderr: () => {}, env: {} });
 * assert.ok(code === 0 && out.includes("add-app"));
 * ```
 * @module
 */
import { DroverError } from "../../core/errors.ts";
import { UsageError } from "./_args.ts";
import type { RepoIO } from "./command.ts";
import { COMMANDS } from "./commands.ts";

const VERSION = "0.1.0";

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: repo <command> [options]   (deno task repo …, or node dist/drover-repo.mjs …)

Build a static, signed TUF repository (tuf/, targets/, releases.json) that any file server,
a USB stick or the Drover edge can serve.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join("\n")}

Every command takes --repo DIR, --keys DIR, --json and --help.
Exit codes: 0 ok, 1 failure, 2 usage.
`;
}

/** Run the repo CLI on `argv` (without the program name); resolves to the exit code. */
export async function runRepo(argv: string[], io: RepoIO): Promise<number> {
  const [word, ...rest] = argv;
  if (word === undefined || word === "--help" || word === "-h" || word === "help") {
    io[word === undefined ? "stderr" : "stdout"](usage());
    return word === undefined ? 2 : 0;
  }
  if (word === "--version") return (io.stdout(`drover-repo ${VERSION}\n`), 0);
  const command = COMMANDS.find((c) => c.name === word);
  if (!command) {
    io.stderr(`repo: unknown command '${word}'\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    const err = e as Error;
    const isUsage = e instanceof UsageError ||
      ((e instanceof TypeError || e instanceof RangeError) && err.message.startsWith("Cannot "));
    const code = e instanceof DroverError ? e.code : isUsage ? "E_USAGE" : "E_FAILED";
    if (rest.includes("--json")) io.stdout(JSON.stringify({ error: { code, message: err.message } }) + "\n");
    io.stderr(`repo ${word}: ${err.message}\n`);
    if (isUsage && e instanceof UsageError) io.stderr(`Try 'repo ${word} --help'.\n`);
    return isUsage ? 2 : 1;
  }
}
