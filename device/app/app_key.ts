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
