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
 * With `?role=ROLE` the body is a new version of delegated targets role ROLE (`_delegated_publish.ts`).
 * @module
 */
import type { Hono } from "hono";
import {
  decodeMetadata,
  legacyRefusal,
  releasesDocument,
  RepositoryWriter,
  targetInfoFromTuf,
  verifyEnvelope,
} from "../../core/trust/mod.ts";
import type { AppCustom, RootKeys, TargetInfo } from "../../core/trust/mod.ts";
import type { RepoState } from "../repo_state.ts";
import { publishAuth } from "../auth.ts";
import { limitBody } from "../body.ts";
import { HttpError } from "../http_error.ts";
import { jsonResponse } from "../http.ts";
import { loadView } from "../repo_view.ts";
import { publishDelegated } from "./_delegated_publish.ts";
import { DeltaLinks } from "./_delta_links.ts";

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
    const envelope = parseTargets(bytes);
    const role = c.req.query("role");
    if (role !== undefined) {
      const targets = targetInfos(envelope.signed.targets);
      const requireThem = () => requireUploaded(state, targets, DeltaLinks.check(targets));
      const result = await publishDelegated(state, role, { envelope, targets, requireUploaded: requireThem });
      return jsonResponse(result, { headers: { "cache-control": "no-store" } });
    }
    const { versions, warnings } = await state.exclusive(async () => {
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
      await requireUploaded(state, targets, DeltaLinks.check(targets));
      const writer = await RepositoryWriter.open(state.storage, state.keys, {
        now: new Date(state.config.clock()),
      });
      const result = await writer.acceptTargets(envelope);
      const warnings = legacyWarnings(targets, view.targets);
      for (const target of targets) {
        await state.storage.linkBlob?.(target.hashes.sha256, target.url).catch((error) => {
          state.config.log(
            `Cannot link ${target.url}: ${error instanceof Error ? error.message : String(error)}`,
          );
        });
      }
      return { versions: result.versions, warnings };
    }).finally(() => state.invalidate());
    return jsonResponse({ versions, warnings }, { headers: { "cache-control": "no-store" } });
  });
}

interface TargetsEnvelope {
  signed: { _type: "targets"; version: number; targets: Record<string, Record<string, unknown>> };
  signatures: { keyid: string; sig: string }[];
}

function parseTargets(bytes: Uint8Array): TargetsEnvelope {
  let envelope;
  try {
    envelope = decodeMetadata(bytes);
  } catch (error) {
    throw new HttpError(400, "Cannot publish: body is not signed TUF metadata JSON", { cause: error });
  }
  const signed = envelope.signed as Record<string, unknown>;
  if (signed._type !== "targets") throw bad("expected _type 'targets'");
  if (!Number.isSafeInteger(signed.version) || (signed.version as number) < 1) throw bad("bad version");
  const targets = signed.targets;
  if (typeof targets !== "object" || targets === null || Array.isArray(targets)) {
    throw bad("'targets' is not an object");
  }
  return envelope as unknown as TargetsEnvelope;
}

function bad(detail: string): HttpError {
  return new HttpError(400, `Cannot publish: ${detail}`);
}

/** A target the edge stores: its blobs are content-addressed by sha256. */
type StoredTarget = TargetInfo & { hashes: { sha256: string } };

function targetInfos(targets: Record<string, Record<string, unknown>>): StoredTarget[] {
  const out: StoredTarget[] = [];
  for (const [path, entry] of Object.entries(targets)) {
    try {
      if (typeof entry !== "object" || entry === null) throw new TypeError("not an object");
      const info = targetInfoFromTuf(path, entry);
      if (info.hashes.sha256 === undefined) {
        throw new TypeError("no sha256 (the edge stores blobs by sha256)");
      }
      out.push(info as StoredTarget);
    } catch (error) {
      throw new HttpError(400, `Cannot publish: target '${path.slice(0, 200)}' is unusable`, {
        cause: error,
      });
    }
  }
  return out;
}

/** The current releases of this publish (new paths) that `GET /releases` leaves out, and why. */
function legacyWarnings(targets: TargetInfo[], before: Map<string, TargetInfo>): string[] {
  const every = releasesDocument(targets, { legacyOnly: false });
  const out: string[] = [];
  for (const target of targets) {
    const c = target.custom as AppCustom;
    if (c.kind !== "app" || before.has(target.path) || every[c.name]?.[c.ref]?.file !== target.url) continue;
    const why = legacyRefusal(target);
    if (why) out.push(`${c.name} ${c.ref} ${c.commit}: not offered to legacy radiodan clients: ${why}`);
  }
  return out;
}

/** Every target is stored with its signed length, else 409 (`E_DELTA_LINK` when a linked index or pack is missing). */
async function requireUploaded(state: RepoState, targets: StoredTarget[], links: DeltaLinks): Promise<void> {
  const missing: string[] = [];
  for (const target of targets) {
    const head = await state.storage.headBlob(target.hashes.sha256, { path: target.url });
    if (!head || head.size !== target.length) missing.push(target.path);
  }
  const broken = links.refusalFor(missing);
  if (broken) throw broken;
  if (missing.length > 0) {
    throw new HttpError(
      409,
      `Cannot publish: ${missing.length} target(s) not uploaded, e.g. ${missing.slice(0, 3).join(", ")}`,
    );
  }
}
