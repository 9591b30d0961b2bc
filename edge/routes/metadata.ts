/**
 * `POST /v1/metadata` (bearer token): publish targets metadata signed by the operator's targets
 * key. Refused unless it fits `maxMetadataBytes` (413), parses (400), is newer than the current
 * targets (409 `E_STALE`), verifies against the current root's targets role (403 `E_TRUST`), and
 * every target it names is already uploaded with the signed length (409 `E_CONFLICT`), and every
 * `custom.delta` links an index and a pack that the same metadata lists with the linked sha256 and
 * length and that are uploaded (409 `E_DELTA_LINK`, `_delta_links.ts`). Then the
 * edge re-signs snapshot and timestamp with its online keys (core's `RepositoryWriter.acceptTargets`)
 * and drops its caches. The check and the write hold the storage's lock (`RepoState.exclusive`), so of
 * two publishes of one version, whichever process or isolate serves them, one is accepted and the
 * other refused (409 `E_STALE`). The answer is `{ versions, warnings }`: `warnings` names the new
 * releases legacy radiodan clients are not offered (no sha1, not gzip; `GET /releases` leaves them out).
 * With `?role=ROLE` the body is a new version of delegated targets role ROLE (`_delegated_publish.ts`);
 * with `?role=root` the next root version, and a body without `signed` is a metadata set
 * `{ roots?, targets?, roles? }` accepted at once (both `_set_publish.ts`).
 * @module
 */
import type { Hono } from "hono";
import { RepositoryWriter, verifyEnvelope } from "../../core/trust/mod.ts";
import type { RootKeys } from "../../core/trust/mod.ts";
import type { RepoState } from "../repo_state.ts";
import { publishAuth } from "../auth.ts";
import { limitBody } from "../body.ts";
import { HttpError } from "../http_error.ts";
import { jsonResponse } from "../http.ts";
import { loadView } from "../repo_view.ts";
import { publishDelegated } from "./_delegated_publish.ts";
import { asRoot, asTargets, parseMetadataBody, type TargetsEnvelope } from "./_metadata_body.ts";
import { legacyWarnings, linkTargets, requireUploaded, targetInfos } from "./_published_targets.ts";
import { publishSet } from "./_set_publish.ts";

/**
 * Registers the metadata publishing route.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createApp } from "../app.ts";
 * import { FsStorage } from "../storage/fs_storage.ts";
 * const dir = await Deno.makeTempDir();
 * const app = createApp({ storage: new FsStorage(dir), config: { token: "secret-token" } });
 * const res = await app.request("/v1/metadata", { method: "POST", body: "{}", headers: { authorization: "Bearer nope-nope" } });
 * assert.equal(res.status, 403);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function metadataRoutes(app: Hono, state: RepoState): void {
  const auth = publishAuth(state.config.token);
  const limit = limitBody(state.config.maxMetadataBytes);
  app.post("/v1/metadata", auth, limit, async (c) => {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    if (!state.keys.snapshot || !state.keys.timestamp) {
      throw new HttpError(503, "Cannot publish: this edge holds no snapshot/timestamp keys");
    }
    const body = parseMetadataBody(bytes);
    const role = c.req.query("role");
    let result: unknown;
    if ("set" in body) {
      if (role !== undefined) throw new HttpError(400, "Cannot publish: a metadata set takes no 'role'");
      result = await publishSet(state, body.set);
    } else if (role === "root") {
      result = await publishSet(state, { roots: [asRoot(body.envelope)], roles: {} });
    } else if (role !== undefined) {
      const envelope = asTargets(body.envelope);
      const targets = targetInfos(envelope.signed.targets);
      const requireThem = () => requireUploaded(state, targets);
      result = await publishDelegated(state, role, { envelope, targets, requireUploaded: requireThem });
    } else {
      result = await publishTargets(state, asTargets(body.envelope));
    }
    return jsonResponse(result, { headers: { "cache-control": "no-store" } });
  });
}

/** Top-level targets metadata `envelope`, checked, then accepted. */
function publishTargets(
  state: RepoState,
  envelope: TargetsEnvelope,
): Promise<{ versions: Record<string, number>; warnings: string[] }> {
  return state.exclusive(async () => {
    const view = await loadView(state.storage);
    if (!view.root) {
      throw new HttpError(409, "Cannot publish: the repository has no root yet");
    }
    const version = envelope.signed.version;
    if (version <= view.versions.targets) {
      throw new HttpError(
        409,
        `Cannot publish targets v${version}: not newer than v${view.versions.targets}`,
        { code: "E_STALE" },
      );
    }
    await verifyEnvelope(envelope, view.root as unknown as RootKeys, "targets", {
      label: `targets v${version}`,
    });
    const targets = targetInfos(envelope.signed.targets);
    await requireUploaded(state, targets);
    const writer = await RepositoryWriter.open(state.storage, state.keys, {
      now: new Date(state.config.clock()),
    });
    const result = await writer.acceptTargets(envelope);
    const warnings = legacyWarnings(targets, view.targets);
    await linkTargets(state, targets);
    return { versions: result.versions, warnings };
  }).finally(() => state.invalidate());
}
