/**
 * The device half of the fleet API (DESIGN.md §6), every request signed by the device
 * (RFC 9421 with `Content-Digest` and `drover-counter`, core/fleet/device_request.ts):
 *
 * - `POST /v1/devices`: enrol, signed by the key being enrolled (proof of possession); body
 *   `{ publicKey, labels? }`, the key's device id is the signature's `keyid`. With
 *   `Authorization: Bearer <enrolment token>` (the configured one, or one the operator minted) the
 *   device is `accepted` at once, else `pending`; a token that is not valid is a 403. Again with
 *   the same key: the current device (200; only pending -> accepted ever changes; labels are
 *   replaced when given). 201 with the device when new. New devices without a token are refused
 *   (429) while `maxPendingDevices` are pending, so unauthenticated enrolments cannot fill the
 *   database.
 * - `POST /v1/devices/<id>/checkin`: the inventory (at most 64 KiB) -> `{ state, rollouts }`: the
 *   edge's holds (`{ "<rolloutId>": { cap, state } }`, paused or halted) on the rollouts of the
 *   apps and refs the device tracks (its `apps` and `tracked`: installed or not); a rollout absent
 *   runs on its signed percent alone.
 * - `POST /v1/devices/<id>/reports`: `{ schema: 1, events }` (at most 256 KiB) ->
 *   `{ accepted, duplicates }`, idempotent by event id.
 *
 * Pending devices may check in and report (stored, so the operator sees what a device runs before
 * accepting it); they get the holds too (holds only ever hold back). Rejected devices get 403
 * `E_FORBIDDEN`; unknown or wrongly signed requests 401 `E_SIGNATURE`; a device writing to another's
 * path 403; an old counter 409 `E_REPLAY`; a flood 429 `E_RATE_LIMITED` with `Retry-After`; bad bodies 400 and oversize 413.
 * Every refused request stores nothing.
 * @module
 */
import type { Hono } from "hono";
import { verifyDeviceRequest } from "../../../core/fleet/device_request.ts";
import { ForbiddenError, RateLimitError } from "../../../core/fleet/errors.ts";
import { parseInventory, trackedRefs } from "../../../core/fleet/inventory.ts";
import { parseReportBatch } from "../../../core/fleet/report_events.ts";
import { limitBody } from "../../body.ts";
import { HttpError } from "../../http_error.ts";
import { jsonResponse } from "../../http.ts";
import type { FleetStore } from "../fleet_store.ts";
import { FLEET_HEADERS, type FleetContext } from "./_context.ts";
import { admit, parseJsonBody, readSigned } from "./_device_auth.ts";
import { parseEnrollment } from "./_enrollment.ts";
import { hashEnrollToken } from "./enroll_token.ts";

/** Largest enrolment body. */
export const MAX_ENROLL_BYTES = 16 * 1024;
/** Largest check-in body. */
export const MAX_CHECKIN_BYTES = 64 * 1024;
/** Largest report batch body. */
export const MAX_REPORTS_BYTES = 256 * 1024;

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

/** The enrolment token presented, if any: 401 for an `Authorization` that is not `Bearer <token>`. */
function presentedToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = BEARER.exec(header);
  if (!match) {
    throw new HttpError(401, "Cannot enroll: the Authorization header must be 'Bearer <enrolment token>'", {
      code: "E_UNAUTHORIZED",
    });
  }
  return match[1];
}

async function tokenIsValid(ctx: FleetContext, store: FleetStore, token: string): Promise<boolean> {
  const hash = await hashEnrollToken(token);
  if (ctx.enrollTokenHash && hash === await ctx.enrollTokenHash) return true;
  return await store.useEnrollToken(hash, { now: new Date(ctx.clock()) });
}

