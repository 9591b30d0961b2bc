/**
 * Drover's profile of RFC 9421 for device requests to the edge. A device signs every request
 * with its identity under the label `drover`, covering `@method`, `@path`, `content-digest`
 * (RFC 9530 sha-256 of the body, empty included) and `drover-counter`, a decimal counter the
 * device raises by at least one for every request. Parameters: `created` (the device's clock,
 * informational only), `keyid` (the device id) and `alg="ed25519"`.
 *
 * Replay protection is the counter, never the clock: the edge accepts a request only when its
 * counter is above the last one it accepted from that device, and advances it in the same
 * transaction as the request's writes (`FleetStore`). Requests that race (a check-in and a report
 * at once) may therefore see one refused (`ReplayError`, E_REPLAY); the device retries it with a
 * new counter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateDeviceKey, loadDeviceIdentity } from "./device_identity.ts";
 * import { signDeviceRequest, verifyDeviceRequest } from "./device_request.ts";
 * const identity = await loadDeviceIdentity(await generateDeviceKey());
 * const url = `https://edge.example/v1/devices/${identity.id}/checkin`;
 * const body = '{"schema":1}';
 * const headers = await signDeviceRequest({ method: "POST", url, body }, identity, { counter: 7 });
 * const verified = await verifyDeviceRequest({ method: "POST", url, headers }, {
 *   body,
 *   deviceId: identity.id,
 *   publicKey: (id) => id === identity.id ? identity.publicKey : undefined,
 * });
 * assert.equal(verified.deviceId, identity.id);
 * assert.equal(verified.counter, 7);
 * ```
 * @module
 */
import { contentDigest, verifyContentDigest } from "./content_digest.ts";
import { assertDeviceId, DEVICE_ID, type DeviceIdentity } from "./device_identity.ts";
import { DeviceKeyCache } from "./device_key_cache.ts";
import { SignatureError } from "./errors.ts";
import { type SignableRequest, signRequest, verifyRequest } from "./http_signature.ts";

/** Without a cache of the caller's: every key is checked and imported again. */
const UNCACHED = new DeviceKeyCache({ maxEntries: 0 });
const COUNTER = /^[0-9]{1,16}$/;

/** The signature label of device requests. */
export const DEVICE_SIGNATURE_LABEL = "drover";
/** The header carrying the request counter. */
export const COUNTER_HEADER = "drover-counter";
/** What every device request signature must cover. */
export const DEVICE_COMPONENTS: readonly string[] = ["@method", "@path", "content-digest", COUNTER_HEADER];

/** A request to sign: its body is what will be sent (strings are UTF-8). */
export interface DeviceRequest {
  method: string;
  url: string | URL;
  headers?: HeadersInit;
  body?: Uint8Array | string;
}

/** A verified device request. */
export interface VerifiedDeviceRequest {
  deviceId: string;
  counter: number;
  /** The device's `created` time, when sent (its clock: informational only). */
  created?: Date;
  components: string[];
}

function assertCounter(counter: unknown): asserts counter is number {
  if (!Number.isSafeInteger(counter) || (counter as number) < 1) {
    throw new RangeError(
      `Cannot sign request: counter must be an integer from 1 to 2^53-1, got ${String(counter)}`,
    );
  }
}

/**
 * Sign a device request: returns its headers (given ones kept) with `content-digest`,
 * `drover-counter`, `signature-input` and `signature` set. Options: `counter` (required, above
 * every counter this identity used before), `created` (default now; `null` leaves it out),
 * `authority` (also cover `@authority`; only when no proxy rewrites the Host).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateDeviceKey, loadDeviceIdentity } from "./device_identity.ts";
 * import { signDeviceRequest } from "./device_request.ts";
 * const identity = await loadDeviceIdentity(await generateDeviceKey());
 * const headers = await signDeviceRequest({ method: "POST", url: "https://e.example/v1/x" }, identity, {
 *   counter: 1, created: null,
 * });
 * assert.equal(headers.get("drover-counter"), "1");
 * assert.equal(
 *   headers.get("signature-input"),
 *   `drover=("@method" "@path" "content-digest" "drover-counter");keyid="${identity.id}";alg="ed25519"`,
 * );
 * ```
 */
