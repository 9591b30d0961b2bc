/**
 * Private: refuses, before anything is imported, the target paths a delegated role may not sign
 * (`repo add-app --role`). The writer's own check decides (`RepositoryWriter.assertMaySet`, what
 * `setTarget` refuses).
 */
import type { RepositoryWriter } from "../../core/trust/mod.ts";
import { UsageError } from "../../device/cli/usage_error.ts";

/**
 * `UsageError` (`Cannot <action>: role 'R' is delegated P (target T)`) when the writer, opened for a
 * delegated role, would refuse one of `paths`; `what` names each path's part (e.g. "the chunked form").
 */
export function assertRolePaths(
  writer: RepositoryWriter,
  paths: { path: string; what?: string }[],
  options: { action: string },
): void {
  for (const { path, what } of paths) {
    try {
      writer.assertMaySet(path);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      const detail = error.message.replace(/^Cannot set target [^:]*: /, "");
      const target = what ? `${what} ${path}` : `target ${path}`;
      throw new UsageError(`Cannot ${options.action}: ${detail} (${target})`, { cause: error });
    }
  }
}
