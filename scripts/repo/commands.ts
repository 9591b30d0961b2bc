/**
 * The table of `repo` subcommands: adding one is one import and one line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { COMMANDS } from "./commands.ts";
 * assert.ok(COMMANDS.some((c) => c.name === "add-app"));
 * ```
 * @module
 */
import type { Command } from "../../device/cli/command.ts";
import { command as init } from "./init.ts";
import { command as addDeviceType } from "./add_device_type.ts";
import { command as addApp } from "./add_app.ts";
import { command as addImage } from "./add_image.ts";
import { command as addManifest } from "./add_manifest.ts";
import { command as timestamp } from "./timestamp.ts";
import { command as rotateKey } from "./rotate_key.ts";
import { command as sign } from "./sign.ts";
import { command as delegate } from "./delegate.ts";
import { command as push } from "./push.ts";

/** Every subcommand, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  init,
  addDeviceType,
  addApp,
  addImage,
  addManifest,
  timestamp,
  rotateKey,
  sign,
  delegate,
  push,
];
