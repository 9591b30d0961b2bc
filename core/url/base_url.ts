/**
 * URLs under a base URL: a repository's or a server's, whether or not it was given with a trailing
 * slash. `new URL("tuf/timestamp.json", "https://host/repo")` drops the last segment
 * (`https://host/tuf/timestamp.json`); these keep it.
 *
 * @module
 */

/**
 * The directory form of `base`: a copy with a trailing slash on its path, so that relative URLs
 * resolve under it. Query and fragment are dropped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { baseUrl } from "./base_url.ts";
 * assert.equal(baseUrl("http://127.0.0.1:8787/repo").href, "http://127.0.0.1:8787/repo/");
 * assert.equal(baseUrl(new URL("file:///srv/repo/")).href, "file:///srv/repo/");
 * ```
 */
export function baseUrl(base: URL | string): URL {
  const url = new URL(base);
  url.search = "";
  url.hash = "";
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}

/**
 * `path` (relative; leading slashes are ignored) under the directory form of `base`. Dot segments
 * resolve as URLs do, so a caller joining a path it does not trust checks them itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { joinUrl } from "./base_url.ts";
 * assert.equal(joinUrl("https://cdn.example/repo", "/targets/a.tar.gz").href, "https://cdn.example/repo/targets/a.tar.gz");
 * assert.equal(joinUrl("https://cdn.example/", "https://evil.example/x").href, "https://cdn.example/https://evil.example/x");
 * ```
 */
export function joinUrl(base: URL | string, path: string): URL {
  if (typeof path !== "string") throw new TypeError("Cannot join URL: path must be a string");
  return new URL(`./${path.replace(/^\/+/, "")}`, baseUrl(base));
}
