/**
 * Private: the enrolment body (`POST /v1/devices`), checked strictly (unknown fields refused):
 * `{ "schema"?: 1, "id"?: "d_…", "publicKey": "<base64url of the raw 32-byte Ed25519 key>",
 * "labels"?: { … } }`. `id`, when given, must be the id of `publicKey`; the signature's `keyid`
 * must be too (checked by `verifyDeviceRequest`).
 */
import { DEVICE_ID } from "../../../core/fleet/device_identity.ts";
import { parseLabels } from "../../../core/fleet/labels.ts";

/** What a device sends to enrol. */
export interface Enrollment {
  id?: string;
  publicKey: string;
  labels?: Record<string, string>;
}

const FIELDS = new Set(["schema", "id", "publicKey", "labels"]);
const PUBLIC_KEY = /^[A-Za-z0-9_-]{43}$/;

/** Checks a parsed enrolment body: `TypeError`/`RangeError` (400) naming the field. */
export function parseEnrollment(value: unknown): Enrollment {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError("Cannot read enrolment: the body must be a JSON object");
  }
  const doc = value as Record<string, unknown>;
  for (const key of Object.keys(doc)) {
    if (!FIELDS.has(key)) throw new TypeError(`Cannot read enrolment: unknown field '${key.slice(0, 40)}'`);
  }
  if (doc.schema !== undefined && doc.schema !== 1) {
    throw new RangeError(`Cannot read enrolment: schema ${String(doc.schema).slice(0, 20)} is not 1`);
  }
  if (typeof doc.publicKey !== "string" || !PUBLIC_KEY.test(doc.publicKey)) {
    throw new TypeError("Cannot read enrolment: publicKey must be the base64url of 32 bytes (43 characters)");
  }
  if (doc.id !== undefined && (typeof doc.id !== "string" || !DEVICE_ID.test(doc.id))) {
    throw new TypeError("Cannot read enrolment: id must be d_ and 32 hex digits");
  }
  return {
    publicKey: doc.publicKey,
    ...(doc.id === undefined ? {} : { id: doc.id as string }),
    ...(doc.labels === undefined
      ? {}
      : { labels: parseLabels(doc.labels, { doc: "enrolment", path: "labels" }) }),
  };
}
