/**
 * Which pending record (`<workspace>/manifests/`) belongs to which scanned app: the one of the app's
 * directory, else of its name and ref, else, for a name the target holds on one ref only, of its name
 * (a record left from before the app's ref was switched). Each record goes to one app at most, so with
 * one name on two refs (`radio-master`, `radio-develop`) each app gets its own.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordsOf } from "./app_records.ts";
 * const app = { dir: "/t/radio", dirName: "radio", name: "acme/radio", ref: "main", commit: null };
 * const record = { version: 1, name: "acme/radio", ref: "main", commit: "abc1234", dirName: "radio",
 *   source: "tuf", blob: "00".repeat(32), sha256: "00".repeat(32), origin: "x", downloadedAt: "" } as const;
 * assert.equal(recordsOf([app], [record]).get(app), record);
 * ```
 * @module
 */
import type { PendingManifest } from "../fs/workspace.ts";
import { appKey } from "./app_key.ts";
import type { App } from "./scan_apps.ts";

/** Each app's pending record, if it has one. */
export function recordsOf<R extends PendingManifest>(
  apps: readonly App[],
  records: readonly R[],
): Map<App, R> {
  const out = new Map<App, R>();
  const taken = new Set<R>();
  const pass = (fits: (app: App, m: R) => boolean) => {
    for (const app of apps) {
      if (out.has(app)) continue;
      const m = records.find((m) => !taken.has(m) && m.name === app.name && fits(app, m));
      if (!m) continue;
      out.set(app, m);
      taken.add(m);
    }
  };
  pass((app, m) => m.dirName === app.dirName);
  pass((app, m) => m.ref === app.ref);
  pass((app) => appKey(app) === app.name);
  return out;
}
