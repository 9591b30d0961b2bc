/**
 * A file named by a command-line flag (`--token-file`, `--file`) that cannot be read is the
 * operator's mistake, said in one line without raw errno text: `Cannot read --token-file /nope: no
 * such file`, a `UsageError` (exit 2). Shared by `drover-repo` and `drover-fleet`.
 *
 * The framework's usage line drops a leading `Cannot <action>: ` (`device/cli/define_command.ts`), so
 * the error's message is `Cannot <action>: Cannot read --FLAG FILE: <why>` and the line printed is
 * `drover-repo push: Cannot read --token-file /nope: no such file`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { flagFileError, readFlagFile } from "./flag_file.ts";
 * await assert.rejects(readFlagFile("token-file", "/nonexistent/t", { action: "push" }), {
 *   name: "UsageError",
 *   message: "Cannot push: Cannot read --token-file /nonexistent/t: no such file",
 * });
 * const e = flagFileError("file", "x.tar", { action: "add app", cause: Object.assign(new Error("EACCES"), { code: "EACCES" }) });
 * assert.equal(e.message, "Cannot add app: Cannot read --file x.tar: permission denied");
 * ```
 * @module
 */
import { readFile } from "node:fs/promises";
import { UsageError } from "../../device/cli/usage_error.ts";

const WHY: Record<string, string> = {
  ENOENT: "no such file",
  ENOTDIR: "no such file (a part of the path is not a directory)",
  EISDIR: "it is a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "the name is too long",
};

/** The `UsageError` for `file`, named by `--flag`, that could not be read (`cause`: the fs error). */
export function flagFileError(
  flag: string,
  file: string,
  options: { action: string; cause: unknown },
): UsageError {
  const { action, cause } = options;
  const code = (cause as { code?: unknown })?.code;
  const why = (typeof code === "string" ? WHY[code] : undefined) ??
    String((cause as Error)?.message ?? cause).split("\n")[0];
  return new UsageError(`Cannot ${action}: Cannot read --${flag} ${file}: ${why}`, { cause });
}

/** The text of `file`, named by `--flag`; {@linkcode flagFileError} when it cannot be read. */
export async function readFlagFile(
  flag: string,
  file: string,
  options: { action: string },
): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (cause) {
    throw flagFileError(flag, file, { action: options.action, cause });
  }
}
