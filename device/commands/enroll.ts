/**
 * `drover enroll --api URL`: gives this device an identity (an Ed25519 key in the workspace, made
 * once, never overwritten) and registers it with the fleet API (`POST /v1/devices`, signed with
 * that key), then records the enrollment in the workspace so that `check`, `install` and `update`
 * check in and report. Idempotent: a second run registers the same identity again (same id).
 * `--rotate-key` replaces the key (a new device id; the old key is kept in `identity/retired/`).
 * See `device/fleet/`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { command } from "./enroll.ts";
 * const out: string[] = [];
 * const code = await command.run(["--help"], { stdout: (t) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false });
 * assert.ok(code === 0 && out.join("").startsWith("Usage: drover enroll "));
 * ```
 * @module
 */
import { LABEL_KEY, parseLabel, parseLabels } from "../../core/fleet/labels.ts";
import { isDeviceType } from "../../core/names/mod.ts";
import { defineCommand, optional, required } from "../cli/define_command.ts";
import { UsageError } from "../cli/usage_error.ts";
import { Workspace } from "../fs/workspace.ts";
import { type Enrollment, readEnrollment, writeEnrollment } from "../fleet/enrollment.ts";
import { FleetClient } from "../fleet/fleet_client.ts";
import { fleetTimeoutMs } from "../fleet/fleet_sync.ts";
import { IdentityStore } from "../fleet/identity_store.ts";
import {
  HELP_COMMON,
  HELP_LOCK,
  HELP_WORKSPACE,
  LOCKING,
  logger,
  printJson,
  waitOf,
  WORKSPACE,
  workspaceOf,
} from "./_shared.ts";

/** The `enroll --json` document. */
export interface EnrollReport {
  command: "enroll";
  ok: true;
  exitCode: 0;
  deviceId: string;
  state: "accepted" | "pending";
  api: string;
  labels: Record<string, string>;
  deviceType: string | null;
  /** `created`: a new key; `existing`: the stored one; `rotated`: a new key replaced the stored one. */
  identity: "created" | "existing" | "rotated";
  /** Where the replaced key was kept (`--rotate-key`), else `null`. */
  retiredKey: string | null;
}

/** The fleet API of `--api` (or DROVER_API): http or https. */
function apiOf(raw: string): URL {
  let api: URL;
  try {
    api = new URL(raw);
  } catch {
    throw new UsageError(`--api '${raw}' is not a URL`);
  }
  if (api.protocol !== "http:" && api.protocol !== "https:") {
    throw new UsageError(`--api must be http:// or https:// to enroll (got ${api.protocol})`);
  }
  return api;
}

/** One `--label KEY=VALUE`; a usage error that shows what was typed and what is wanted. */
function labelOf(pair: string): { key: string; value: string } {
  const shown = `'${pair.length > 40 ? pair.slice(0, 40) + "…" : pair}'`;
  if (!pair.includes("=")) throw new UsageError(`Cannot enroll: --label needs KEY=VALUE, not ${shown}`);
  if (!LABEL_KEY.test(pair.slice(0, pair.indexOf("=")))) {
    throw new UsageError(
      `Cannot enroll: --label ${shown} needs a KEY of up to 63 letters, digits, '.', '_', '/' or '-' ` +
        "(a letter or digit first)",
    );
  }
  return UsageError.check(() => parseLabel(pair));
}

/** `--label KEY=VALUE`… as labels (a repeated key: the last wins), or `undefined` without any. */
function labelsOf(values: unknown): Record<string, string> | undefined {
  const list = Array.isArray(values) ? values as string[] : [];
  if (list.length === 0) return undefined;
  const labels: Record<string, string> = {};
  for (const pair of list) {
    const { key, value } = labelOf(pair);
    labels[key] = value;
  }
  return UsageError.check(() => parseLabels(labels, { doc: "labels", path: "--label" }));
}

