/**
 * `GET /healthz`: 200 `{ ok: true, versions, timestampExpires }` when the metadata loads, 503 otherwise.
 * @module
 */
import type { Hono } from "hono";
import type { RepoState } from "../repo_state.ts";
import { jsonResponse } from "../http.ts";

/**
 * Registers the health route.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createApp } from "../app.ts";
 * import { FsStorage } from "../storage/fs_storage.ts";
 * const dir = await Deno.makeTempDir();
 * const app = createApp({ storage: new FsStorage(dir) });
 * assert.equal((await (await app.request("/healthz")).json()).ok, true);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function healthRoutes(app: Hono, state: RepoState): void {
  app.get("/healthz", async () => {
    try {
      const view = await state.view();
      return jsonResponse({
        ok: true,
        versions: view.versions,
        timestampExpires: view.timestampExpires?.toISOString() ?? null,
      }, { headers: { "cache-control": "no-store" } });
    } catch (error) {
      state.config.log(`healthz: ${error instanceof Error ? error.message : String(error)}`);
      return jsonResponse({ ok: false, error: { code: "E_UNAVAILABLE", message: "Cannot load metadata" } }, {
        status: 503,
        headers: { "cache-control": "no-store" },
      });
    }
  });
}
