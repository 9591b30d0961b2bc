/**
 * Enrolment tokens: a device enrolling with a valid one (`Authorization: Bearer <token>`) is
 * accepted at once. Either the configured `DROVER_ENROLL_TOKEN`, or one minted by the operator
 * (`POST /v1/fleet/enroll-tokens`): 32 random bytes, base64url, prefixed `drover-enroll-`; the
 * fleet store keeps only its SHA-256 ({@linkcode hashEnrollToken}), so a database leak reveals
 * no usable token.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashEnrollToken, mintEnrollToken } from "./enroll_token.ts";
 * const token = mintEnrollToken();
 * assert.match(token, /^drover-enroll-[A-Za-z0-9_-]{43}$/);
 * assert.match(await hashEnrollToken(token), /^[0-9a-f]{64}$/);
 * assert.notEqual(mintEnrollToken(), token);
 * ```
 * @module
 */
import { toHex } from "../../../core/verify/hex.ts";

/** A new random enrolment token. */
export function mintEnrollToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const base64 = btoa(String.fromCharCode(...bytes));
  return `drover-enroll-${base64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")}`;
}

/** The lower-case hex SHA-256 of `token` (UTF-8): what the store keeps and looks up. */
export async function hashEnrollToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return toHex(new Uint8Array(digest));
}
