/**
 * The hint for a URL flag given a host and port without its scheme (`127.0.0.1:9210`,
 * `localhost:8787/`): `; did you mean http://127.0.0.1:9210?`. Shared by `drover --api`,
 * `drover-repo push --edge` and `drover-fleet --edge`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { schemeHint } from "./scheme_hint.ts";
 * assert.equal(schemeHint("127.0.0.1:9210"), "; did you mean http://127.0.0.1:9210?");
 * assert.equal(schemeHint("https://edge.example"), "");
 * ```
 * @module
 */

/** `; did you mean http://RAW?` when `raw` looks like `host:port[/…]`, else `""`. */
export function schemeHint(raw: string): string {
  return /^[^\s/:]+:\d+(\/|$)/.test(raw) ? `; did you mean http://${raw}?` : "";
}
