/**
 * `drover-fleet device ID`: one device: state, type, versions, labels, installed apps, per-release
 * counters and its most recent reports. `--json` prints the edge's device document.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { command } from "./device.ts";
 * const out: string[] = [];
 * const code = await command.run(["--help"], { stdout: (t) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false });
 * assert.ok(code === 0 && out.join("").startsWith("Usage: drover-fleet device "));
 * ```
 * @module
 */
import { connect, deviceIdArg, fleetCommand, HELP_SHARED, printJson } from "./_operator.ts";
import { labelsText, safe, short, table, time } from "./_text.ts";
import type { DeviceDetailDoc } from "./fleet_documents.ts";

const help = `Usage: drover-fleet device ID [--json]

Shows one device (ID: d_ and 32 hex digits): state, type, OS and drover versions, labels, last
install, installed apps, counters per release and the most recent reports.

  --json   the edge's device document
${HELP_SHARED}`;

/** The text view of one device. */
export function deviceText(d: DeviceDetailDoc): string {
  const li = d.lastInstall;
  const fields: [string, string][] = [
    ["id", safe(d.id)],
    ["state", safe(d.state)],
    ["type", safe(d.deviceType)],
    ["os", safe(d.osVersion)],
    ["drover", safe(d.droverVersion)],
    ["enrolled", time(d.enrolledAt)],
    ["last seen", time(d.lastSeen)],
    ["labels", safe(labelsText(d.labels))],
    [
      "last install",
      li
        ? safe(
          `${li.result} at ${li.stage}: ${li.app}@${li.commit}${li.errorCode ? ` ${li.errorCode}` : ""}`,
        ) +
          ` (${time(li.at)})`
        : "none reported",
    ],
  ];
  let out = fields.map(([k, v]) => `${k.padEnd(13)}${v}\n`).join("");
  out += "\napps:\n" + table(
    ["APP", "REF", "COMMIT", "SERIAL", "RELEASE"],
    (d.apps ?? []).map((a) => [a.name, a.ref, a.commit, a.serial, a.releaseId]),
  );
  if (d.releases) {
    out += "\nreleases:\n" + table(
      ["APP", "COMMIT", "EVENTS", "OK", "ERROR", "ROLLED BACK", "LAST"],
      d.releases.map((r) => [
        r.app,
        short(r.commit),
        r.events,
        r.ok,
        r.error,
        r.rolledBack,
        `${r.lastResult} ${r.lastStage} ${time(r.lastAt)}`,
      ]),
    );
  }
  if (d.reports) {
    out += "\nrecent reports:\n" + table(
      ["AT", "APP", "COMMIT", "STAGE", "RESULT", "ERROR", "MESSAGE"],
      d.reports.map((r) => [time(r.at), r.app, short(r.commit), r.stage, r.result, r.errorCode, r.message]),
    );
  }
  return out;
}

/** The `device` subcommand. */
export const command = fleetCommand({
  name: "device",
  summary: "one device: state, apps, counters, recent reports",
  help,
  options: {},
  positionals: { min: 1, max: 1 },
  async run(parsed, io) {
    const id = deviceIdArg(parsed);
    const client = await connect(parsed, io);
    const device = await client.getDevice(id);
    if (parsed.json) printJson(io, device);
    else io.stdout(deviceText(device));
    return 0;
  },
});
