/**
 * Bearer-token check for the publishing routes, compared in constant time (both sides are hashed
 * to 32 bytes first, so neither length nor content leaks through timing).
 * @module
 */
import { getAbilities } from "../core/abilities.ts";
import { HttpError } from "./http_error.ts";

const encoder = new TextEncoder();

function digest(text: string): Uint8Array {
  const hasher = getAbilities().createHasher("sha256");
  hasher.update(encoder.encode(text));
  return hasher.digest();
}

/** Throws 401 (missing), 403 (wrong, or publishing disabled) unless `authorization` carries `token`. */
export function requireToken(authorization: string | undefined, token: string | undefined): void {
  if (token === undefined) {
    throw new HttpError(403, "Cannot publish: publishing is disabled (no token configured)");
  }
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? "");
  if (!match) {
    throw new HttpError(401, "Cannot publish: missing bearer token", {
      headers: { "www-authenticate": 'Bearer realm="drover"' },
    });
  }
  const given = digest(match[1]!);
  const expected = digest(token);
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected[i]! ^ given[i]!;
  if (diff !== 0) throw new HttpError(403, "Cannot publish: wrong bearer token");
}
