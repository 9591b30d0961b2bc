/**
 * Bearer-token check of the publishing routes: Hono's `bearerAuth` (constant-time comparison of
 * SHA-256 digests, RFC 6750 `WWW-Authenticate` challenges), answering in the edge's JSON error shape:
 * 401 `E_UNAUTHORIZED` without a bearer token, 403 `E_FORBIDDEN` for a wrong one or when publishing
 * is disabled (no token configured).
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { errorResponse, HttpError, toErrorReply } from "./http_error.ts";

/** What `bearerAuth` accepts as a token (RFC 6750 b64token); any other token could never match. */
const TOKEN = /^[A-Za-z0-9._~+/-]+=*$/;

const refusal = (status: 401 | 403, message: string) => () =>
  errorResponse(toErrorReply(new HttpError(status, message)));

/** Options of {@linkcode publishAuth}. */
export interface AuthOptions {
  /** What the refusals say cannot be done (default `publish`). */
  action?: string;
  /** Why, when no token is configured (default `publishing is disabled`). */
  disabled?: string;
}

/**
 * The middleware that lets a request through only with `Authorization: Bearer <token>`.
 * `TypeError` when `token` is not a b64token.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { publishAuth } from "./auth.ts";
 * const app = new Hono().put("/x", publishAuth("secret-token"), (c) => c.text("ok"));
 * assert.equal((await app.request("/x", { method: "PUT" })).status, 401);
 * const ok = await app.request("/x", { method: "PUT", headers: { authorization: "Bearer secret-token" } });
 * assert.equal(ok.status, 200);
 * ```
 */
export function publishAuth(token: string | undefined, options: AuthOptions = {}): MiddlewareHandler {
  const action = options.action ?? "publish";
  if (token === undefined) {
    return () => {
      throw new HttpError(
        403,
        `Cannot ${action}: ${options.disabled ?? "publishing is disabled"} (no token configured)`,
      );
    };
  }
  if (!TOKEN.test(token)) {
    throw new TypeError(
      "Cannot configure edge: the token must be a bearer token (letters, digits, -._~+/ and trailing =)",
    );
  }
  const missing = refusal(401, `Cannot ${action}: missing bearer token`);
  return bearerAuth({
    token,
    realm: "drover",
    noAuthenticationHeader: { message: missing },
    invalidAuthenticationHeader: { message: missing },
    invalidToken: { message: refusal(403, `Cannot ${action}: wrong bearer token`) },
  });
}
