/**
 * The identity of an app on a device, the key of its `status.json` entry and of its pending record:
 * its name, or, where one target holds the name on more than one ref (radiodan's layout, e.g.
 * `/opt/radiodan/apps/radio-master` and `radio-develop` with `.deploy` refs `master` and `develop`),
 * `name@ref`. `@` is in no name and no ref, so a key splits back unambiguously. `scanApps` sets
 * `App.key`; an app without one (built by hand) is keyed by its name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appKey, splitAppKey } from "./app_key.ts";
 * assert.equal(appKey({ name: "acme/radio", ref: "main" }), "acme/radio");
 * assert.equal(appKey({ name: "acme/radio", ref: "main", key: "acme/radio@main" }), "acme/radio@main");
 * assert.deepEqual(splitAppKey("acme/radio@main"), { name: "acme/radio", ref: "main" });
 * ```
 * @module
 */

/** The key of `app`: `app.key` when set, else its name. */
export function appKey(app: { name: string; ref: string; key?: string }): string {
  return app.key ?? app.name;
}

/** The key of an app whose name the target holds on more than one ref: `name@ref`. */
export function refKey(name: string, ref: string): string {
  return `${name}@${ref}`;
}

/** The name and, for a `name@ref` key, the ref. */
export function splitAppKey(key: string): { name: string; ref?: string } {
  const at = key.indexOf("@");
  return at < 0 ? { name: key } : { name: key.slice(0, at), ref: key.slice(at + 1) };
}

/**
 * The `status.json` entry of `app` (any record keyed by app key and holding a `ref`): under its key,
 * else under its other key (`name` for `name@ref` and the reverse) when that entry has the app's ref,
 * as after a second ref appeared beside the app or went; `from` names the key it was found under.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { entryOf } from "./app_key.ts";
 * const entries = { "acme/radio": { ref: "master", bad: ["abc1234"] } };
 * const app = { name: "acme/radio", ref: "master", key: "acme/radio@master" };
 * assert.deepEqual(entryOf(entries, app), { entry: entries["acme/radio"], from: "acme/radio" });
 * ```
 */
export function entryOf<T extends { ref?: unknown }>(
  entries: Record<string, T>,
  app: { name: string; ref: string; key?: string },
): { entry: T | undefined; from: string } {
  const key = appKey(app);
  if (entries[key] !== undefined) return { entry: entries[key], from: key };
  const other = key === app.name ? refKey(app.name, app.ref) : app.name;
  const moved = entries[other];
  return moved?.ref === app.ref ? { entry: moved, from: other } : { entry: undefined, from: key };
}
