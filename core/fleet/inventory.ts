/**
 * The check-in inventory a device sends (`POST /v1/devices/<id>/checkin`): what it is and what it
 * runs. {@linkcode parseInventory} checks a parsed JSON body strictly (types, lengths, counts,
 * unknown fields, schema version) so the edge stores nothing unexpected; the device builds the
 * same shape.
 *
 * ```json
 * { "schema": 1, "deviceType": "raspberrypi4-64", "osVersion": "Debian 12", "droverVersion": "0.1.0",
 *   "apps": [{ "name": "acme/radio", "ref": "main", "commit": "68200ec", "serial": 12,
 *              "sha256": "<64 hex>", "releaseId": "20260101T000000-68200ec" }],
 *   "labels": { "site": "north" }, "tracked": [{ "name": "acme/clock", "ref": "main" }] }
 * ```
 * `serial`, `sha256` and `releaseId` are `null` when the installed release does not say (legacy
 * installs); an app registered but not installed is not listed in `apps`. App names are unique in
 * `apps` (the edge keeps one app per name). `tracked` (optional; devices before it send none) lists
 * the apps and refs the device tracks that `apps` does not: registered with nothing installed (a new
 * device, or one whose only install rolled back), a second ref of a name, a registration's ref other
 * than the installed release's. The edge answers a check-in with the holds on the rollouts of every
 * app and ref of both ({@linkcode trackedRefs}), so a withdrawn release reaches no device that lacks it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseInventory } from "./inventory.ts";
 * const inventory = parseInventory({
 *   schema: 1, deviceType: "rpi4", droverVersion: "0.1.0", labels: {},
 *   apps: [{ name: "acme/radio", ref: "main", commit: "68200ec", serial: 3, sha256: null, releaseId: null }],
 * });
 * assert.equal(inventory.apps[0]?.serial, 3);
 * assert.throws(() => parseInventory({ ...inventory, schema: 2 }), RangeError);
 * assert.throws(() => parseInventory({ ...inventory, extra: true }), /unknown field 'extra'/);
 * ```
 * @module
 */
import { isCommit, isDeviceType, isRef, isSegment, isSha256 } from "../names/mod.ts";
import { appName, type At, below, integer, list, record, schema, SEGMENT_HINT, text } from "./_validate.ts";
import { parseLabels } from "./labels.ts";

/** The inventory schema version this code reads and writes. */
export const INVENTORY_SCHEMA = 1;
/** Most apps one inventory may list. */
export const MAX_INVENTORY_APPS = 64;

/** One installed app. */
export interface InventoryApp {
  /** `owner/app`. */
  name: string;
  ref: string;
  commit: string;
  /** The signed serial of the installed release, or `null`. */
  serial: number | null;
  /** sha256 of the installed archive (lower-case hex), or `null`. */
  sha256: string | null;
  /** The release directory's id, or `null`. */
  releaseId: string | null;
}

/** A device's inventory. */
export interface Inventory {
  schema: 1;
  deviceType: string;
  osVersion?: string;
  droverVersion: string;
  apps: InventoryApp[];
  labels: Record<string, string>;
  /** Apps and refs tracked beyond `apps` (see the module doc); absent from older devices. */
  tracked?: TrackedApp[];
}

/** An app and ref the device tracks (installed or not). */
export interface TrackedApp {
  /** `owner/app`. */
  name: string;
  ref: string;
}

declare const PARSED: unique symbol;

/**
 * An inventory {@linkcode parseInventory} returned: checked, and frozen so it cannot change after
 * the check. Consumers (the edge's store) take it as is instead of checking it again; a value that
 * is only typed as one is recognised by {@linkcode isParsedInventory}, not by its type.
 */
export type ParsedInventory = Inventory & { readonly [PARSED]: true };

const parsed = new WeakSet<object>();

/**
 * True when `value` is an inventory {@linkcode parseInventory} returned (and so checked and frozen).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isParsedInventory, parseInventory } from "./inventory.ts";
 * const doc = { schema: 1, deviceType: "rpi4", droverVersion: "0.1.0", apps: [], labels: {} };
 * assert.equal(isParsedInventory(doc), false);
 * assert.equal(isParsedInventory(parseInventory(doc)), true);
 * assert.equal(isParsedInventory({ ...parseInventory(doc) }), false, "a copy is not checked");
 * ```
 */
export function isParsedInventory(value: unknown): value is ParsedInventory {
  return typeof value === "object" && value !== null && parsed.has(value);
}

