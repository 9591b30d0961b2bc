/**
 * Private: reading a device's signed request. The signature (RFC 9421, core/fleet's
 * `verifyDeviceRequest`) is checked against the key stored at enrolment before anything in the
 * body is looked at; a rejected signer is refused; the signer's rate limit applies; the signer must
 * be the device of the path. Nothing is stored here: the caller's store write checks and
 * advances the counter in the same transaction as its data.
 *
 * The stored key is read once per device and process: later requests are verified with the cached
 * key (`ctx.keys`, by device id and key) without reading the store, and their write is conditioned
 * on that key in its own transaction (`DeviceWriteOptions.publicKey`: the device must still have
 * it and not be rejected). When the store refuses, the request is verified again against what the
 * store holds, so a rejection or a changed key counts from the next request on, in every process
 * sharing the database.
 */
import type { Context } from "hono";
import { NotFoundError } from "../../../core/errors.ts";
import { DEVICE_ID } from "../../../core/fleet/device_identity.ts";
import { verifyDeviceRequest } from "../../../core/fleet/device_request.ts";
import { ForbiddenError, RateLimitError, SignatureError } from "../../../core/fleet/errors.ts";
import { HttpError } from "../../http_error.ts";
import type { DeviceState, FleetStore } from "../fleet_store.ts";
import type { FleetContext } from "./_context.ts";
import { readLimitedBody } from "./_limited_body.ts";

/** A verified device request. */
export interface SignedRequest {
  store: FleetStore;
  deviceId: string;
  counter: number;
  body: Uint8Array;
  /**
   * Runs the request's store write with the stored public key the request was verified with (pass
   * it on as `DeviceWriteOptions.publicKey`). When that key came from the cache and the store
   * refuses it (`NotFoundError`), the request is verified against the store again (401 or 403 now
   * when it no longer passes) and the write runs once more.
   */
  write<T>(run: (publicKey: string) => Promise<T>): Promise<T>;
}

/** What verification found: `state` only when the key was read from the store. */
interface Verified {
  deviceId: string;
  counter: number;
  publicKey: string;
  state?: DeviceState;
}

interface Reading {
  store: FleetStore;
  body: Uint8Array;
  action: string;
}

/** The path's device id: 400 when it is not one. */
export function pathDeviceId(c: Context, action: string): string {
  const id = c.req.param("id") ?? "";
  if (!DEVICE_ID.test(id)) {
    throw new HttpError(
      400,
      `Cannot ${action}: '${id.slice(0, 40)}' is not a device id (d_ and 32 hex digits)`,
    );
  }
  return id;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Parses a JSON body (UTF-8); `SyntaxError` (400) naming `doc` when it is not JSON. */
export function parseJsonBody(body: Uint8Array, doc: string): unknown {
  try {
    return JSON.parse(utf8.decode(body));
  } catch (cause) {
    throw new SyntaxError(`Cannot read ${doc}: the body is not UTF-8 JSON`, { cause });
  }
}

function refuseRejected(device: { id: string; state?: DeviceState }, action: string): void {
  if (device.state === "rejected") {
    throw new ForbiddenError(`Cannot ${action}: device ${device.id} is rejected by the operator`);
  }
}

/**
 * Refuses a rejected device (403), then takes one token of its rate limit (429). A state left out
 * (a key from the cache) is checked by the write instead.
 */
export function admit(ctx: FleetContext, device: { id: string; state?: DeviceState }, action: string): void {
  refuseRejected(device, action);
  const wait = ctx.limiter.take(device.id, ctx.clock());
  if (wait > 0) {
    throw new RateLimitError(`Cannot ${action}: device ${device.id} sends too many requests`, {
      retryAfterSeconds: Number.isFinite(wait) ? wait / 1000 : 3600,
    });
  }
}

/** Verifies the request with the cached key of its signer, or with the stored one (`fromStore`). */
async function verifySigned(c: Context, ctx: FleetContext, o: Reading, fromStore = false): Promise<Verified> {
  let keyid = "", publicKey: string | undefined, state: DeviceState | undefined;
  const stored = async (id: string) => {
    const known = await o.store.getDeviceKey(id);
    if (!known) throw new SignatureError(`Cannot ${o.action}: device ${id} is not enrolled`);
    state = known.state;
    return known.publicKey;
  };
  try {
    const verified = await verifyDeviceRequest(c.req.raw, {
      body: o.body,
      keys: ctx.keys,
      publicKey: async (id) => {
        keyid = id;
        publicKey = fromStore ? undefined : ctx.keys.publicKeyOf(id);
        return publicKey ??= await stored(id);
      },
    });
    // A rejected device's requests read the store until it is accepted again.
    if (state === "rejected") ctx.keys.forget(keyid);
    return { deviceId: verified.deviceId, counter: verified.counter, publicKey: publicKey!, state };
  } catch (error) {
    // Refused with a key from the cache: only another stored key could verify it.
    if (state !== undefined || publicKey === undefined || !(error instanceof SignatureError)) throw error;
    if ((await o.store.getDeviceKey(keyid))?.publicKey === publicKey) throw error;
    return await verifySigned(c, ctx, o, true);
  }
}

/**
 * Reads and verifies the signed request of the path's device, in the order a route's middleware
 * would: 404 without a fleet, 413 for a body over `maxBytes`, 400 for a path that is not a device
 * id, then the store.
 */
export async function readSigned(
  c: Context,
  ctx: FleetContext,
  options: { action: string; maxBytes: number },
): Promise<SignedRequest> {
  const { action, maxBytes } = options;
  ctx.fleet.assertConfigured();
  const body = await readLimitedBody(c.req.raw, maxBytes);
  const pathId = pathDeviceId(c, action);
  const store = await ctx.fleet.get();
  const reading: Reading = { store, body, action };
  const verified = await verifySigned(c, ctx, reading);
  // The signer's limit, whatever path it writes to; a forger never spends another device's.
  admit(ctx, { id: verified.deviceId, state: verified.state }, action);
  if (verified.deviceId !== pathId) {
    throw new ForbiddenError(`Cannot ${action}: device ${verified.deviceId} cannot write as ${pathId}`);
  }
  return {
    store,
    deviceId: pathId,
    counter: verified.counter,
    body,
    async write(run) {
      try {
        return await run(verified.publicKey);
      } catch (error) {
        if (verified.state !== undefined || !(error instanceof NotFoundError)) throw error;
        const fresh = await verifySigned(c, ctx, reading, true);
        refuseRejected({ id: fresh.deviceId, state: fresh.state }, action);
        return await run(fresh.publicKey);
      }
    },
  };
}
