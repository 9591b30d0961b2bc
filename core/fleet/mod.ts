/**
 * core/fleet: what device and edge share about the fleet. Device identity (Ed25519, id derived
 * from the public key), signed device requests (RFC 9421 HTTP Message Signatures with
 * `Content-Digest` (RFC 9530) and a per-device counter against replay), and the documents a
 * device sends (check-in inventory, report events), checked strictly.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateDeviceKey, loadDeviceIdentity, parseInventory, signDeviceRequest, verifyDeviceRequest } from "./mod.ts";
 * const identity = await loadDeviceIdentity(await generateDeviceKey());
 * const body = JSON.stringify({ schema: 1, deviceType: "rpi4", droverVersion: "0.1.0", apps: [], labels: {} });
 * const url = `https://edge.example/v1/devices/${identity.id}/checkin`;
 * const headers = await signDeviceRequest({ method: "POST", url, body }, identity, { counter: 1 });
 * const { deviceId, counter } = await verifyDeviceRequest({ method: "POST", url, headers }, {
 *   body, deviceId: identity.id, publicKey: () => identity.publicKey,
 * });
 * assert.equal(deviceId, identity.id);
 * assert.equal(counter, 1);
 * assert.equal(parseInventory(JSON.parse(body)).deviceType, "rpi4");
 * ```
 * @module
 */
export {
  FleetError,
  type FleetErrorCode,
  ForbiddenError,
  RateLimitError,
  ReplayError,
  SignatureError,
} from "./errors.ts";
export { contentDigest, type DigestAlgorithm, verifyContentDigest } from "./content_digest.ts";
export { DeviceKeyCache, type DeviceKeyCacheOptions } from "./device_key_cache.ts";
export {
  type SignableRequest,
  signatureBase,
  type SignatureParameters,
  type SignedFields,
  signRequest,
  type VerifiedSignature,
  verifyRequest,
} from "./http_signature.ts";
export {
  assertDeviceId,
  DEVICE_ID,
  type DeviceIdentity,
  deviceIdOf,
  type DeviceKeyJwk,
  generateDeviceKey,
  importPublicKey,
  loadDeviceIdentity,
} from "./device_identity.ts";
export {
  COUNTER_HEADER,
  DEVICE_COMPONENTS,
  DEVICE_SIGNATURE_LABEL,
  type DeviceRequest,
  signDeviceRequest,
  type VerifiedDeviceRequest,
  verifyDeviceRequest,
} from "./device_request.ts";
export { LABEL_KEY, MAX_LABEL_VALUE, MAX_LABELS, parseLabel, parseLabels } from "./labels.ts";
export {
  type Inventory,
  INVENTORY_SCHEMA,
  type InventoryApp,
  isParsedInventory,
  MAX_INVENTORY_APPS,
  type ParsedInventory,
  parseInventory,
  type TrackedApp,
  trackedRefs,
} from "./inventory.ts";
export {
  isOutcome,
  MAX_REPORT_EVENTS,
  MAX_REPORT_MESSAGE,
  parseReportBatch,
  parseReportEvent,
  REPORT_RESULTS,
  REPORT_SCHEMA,
  REPORT_STAGES,
  type ReportBatch,
  type ReportEvent,
  type ReportResult,
  type ReportStage,
} from "./report_events.ts";