/** `drover enroll`. */
export const command = defineCommand({
  name: "enroll",
  summary: "give this device an identity and register it with the fleet API",
  help: "Usage: drover enroll --api URL --workspace DIR [--enroll-token TOKEN] [--label KEY=VALUE]...\n" +
    "                     [--device-type TYPE] [--rotate-key] [--json]\n\n" +
    "Creates this device's identity unless it has one: an Ed25519 key in\n" +
    "<workspace>/identity/device.json (mode 0600, never overwritten). Registers it with the fleet API at\n" +
    "--api (POST /v1/devices, signed with that key), records the enrollment in\n" +
    "<workspace>/identity/enrollment.json and prints the device id and its state: accepted, or pending\n" +
    "until an operator accepts it. From then on `drover check`, `install` and `update` check in (what\n" +
    "runs here) and report each install's outcome; `drover report` sends waiting reports at once.\n" +
    "Running it again registers the same identity again and prints the same id. --label replaces the\n" +
    "labels; without it the recorded ones are sent again.\n\nOptions:\n" +
    "  --api URL             the fleet API (the edge): http:// or https:// (env DROVER_API)\n" +
    HELP_WORKSPACE +
    "  --enroll-token TOKEN  enrolment token (env DROVER_ENROLL_TOKEN; sent as a bearer token, never\n" +
    "                        stored): an edge that knows it may accept the device at once\n" +
    "  --label KEY=VALUE     a label the operator filters devices by (repeatable; at most 32)\n" +
    "  --device-type TYPE    device type reported at check-in (env DROVER_DEVICE_TYPE at check-in wins;\n" +
    "                        default: the label device-type, else the image cache's one type, else unknown)\n" +
    "  --rotate-key          replace the identity by a new key (a new device id) and enroll that; the old\n" +
    "                        key is kept in <workspace>/identity/retired/<old id>.json\n" +
    HELP_LOCK + HELP_COMMON +
    "\nExit codes: 0 enrolled (accepted or pending), 1 refused by the fleet API (rejected, bad token),\n" +
    "2 usage, 75 try later (fleet API unreachable, lock held).\n",
  options: {
    ...WORKSPACE,
    ...LOCKING,
    api: { type: "string" },
    "enroll-token": { type: "string" },
    label: { type: "string", multiple: true },
    "device-type": { type: "string" },
    "rotate-key": { type: "boolean" },
  },
  async run(parsed, io) {
    const api = apiOf(required(parsed, "api", { io, envName: "DROVER_API" }));
    const ws = new Workspace(workspaceOf(parsed, io));
    const given = labelsOf(parsed.values.label);
    const token = optional(parsed, "enroll-token", { io, envName: "DROVER_ENROLL_TOKEN" });
    const deviceTypeFlag = optional(parsed, "device-type");
    if (deviceTypeFlag !== undefined && !isDeviceType(deviceTypeFlag)) {
      throw new UsageError(`invalid --device-type '${deviceTypeFlag}'`);
    }
    const rotate = parsed.values["rotate-key"] === true;
    const log = logger(io, parsed.json);
    await ws.init();
    await using _lock = await ws.lock({ waitSeconds: waitOf(parsed), signal: io.signal });

    const store = new IdentityStore(ws.dir);
    let identityAction: EnrollReport["identity"];
    let retiredKey: string | null = null;
    let identity;
    if (rotate) {
      const rotated = await store.rotate();
      identity = rotated.identity;
      retiredKey = rotated.retired ?? null;
      identityAction = rotated.retired ? "rotated" : "created";
    } else {
      const made = await store.create();
      identity = made.identity;
      identityAction = made.created ? "created" : "existing";
    }
    if (identityAction !== "existing") log(`new device key ${identity.id} in ${store.paths.key}`);
    const previous = await readEnrollment(store.paths.enrollment).catch(() => undefined);
    const labels = given ?? previous?.labels ?? {};
    const deviceType = deviceTypeFlag ?? previous?.deviceType;

    const client = new FleetClient(api, {
      identity,
      counter: store.counter(identity),
      timeoutMs: Math.max(fleetTimeoutMs(io.env), 10_000),
      retries: 2,
      signal: io.signal,
      onRetry: ({ attempt, delayMs, error }) =>
        log(`retry ${attempt} in ${Math.round(delayMs)} ms: ${error.message}`),
    });
    const answer = await client.enroll({ labels }, { token });
    const enrollment: Enrollment = {
      version: 1,
      deviceId: answer.id,
      api: client.api.href,
      state: answer.state,
      labels,
      ...(deviceType === undefined ? {} : { deviceType }),
      at: new Date().toISOString(),
    };
    await writeEnrollment(store.paths.enrollment, enrollment);
    if (parsed.json) {
      const report: EnrollReport = {
        command: "enroll",
        ok: true,
        exitCode: 0,
        deviceId: answer.id,
        state: answer.state,
        api: enrollment.api,
        labels,
        deviceType: deviceType ?? null,
        identity: identityAction,
        retiredKey,
      };
      printJson(io, report);
    } else {
      io.stdout(`${answer.id}\t${answer.state}\n`);
      if (answer.state === "pending") log(`${answer.id} waits for an operator to accept it at ${client.api}`);
    }
    return 0;
  },
});
