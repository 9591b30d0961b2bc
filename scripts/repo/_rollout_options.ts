/**
 * Private: `repo add-app`'s `--rollout` and its halt rule (`--halt-after`, `--halt-failures`), checked
 * before anything is written.
 */
import { parseRolloutSteps, type RolloutHalt, type RolloutStep } from "../../core/rollout/mod.ts";
import { numberOption, type Parsed } from "../../device/cli/define_command.ts";
import { UsageError } from "../../device/cli/usage_error.ts";

/** `--rollout` and its halt rule, checked before anything is written; `undefined` without `--rollout`. */
export function rolloutOptions(
  parsed: Parsed,
): { steps: RolloutStep[]; halt: Partial<RolloutHalt> } | undefined {
  const v = parsed.values;
  const minDevices = numberOption(parsed, "halt-after", { min: 1, integer: true });
  const failures = v["halt-failures"];
  let maxFailurePercent: number | undefined;
  if (typeof failures === "string") {
    maxFailurePercent = Number(failures.replace(/%$/, ""));
    if (
      failures.trim() === "" || !Number.isInteger(maxFailurePercent) ||
      !(maxFailurePercent >= 0 && maxFailurePercent <= 100)
    ) {
      throw new UsageError(
        `Cannot add app: --halt-failures needs a whole percent from 0 to 100, not '${failures}'`,
      );
    }
  }
  if (typeof v.rollout !== "string") {
    if (minDevices !== undefined || maxFailurePercent !== undefined) {
      throw new UsageError("Cannot add app: --halt-after and --halt-failures need --rollout");
    }
    return undefined;
  }
  let steps: RolloutStep[];
  try {
    steps = parseRolloutSteps(v.rollout);
  } catch (error) {
    const detail = (error as Error).message.replace(/^Cannot parse rollout steps /, "");
    throw new UsageError(`Cannot add app: --rollout ${detail}`, { cause: error });
  }
  return { steps, halt: { minDevices, maxFailurePercent } };
}
