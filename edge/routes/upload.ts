/**
 * `PUT /v1/targets/<sha256>` (bearer token): streams an artifact into storage while hashing it;
 * a length or digest mismatch stores nothing (422). A declared or actual size over
 * `maxUploadBytes` is refused (413). Uploading a blob that is already stored is a no-op (200).
 * @module
 */
import type { Hono } from "hono";
import { VerifyStream } from "../../core/verify/mod.ts";
import { isSha256 } from "../../core/names/mod.ts";
import type { RepoState } from "../repo_state.ts";
import { publishAuth } from "../auth.ts";
import { CapStream, declaredLength, watchErrors } from "../body.ts";
import { HttpError } from "../http_error.ts";
import { jsonResponse } from "../http.ts";

/**
 * Registers the upload route.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createApp } from "../app.ts";
 * import { FsStorage } from "../storage/fs_storage.ts";
 * const dir = await Deno.makeTempDir();
 * const app = createApp({ storage: new FsStorage(dir), config: { token: "secret-token" } });
 * const res = await app.request(`/v1/targets/${"0".repeat(64)}`, { method: "PUT", body: "x" });
 * assert.equal(res.status, 401);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function uploadRoutes(app: Hono, state: RepoState): void {
  app.put("/v1/targets/:sha256", publishAuth(state.config.token), async (c) => {
    const body = c.req.raw.body;
    let stream: ReadableStream<Uint8Array> | undefined;
    try {
      const sha256 = c.req.param("sha256");
      if (!isSha256(sha256)) {
        throw new HttpError(400, "Cannot store target: expected a lower-case hex sha256");
      }
      const max = state.config.maxUploadBytes;
      const length = declaredLength(c.req.header("content-length"), max);
      const existing = await state.storage.headBlob(sha256);
      if (existing) {
        await body?.cancel().catch(() => {});
        return jsonResponse({ sha256, size: existing.size, stored: false });
      }
      const verify = new VerifyStream({ sha256, length }, { name: `upload ${sha256}` });
      const source = body ?? new ReadableStream<Uint8Array>({ start: (ctl) => ctl.close() });
      const watched = watchErrors(source.pipeThrough(new CapStream(max)).pipeThrough(verify));
      stream = watched.stream;
      let info;
      try {
        info = await state.storage.putBlob(sha256, stream, { length });
      } catch (error) {
        throw watched.failure() ?? error;
      }
      return jsonResponse({ sha256, size: info.size, stored: true }, { status: 201 });
    } catch (error) {
      await (stream ?? body)?.cancel().catch(() => {});
      throw error;
    }
  });
}