/**
 * Registers the device routes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createApp } from "../../app.ts";
 * import { FsStorage } from "../../storage/fs_storage.ts";
 * import { SqliteFleetStore } from "../sqlite_fleet_store.ts";
 * const dir = await Deno.makeTempDir();
 * const fleet = await SqliteFleetStore.open(":memory:");
 * const app = createApp({ storage: new FsStorage(dir), fleet });
 * const res = await app.request("/v1/devices", { method: "POST", body: "{}" });
 * assert.equal(res.status, 400); // not an enrolment (and unsigned: nothing is stored either way)
 * await fleet.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function deviceRoutes(app: Hono, ctx: FleetContext): void {
  app.post("/v1/devices", ctx.fleet.required, limitBody(MAX_ENROLL_BYTES), async (c) => {
    const store = await ctx.fleet.get();
    const body = new Uint8Array(await c.req.arrayBuffer());
    const enrollment = parseEnrollment(parseJsonBody(body, "enrolment"));
    const verified = await verifyDeviceRequest(c.req.raw, { body, publicKey: () => enrollment.publicKey });
    const id = verified.deviceId;
    if (enrollment.id !== undefined && enrollment.id !== id) {
      throw new TypeError(
        `Cannot read enrolment: id ${enrollment.id} is not the id of its publicKey (${id})`,
      );
    }
    const existing = await store.getDeviceKey(id);
    admit(ctx, { id, state: existing?.state ?? "pending" }, "enroll");
    const token = presentedToken(c.req.header("authorization"));
    let state: "accepted" | "pending" = existing?.state === "accepted" ? "accepted" : "pending";
    if (token !== undefined && state !== "accepted") {
      if (!await tokenIsValid(ctx, store, token)) {
        throw new ForbiddenError(`Cannot enroll ${id}: the enrolment token is unknown, expired or used up`);
      }
      state = "accepted";
    }
    if (!existing && state === "pending") {
      const { devices } = await store.summary({ now: new Date(ctx.clock()) });
      if (devices.pending >= ctx.maxPendingDevices) {
        throw new RateLimitError(
          `Cannot enroll ${id}: ${devices.pending} devices already wait for the operator; enroll with a token`,
          { retryAfterSeconds: 3600 },
        );
      }
    }
    const { device, created } = await store.enroll({
      id,
      publicKey: enrollment.publicKey,
      state,
      ...(enrollment.labels ? { labels: enrollment.labels } : {}),
      counter: verified.counter,
    }, { now: new Date(ctx.clock()) });
    return jsonResponse(device, { status: created ? 201 : 200, headers: FLEET_HEADERS });
  });

  // The device writes take no middleware: readSigned checks the fleet and the body's size first.
  app.post("/v1/devices/:id/checkin", async (c) => {
    const req = await readSigned(c, ctx, { action: "check in", maxBytes: MAX_CHECKIN_BYTES });
    // Checked once, here: the store takes what parseInventory returned as is.
    const inventory = parseInventory(parseJsonBody(req.body, "check-in"));
    const { state } = await req.write((publicKey) =>
      req.store.recordCheckIn(req.deviceId, inventory, {
        counter: req.counter,
        now: new Date(ctx.clock()),
        publicKey,
      })
    );
    // the state lets the device see that it was accepted (`drover status`); the edge's holds on the
    // rollouts of the apps and refs it tracks, installed or not (a device with nothing installed yet
    // is held back too); a failure to read them fails the answer: the device keeps its saved ones
    const rollouts = await ctx.rollouts.holds(req.store, trackedRefs(inventory));
    return jsonResponse({ state, rollouts }, { headers: FLEET_HEADERS });
  });

  app.post("/v1/devices/:id/reports", async (c) => {
    const req = await readSigned(c, ctx, { action: "accept reports", maxBytes: MAX_REPORTS_BYTES });
    const batch = parseReportBatch(parseJsonBody(req.body, "report"));
    await ctx.rollouts.trySync(req.store); // the store counts reports by the rollouts it knows
    const result = await req.write((publicKey) =>
      req.store.recordReports(req.deviceId, batch.events, {
        counter: req.counter,
        now: new Date(ctx.clock()),
        publicKey,
      })
    );
    if (result.accepted > 0) await ctx.rollouts.afterReports(req.store, batch.events);
    return jsonResponse(result, { headers: FLEET_HEADERS });
  });
}
