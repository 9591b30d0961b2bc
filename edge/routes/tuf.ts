/**
 * `GET /tuf/<file>`: TUF metadata as stored, for Drover devices and any standard TUF client.
 * Only the names TUF clients ask for are served (`<N>.root.json`, `root.json`, `timestamp.json`,
 * `<N>.snapshot.json`, `<N>.targets.json`, and `<N>.<role>.json` of delegated targets roles, by the
 * role-name rule of core/trust); versioned files are cached for a year, `timestamp.json`
 * and `root.json` briefly.
 * @module
 */
import type { Hono } from "hono";
import { isDelegatedRoleName } from "../../core/trust/mod.ts";
import type { RepoState } from "../repo_state.ts";
import { HttpError } from "../http_error.ts";
import { IMMUTABLE } from "../http.ts";

const NAME = /^(?:[1-9][0-9]{0,9}\.(?:root|snapshot|targets)|root|timestamp)\.json$/;
const DELEGATED = /^[1-9][0-9]{0,9}\.([a-z0-9][a-z0-9_.-]{0,127})\.json$/;

/** A name TUF clients ask for: the top-level files, or `<N>.<role>.json` of a delegated role. */
function servedName(file: string): boolean {
  const role = DELEGATED.exec(file)?.[1];
  return NAME.test(file) || (role !== undefined && isDelegatedRoleName(role));
}

/**
 * Registers the TUF metadata route.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createApp } from "../app.ts";
 * import { FsStorage } from "../storage/fs_storage.ts";
 * const dir = await Deno.makeTempDir();
 * const app = createApp({ storage: new FsStorage(dir) });
 * assert.equal((await app.request("/tuf/timestamp.json")).status, 404);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function tufRoutes(app: Hono, state: RepoState): void {
  app.get("/tuf/:file", async (c) => {
    const file = c.req.param("file");
    if (!servedName(file)) throw new HttpError(404, "Cannot find metadata: unknown file name");
    let bytes: Uint8Array | undefined;
    if (file === "timestamp.json") {
      bytes = (await state.view()).timestamp; // renewed lazily when close to expiry
    } else {
      bytes = await state.storage.get(`tuf/${file}`);
    }
    if (!bytes) throw new HttpError(404, `Cannot find metadata: no ${file}`);
    const versioned = /^[0-9]/.test(file);
    return new Response(c.req.method === "HEAD" ? null : bytes as Uint8Array<ArrayBuffer>, {
      headers: {
        "content-type": "application/json",
        "content-length": String(bytes.byteLength),
        "cache-control": versioned ? IMMUTABLE : `public, max-age=${state.config.shortMaxAge}`,
      },
    });
  });
}
