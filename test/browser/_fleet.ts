/**
 * Private helpers of the browser tests: Debian's chromium (or `CHROMIUM_BIN`), and a fleet of
 * devices seeded into `DROVER_DATA/fleet.sqlite` through `SqliteFleetStore` before the edge starts
 * (real device keys; check-ins and reports through the store, as the device API stores them).
 */
import { join } from "node:path";
import { generateDeviceKey } from "../../core/fleet/device_identity.ts";
import type { ReportEvent } from "../../core/fleet/report_events.ts";
import { createRollout } from "../../core/rollout/mod.ts";
import { createDevRepository, DEMO_CONTENT, generateKeys } from "../../edge/dev_repository.ts";
import { writeKeys } from "../../edge/key_files.ts";
import { FsStorage } from "../../edge/storage/fs_storage.ts";
import { SqliteFleetStore } from "../../edge/fleet/sqlite_fleet_store.ts";
import type { DeviceState } from "../../edge/fleet/fleet_store.ts";

/** The chromium executable, or `undefined` when none is installed. */
export async function findChromium(): Promise<string | undefined> {
  const candidates = [Deno.env.get("CHROMIUM_BIN"), "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  for (const path of candidates) {
    if (!path) continue;
    try {
      if ((await Deno.stat(path)).isFile) return path;
    } catch { /* not there */ }
  }
  return undefined;
}

/** What the seeded fleet holds, for the test to check against. */
export interface SeededFleet {
  total: number;
  pending: string[];
  /** The device whose label and report message are markup. */
  hostile: string;
}

/** The commit of the dev repository's demo app (`edge/dev_repository.ts`). */
const HELLO_COMMIT = "0123456789abcdef0123456789abcdef01234567";
const RADIO_COMMITS = ["68200ec", "7a1b2c3", "9f8e7d6"];
const SITES = ["north", "south", "east", "west"];

/**
 * Writes the development repository into `data` (keys in `data/keys`, as the first start would)
 * with one more release: `acme/radio` at the seeded fleet's second commit under a staged rollout
 * published two hours before `now` (5%, 25% after 1 h, 50% after 4 h, 100% after 24 h), whose halt
 * rule the seeded failures do not trip. Resolves with the rollout's id.
 */
export async function seedRolloutRepository(data: string, now: number): Promise<string> {
  const keys = await generateKeys();
  await writeKeys(join(data, "keys"), keys);
  const id = `acme:radio:main:4:${RADIO_COMMITS[1]}`;
  const rollout = createRollout({
    id,
    publishedAt: new Date(now - 2 * 3600_000),
    steps: "5,25@1h,50@4h,100@24h",
    halt: { minDevices: 500, maxFailurePercent: 50 },
  });
  await createDevRepository(new FsStorage(data), {
    keys,
    content: {
      ...DEMO_CONTENT,
      apps: [
        ...DEMO_CONTENT.apps,
        {
          name: "acme/radio",
          ref: "main",
          commit: RADIO_COMMITS[1]!,
          files: { "radio.sh": "#!/bin/sh\n" },
          rollout,
        },
      ],
    },
  });
  return id;
}

function stateOf(i: number): DeviceState {
  if (i % 10 === 0) return "pending";
  if (i % 50 === 5) return "rejected";
  return "accepted";
}

/** Seeds `devices` devices (the first one hostile) into `data/fleet.sqlite`; `now` is the edge's clock. */
export async function seedFleet(
  data: string,
  options: { devices: number; now: number },
): Promise<SeededFleet> {
  const store = await SqliteFleetStore.open(join(data, "fleet.sqlite"));
  const pending: string[] = [];
  let hostile = "";
  let event = 0;
  try {
    for (let i = 0; i < options.devices; i++) {
      const key = await generateDeviceKey();
      const id = key.kid;
      const seen = new Date(options.now - (i % 72) * 3600_000);
      const state = stateOf(i);
      await store.enroll({ id, publicKey: key.x, state }, { now: seen });
      if (state === "pending") pending.push(id);
      const labels: Record<string, string> = i === 0
        ? { site: "<script>alert(1)</script>" }
        : { site: SITES[i % 4]!, rack: `r${i % 12}` };
      await store.recordCheckIn(id, {
        schema: 1,
        deviceType: i % 5 === 0 ? "raspberrypi3" : "raspberrypi4-64",
        osVersion: "Debian 12.8",
        droverVersion: "0.1.0",
        apps: [
          {
            name: "acme/radio",
            ref: "main",
            commit: RADIO_COMMITS[i % 3 === 0 ? 1 : i % 7 === 0 ? 2 : 0]!,
            serial: 3,
            sha256: null,
            releaseId: null,
          },
          ...(i % 2 === 0
            ? [{
              name: "drover/hello",
              ref: "main",
              commit: HELLO_COMMIT,
              serial: 1,
              sha256: null,
              releaseId: null,
            }]
            : []),
        ],
        labels,
      }, { counter: 1, now: seen });
      const events: ReportEvent[] = [];
      const stamp = () => ({ id: `evt-${String(++event).padStart(8, "0")}`, at: seen.toISOString() });
      const commit = RADIO_COMMITS[i % 3 === 0 ? 1 : 0]!;
      for (const stage of ["download", "verify", "install"] as const) {
        events.push({ ...stamp(), app: "acme/radio", commit, stage, result: "ok", durationMs: 1200 });
      }
      if (i === 0) {
        events.push({
          ...stamp(),
          app: "acme/radio",
          commit,
          stage: "health",
          result: "error",
          errorCode: "E_HEALTH",
          message: "<script>alert(1)</script>",
        });
        hostile = id;
      } else if (i % 13 === 0) {
        events.push({
          ...stamp(),
          app: "acme/radio",
          commit,
          stage: "health",
          result: "error",
          errorCode: "E_HEALTH",
        });
        events.push({ ...stamp(), app: "acme/radio", commit, stage: "rollback", result: "rolled_back" });
      } else if (i % 3 !== 2) {
        events.push({ ...stamp(), app: "acme/radio", commit, stage: "health", result: "ok" });
      }
      await store.recordReports(id, events, { counter: 2, now: seen });
    }
  } finally {
    await store.close();
  }
  return { total: options.devices, pending, hostile };
}