export async function signDeviceRequest(
  request: DeviceRequest,
  identity: DeviceIdentity,
  options: { counter: number; created?: Date | null; authority?: boolean },
): Promise<Headers> {
  assertCounter(options.counter);
  assertDeviceId(identity.id);
  const headers = new Headers(request.headers);
  headers.set("content-digest", await contentDigest(request.body ?? ""));
  headers.set(COUNTER_HEADER, String(options.counter));
  const created = options.created === undefined ? new Date() : options.created;
  const components = options.authority
    ? ["@method", "@authority", ...DEVICE_COMPONENTS.slice(1)]
    : DEVICE_COMPONENTS;
  const signed = await signRequest(
    { method: request.method, url: request.url, headers },
    identity.privateKey,
    {
      label: DEVICE_SIGNATURE_LABEL,
      components,
      params: {
        ...(created === null ? {} : { created: Math.floor(created.getTime() / 1000) }),
        keyid: identity.id,
        alg: "ed25519",
      },
    },
  );
  headers.set("signature-input", signed.signatureInput);
  headers.set("signature", signed.signature);
  return headers;
}

/**
 * Verify a device request and its body. `publicKey(deviceId)` returns the stored public key of a
 * device (base64url), or `undefined` when unknown (at enrolment: the key the body presents). The
 * key must hash to the signature's `keyid`; with `deviceId` given, the signer must be that device.
 * With `keys`, a key already checked and imported for that device id and that same public key is
 * taken from the cache (a server verifying many requests per device). Every request is still
 * verified in full: signature, covered components, counter syntax and `Content-Digest`.
 * Resolves with the device id and counter, which the caller then checks and advances in its
 * store. Rejects with `SignatureError` (a body that does not match its signed `Content-Digest`
 * included: the `IntegrityError` is its `cause`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { verifyDeviceRequest } from "./device_request.ts";
 * const request = { method: "POST", url: "https://e.example/v1/x", headers: new Headers() };
 * await assert.rejects(verifyDeviceRequest(request, { body: "", publicKey: () => undefined }), {
 *   name: "SignatureError",
 * });
 * ```
 */
export async function verifyDeviceRequest(
  request: SignableRequest,
  options: {
    body: Uint8Array | string;
    publicKey: (deviceId: string) => string | undefined | Promise<string | undefined>;
    deviceId?: string;
    keys?: DeviceKeyCache;
  },
): Promise<VerifiedDeviceRequest> {
  const keys = options.keys ?? UNCACHED;
  let deviceId = "";
  const verified = await verifyRequest(request, {
    label: DEVICE_SIGNATURE_LABEL,
    required: DEVICE_COMPONENTS,
    key: async ({ keyid }) => {
      if (keyid === undefined || !DEVICE_ID.test(keyid)) {
        throw new SignatureError(
          `Cannot verify request: keyid '${String(keyid).slice(0, 40)}' is not a device id`,
        );
      }
      if (options.deviceId !== undefined && keyid !== options.deviceId) {
        throw new SignatureError(`Cannot verify request: signed by ${keyid}, not by ${options.deviceId}`);
      }
      const publicKey = await options.publicKey(keyid);
      if (publicKey === undefined) return undefined;
      const key = await keys.verifyKey(keyid, publicKey);
      deviceId = keyid;
      return key;
    },
  });
  if (verified.params.alg !== "ed25519") {
    throw new SignatureError(`Cannot verify request: alg must be "ed25519"`);
  }
  const text = request.headers?.get(COUNTER_HEADER)?.trim() ?? "";
  const counter = COUNTER.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(counter) || counter < 1) {
    throw new SignatureError(
      `Cannot verify request: ${COUNTER_HEADER} must be a decimal integer from 1 to 2^53-1`,
    );
  }
  try {
    await verifyContentDigest(request.headers?.get("content-digest"), options.body);
  } catch (cause) {
    throw new SignatureError(`Cannot verify request: ${(cause as Error).message}`, { cause });
  }
  const created = verified.params.created;
  return {
    deviceId,
    counter,
    ...(created === undefined ? {} : { created: new Date(created * 1000) }),
    components: verified.components,
  };
}
