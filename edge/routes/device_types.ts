/**
 * `GET /v1/device-types`: `{ deviceTypes: [{ slug, name?, aliases }] }`, from the signed
 * `device-types.json` target plus any slug that has images.
 * @module
 */
import type { Hono } from "hono";
import type { RepoState } from "../repo_state.ts";
import { jsonSpec } from "../http.ts";

/**
 * Registers the device-types route.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createApp } from "../app.ts";
 * import { FsStorage } from "../storage/fs_storage.ts";
 * const dir = await Deno.makeTempDir();
 * const app = createApp({ storage: new FsStorage(dir) });
 * assert.equal((await (await app.request("/v1/device-types")).json()).deviceTypes.length, 0);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function deviceTypesRoutes(app: Hono, state: RepoState): void {
  app.get("/v1/device-types", async (c) => {
    const view = await state.view();
    return state.respondByUrl(
      { view, url: c.req.url },
      () =>
        jsonSpec({ deviceTypes: view.deviceTypes.list() }, {
          "cache-control": `public, max-age=${state.config.shortMaxAge}`,
        }),
    );
  });
}
