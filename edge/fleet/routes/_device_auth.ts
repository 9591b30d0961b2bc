/**
 * Private: reading a device's signed request. The signature (RFC 9421, core/fleet's
 * `verifyDeviceRequest`) is checked against the key stored at enrolment before anything in the
 * body is looked at; a rejected signer is refused; the signer's rate limit applies; the signer must
 * be the device of the path. Nothing is stored here: the caller's store write checks and
 * advances the counter in the same transaction as its data.
 */
import type { Context } from "hono";
import { DEVICE_ID } from "../../../core/fleet/device_identity.ts";
import { verifyDeviceRequest } from "../../../core/fleet/device_request.ts";
import { ForbiddenError, RateLimitError, SignatureError } from "../../../core/fleet/errors.ts";
import { HttpError } from "../../http_error.ts";
import type { DeviceState, FleetStore } from "../fleet_store.ts";
import type { FleetContext } from "./_context.ts";

/** A verified device request. */
export interface SignedRequest {
  store: FleetStore;
  deviceId: string;
  state: DeviceState;
  counter: number;
  body: Uint8Array;
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

/** Refuses a rejected device (403), then takes one token of its rate limit (429). */
export function admit(ctx: FleetContext, device: { id: string; state: DeviceState }, action: string): void {
  if (device.state === "rejected") {
    throw new ForbiddenError(`Cannot ${action}: device ${device.id} is rejected by the operator`);
  }
  const wait = ctx.limiter.take(device.id, ctx.clock());
  if (wait > 0) {
    throw new RateLimitError(`Cannot ${action}: device ${device.id} sends too many requests`, {
      retryAfterSeconds: Number.isFinite(wait) ? wait / 1000 : 3600,
    });
  }
}

/**
 * Reads and verifies the signed request of the path's device. The key and state are read from the
 * store on every request (one indexed row); only the imported key is cached (`ctx.keys`, by device
 * id and that stored key), so a rejection or a new key counts from the next request on.
 */
export async function readSigned(c: Context, ctx: FleetContext, action: string): Promise<SignedRequest> {
  const pathId = pathDeviceId(c, action);
  const store = await ctx.fleet.get();
  const body = new Uint8Array(await c.req.arrayBuffer());
  let state: DeviceState = "pending";
  const verified = await verifyDeviceRequest(c.req.raw, {
    body,
    keys: ctx.keys,
    publicKey: async (id) => {
      const known = await store.getDeviceKey(id);
      if (!known) throw new SignatureError(`Cannot ${action}: device ${id} is not enrolled`);
      state = known.state;
      return known.publicKey;
    },
  });
  // The signer's limit, whatever path it writes to; a forger never spends another device's.
  admit(ctx, { id: verified.deviceId, state }, action);
  if (verified.deviceId !== pathId) {
    throw new ForbiddenError(`Cannot ${action}: device ${verified.deviceId} cannot write as ${pathId}`);
  }
  return { store, deviceId: pathId, state, counter: verified.counter, body };
}
