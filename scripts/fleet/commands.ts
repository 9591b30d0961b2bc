/**
 * The table of `drover-fleet` subcommands: adding one is one import and one line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { COMMANDS } from "./commands.ts";
 * assert.deepEqual(COMMANDS.map((c) => c.name), [
 *   "devices", "device", "accept", "reject", "summary", "rollouts", "rollout", "pause", "resume", "end",
 * ]);
 * ```
 * @module
 */
import type { Command } from "../../device/cli/command.ts";
import { command as devices } from "./devices.ts";
import { command as device } from "./device.ts";
import { command as accept } from "./accept.ts";
import { command as reject } from "./reject.ts";
import { command as summary } from "./summary.ts";
import { command as rollouts } from "./rollouts.ts";
import { command as rollout } from "./rollout.ts";
import { command as pause } from "./pause.ts";
import { command as resume } from "./resume.ts";
import { command as end } from "./end.ts";

/** Every subcommand, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  devices,
  device,
  accept,
  reject,
  summary,
  rollouts,
  rollout,
  pause,
  resume,
  end,
];
