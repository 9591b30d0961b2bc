/**
 * The check-in inventory of this device (`core/fleet/inventory.ts`), collected from what is on
 * disk:
 *
 * - `deviceType`: env `DROVER_DEVICE_TYPE`, else `drover enroll --device-type`, else the label
 *   `device-type`, else the one device type the image cache (`--cache-dir`/`DROVER_CACHE_DIR`)
 *   holds images of, else `unknown`;
 * - `osVersion`: env `DROVER_OS_VERSION`, else from os-release(5) (`/etc/os-release`, then
 *   `/usr/lib/os-release`): `IMAGE_ID IMAGE_VERSION` on image-based systems, else `PRETTY_NAME`,
 *   else `NAME VERSION_ID`; left out when none is known;
 * - `droverVersion`: this drover's version;
 * - `apps`: each installed app of the target (scan), its installed release's name, ref and commit,
 *   and `serial`, `sha256`, `releaseId` when its `.deploy` says (else `null`), one per name; apps
 *   whose name or commit the fleet cannot store are left out;
 * - `tracked`: the apps and refs the device tracks (scan: installed or registered with `drover add`)
 *   that `apps` does not list: registered with nothing installed (a new device, or one whose only
 *   install rolled back), a second ref of a name, a registration's ref other than the installed
 *   release's; the edge's holds cover them too (a withdrawn release reaches no device that lacks it).
 *   Left out when there is none (an edge from before it refuses the field);
 * - `labels`: the enrollment's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { collectInventory } from "./collect_inventory.ts";
 * const target = await mkdtemp(join(tmpdir(), "apps-"));
 * const inventory = await collectInventory(target, {
 *   labels: { site: "north" }, env: { DROVER_DEVICE_TYPE: "rpi4", DROVER_OS_VERSION: "acme-os 3.1" },
 * });
 * assert.equal(inventory.deviceType, "rpi4");
 * assert.equal(inventory.osVersion, "acme-os 3.1");
 * assert.deepEqual(inventory.apps, []);
 * await rm(target, { recursive: true });
 * ```
 * @module
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type Inventory,
  type InventoryApp,
  MAX_INVENTORY_APPS,
  parseInventory,
  type TrackedApp,
} from "../../core/fleet/inventory.ts";
import { isAppName, isDeviceType, isRef, isSegment, isSha256 } from "../../core/names/mod.ts";
import { scanApps } from "../app/scan_apps.ts";
import { VERSION } from "../cli/version.ts";

/** Options of {@linkcode collectInventory}. */
export interface InventoryOptions {
  labels: Record<string, string>;
  /** The device type given at enrolment. */
  deviceType?: string;
  /** Environment (`DROVER_DEVICE_TYPE`, `DROVER_OS_VERSION`); default none. */
  env?: Record<string, string | undefined>;
  /** The image cache directory, when known. */
  cacheDir?: string;
  /** os-release files to read, first found wins (default `/etc/os-release`, `/usr/lib/os-release`). */
  osRelease?: string[];
}

/** The label whose value names the device type. */
export const DEVICE_TYPE_LABEL = "device-type";

/** Collects the inventory of the apps in `target` (none when `target` is undefined). */
export async function collectInventory(
  target: string | undefined,
  options: InventoryOptions,
): Promise<Inventory> {
  const env = options.env ?? {};
  const apps: InventoryApp[] = [];
  const tracked: TrackedApp[] = [];
  if (target !== undefined) {
    const scanned = (await scanApps(target)).apps;
    for (const app of scanned) {
      if (!app.current || !app.deploy) continue;
      const entry = appOf(app.deploy, app.current.id);
      if (entry && !apps.some((a) => a.name === entry.name) && apps.length < MAX_INVENTORY_APPS) {
        apps.push(entry);
      }
    }
    for (const { name, ref } of scanned) {
      const listed = (a: TrackedApp) => a.name === name && a.ref === ref;
      if (!isAppName(name) || !isRef(ref) || apps.some(listed) || tracked.some(listed)) continue;
      if (tracked.length < MAX_INVENTORY_APPS) tracked.push({ name, ref });
    }
  }
  const osVersion = await osVersionOf({ env, paths: options.osRelease });
  return parseInventory({
    schema: 1,
    deviceType: await deviceTypeOf(options),
    ...(osVersion === undefined ? {} : { osVersion }),
    droverVersion: VERSION.slice(0, 64),
    apps,
    labels: options.labels,
    ...(tracked.length > 0 ? { tracked } : {}),
  });
}

/** An inventory entry, or `undefined` when the fleet could not store this app. */
function appOf(deploy: Record<string, unknown>, releaseId: string): InventoryApp | undefined {
  const serial = deploy.serial;
  const entry: InventoryApp = {
    name: String(deploy.name),
    ref: String(deploy.ref),
    commit: String(deploy.commit).toLowerCase(),
    serial: typeof serial === "number" && Number.isSafeInteger(serial) && serial >= 0 ? serial : null,
    sha256: isSha256(deploy.sha256) ? deploy.sha256 : null,
    releaseId: isSegment(releaseId) ? releaseId : null,
  };
  try {
    parseInventory({ schema: 1, deviceType: "unknown", droverVersion: "0", apps: [entry], labels: {} });
    return entry;
  } catch {
    return undefined; // a legacy name or commit the fleet's rules refuse
  }
}

/** The device type (see the module doc). */
export async function deviceTypeOf(
  options: Pick<InventoryOptions, "env" | "deviceType" | "labels" | "cacheDir">,
): Promise<string> {
  const candidates = [
    options.env?.DROVER_DEVICE_TYPE,
    options.deviceType,
    options.labels[DEVICE_TYPE_LABEL],
  ];
  for (const c of candidates) if (isDeviceType(c)) return c;
  if (options.cacheDir) {
    const types = await readdir(join(options.cacheDir, "images")).catch(() => [] as string[]);
    const valid = types.filter((t) => isDeviceType(t));
    if (valid.length === 1) return valid[0]!;
  }
  return "unknown";
}

/** The OS version (see the module doc), or `undefined`. */
export async function osVersionOf(
  options: { env?: Record<string, string | undefined>; paths?: string[] } = {},
): Promise<string | undefined> {
  const fromEnv = clean(options.env?.DROVER_OS_VERSION);
  if (fromEnv) return fromEnv;
  for (const path of options.paths ?? ["/etc/os-release", "/usr/lib/os-release"]) {
    const text = await readFile(path, "utf8").catch(() => undefined);
    if (text === undefined) continue;
    const f = parseOsRelease(text);
    const image = f.IMAGE_VERSION ? clean(`${f.IMAGE_ID ?? f.ID ?? ""} ${f.IMAGE_VERSION}`) : undefined;
    const named = f.VERSION_ID ? clean(`${f.NAME ?? f.ID ?? ""} ${f.VERSION_ID}`) : undefined;
    return image ?? clean(f.PRETTY_NAME) ?? named;
  }
  return undefined;
}

/** The `KEY=value` assignments of an os-release file (quotes and backslash escapes undone). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^\s*([A-Z0-9_]+)=(.*?)\s*$/.exec(line);
    if (!m) continue;
    let value = m[2]!;
    const q = value[0];
    if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\(["\\$`])/g, "$1");
    }
    out[m[1]!] = value;
  }
  return out;
}

/** Trimmed, without control characters, at most 128 characters; `undefined` when empty. */
function clean(value: string | undefined): string | undefined {
  // deno-lint-ignore no-control-regex
  const v = value?.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ").trim().slice(0, 128).trim();
  return v ? v : undefined;
}