function parseApp(value: unknown, at: At): InventoryApp {
  const app = record(value, at, { required: ["name", "ref", "commit", "serial", "sha256", "releaseId"] });
  return {
    name: appName(app.name, below(at, "name")),
    ref: text(app.ref, below(at, "ref"), { max: 128, valid: isRef, hint: SEGMENT_HINT }),
    commit: text(app.commit, below(at, "commit"), {
      max: 64,
      valid: isCommit,
      hint: "7 to 64 lower-case hex digits",
    }),
    serial: app.serial === null ? null : integer(app.serial, below(at, "serial")),
    sha256: app.sha256 === null
      ? null
      : text(app.sha256, below(at, "sha256"), { max: 64, valid: isSha256, hint: "64 lower-case hex digits" }),
    releaseId: app.releaseId === null ? null : text(app.releaseId, below(at, "releaseId"), {
      max: 128,
      valid: (v) => isSegment(v),
      hint: SEGMENT_HINT,
    }),
  };
}

function parseTracked(value: unknown, at: At): TrackedApp[] {
  const tracked = list(value, at, { max: MAX_INVENTORY_APPS }).map((entry, i) => {
    const item = record(entry, below(at, i), { required: ["name", "ref"] });
    return {
      name: appName(item.name, below(below(at, i), "name")),
      ref: text(item.ref, below(below(at, i), "ref"), { max: 128, valid: isRef, hint: SEGMENT_HINT }),
    };
  });
  const seen = new Set<string>();
  for (const [i, { name, ref }] of tracked.entries()) {
    if (seen.has(`${name}\n${ref}`)) {
      throw new TypeError(`Cannot read inventory: ${at.path}[${i}] repeats app '${name}' on ref '${ref}'`);
    }
    seen.add(`${name}\n${ref}`);
  }
  return tracked.sort((a, b) => compare(a.name, b.name) || compare(a.ref, b.ref));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Every app and ref `inventory` says the device tracks: its apps' and its `tracked` ones, each
 * once (the apps and refs whose rollout holds the check-in answer carries).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseInventory, trackedRefs } from "./inventory.ts";
 * const inventory = parseInventory({
 *   schema: 1, deviceType: "rpi4", droverVersion: "0.1.0", labels: {},
 *   apps: [{ name: "acme/radio", ref: "main", commit: "68200ec", serial: 3, sha256: null, releaseId: null }],
 *   tracked: [{ name: "acme/radio", ref: "main" }, { name: "acme/clock", ref: "main" }],
 * });
 * assert.deepEqual(trackedRefs(inventory), [{ name: "acme/radio", ref: "main" }, { name: "acme/clock", ref: "main" }]);
 * ```
 */
export function trackedRefs(inventory: Pick<Inventory, "apps" | "tracked">): TrackedApp[] {
  const refs = new Map<string, TrackedApp>();
  for (const { name, ref } of [...inventory.apps, ...inventory.tracked ?? []]) {
    refs.set(`${name}\n${ref}`, { name, ref });
  }
  return [...refs.values()];
}

/**
 * Check a parsed inventory document. Returns a clean, frozen copy (apps sorted by name, `tracked` by
 * name and ref, labels by key) that {@linkcode isParsedInventory} recognises; throws `TypeError`
 * (wrong type, unknown field, bad format, duplicate app) or `RangeError` (too long, too many, unknown
 * schema version), each `Cannot read inventory: <path> …`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseInventory } from "./inventory.ts";
 * assert.throws(() => parseInventory({ schema: 1 }), /inventory: \$ lacks 'deviceType'/);
 * ```
 */
export function parseInventory(value: unknown): ParsedInventory {
  const at: At = { doc: "inventory", path: "$" };
  const doc = record(value, at, {
    required: ["schema", "deviceType", "droverVersion", "apps", "labels"],
    optional: ["osVersion", "tracked"],
  });
  schema(doc.schema, below(at, "schema"), { known: INVENTORY_SCHEMA });
  const apps = list(doc.apps, below(at, "apps"), { max: MAX_INVENTORY_APPS }).map((app, i) =>
    parseApp(app, below(below(at, "apps"), i))
  );
  const names = new Set<string>();
  for (const [i, app] of apps.entries()) {
    if (names.has(app.name)) {
      throw new TypeError(`Cannot read inventory: $.apps[${i}] repeats app '${app.name}'`);
    }
    names.add(app.name);
  }
  apps.sort((a, b) => compare(a.name, b.name));
  const out: Inventory = {
    schema: INVENTORY_SCHEMA,
    deviceType: text(doc.deviceType, below(at, "deviceType"), {
      max: 128,
      valid: isDeviceType,
      hint: SEGMENT_HINT,
    }),
    droverVersion: text(doc.droverVersion, below(at, "droverVersion"), { max: 64 }),
    apps,
    labels: parseLabels(doc.labels, below(at, "labels")),
  };
  if (doc.osVersion !== undefined) out.osVersion = text(doc.osVersion, below(at, "osVersion"), { max: 128 });
  if (doc.tracked !== undefined) {
    out.tracked = parseTracked(doc.tracked, below(at, "tracked"));
    for (const entry of out.tracked) Object.freeze(entry);
    Object.freeze(out.tracked);
  }
  for (const app of apps) Object.freeze(app);
  Object.freeze(apps);
  Object.freeze(out.labels);
  parsed.add(Object.freeze(out));
  return out as ParsedInventory;
}
