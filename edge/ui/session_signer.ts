/**
 * Operator sessions of the fleet dashboard without server-side storage. A session token is
 * `v1.<id>.<expires>.<mac>`: a random 128-bit id, the expiry (ms since the epoch) and an
 * HMAC-SHA-256 over both, under a key derived with HKDF-SHA-256 (WebCrypto) from the operator
 * token. Any process or Worker isolate configured with the same token verifies it; changing the
 * token signs every session out. A session's CSRF token is another HMAC of its id (under its own
 * label), which a page on another site cannot compute.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SessionSigner } from "./session_signer.ts";
 * const signer = new SessionSigner("operator-token", { ttlMs: 60_000 });
 * const { token, session } = await signer.issue();
 * assert.deepEqual(await signer.verify(token), session);
 * assert.equal(await signer.verify(token.slice(0, -2) + "AA"), undefined);
 * const csrf = await signer.csrfFor(session);
 * assert.equal(await signer.checkCsrf(session, csrf), true);
 * assert.equal(await new SessionSigner("another-token").verify(token), undefined);
 * assert.equal(await signer.checkOperatorToken("operator-token"), true);
 * ```
 * @module
 */

/** A verified session. */
export interface Session {
  /** Random, base64url (22 characters). */
  id: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** Options of {@linkcode SessionSigner}. */
export interface SessionSignerOptions {
  /** How long a session lasts (default 12 hours). */
  ttlMs?: number;
  /** Milliseconds since the epoch (default `Date.now`). */
  clock?: () => number;
}

const TOKEN = /^v1\.([A-Za-z0-9_-]{22})\.(\d{1,16})\.([A-Za-z0-9_-]{43})$/;
const CSRF = /^[A-Za-z0-9_-]{43}$/;
const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Decodes base64url; `undefined` unless `text` is the canonical encoding (no spare bits set). */
function fromBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return base64url(out) === text ? out : undefined;
}

async function deriveKey(secret: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, [
    "deriveKey",
  ]);
  return await crypto.subtle.deriveKey(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: encoder.encode("drover-ui"),
      info: encoder.encode("drover-ui session key v1"),
    },
    material,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
}

/** Issues and verifies session and CSRF tokens under one operator token. */
export class SessionSigner {
  readonly ttlMs: number;
  #secret: string;
  #clock: () => number;
  #key: Promise<CryptoKey> | undefined;

  constructor(operatorToken: string, options: SessionSignerOptions = {}) {
    if (typeof operatorToken !== "string" || operatorToken.length < 8) {
      throw new TypeError("Cannot sign sessions: the operator token must be at least 8 characters");
    }
    const ttlMs = options.ttlMs ?? 12 * 3600_000;
    if (!Number.isSafeInteger(ttlMs) || ttlMs < 1000) {
      throw new RangeError("Cannot sign sessions: ttlMs must be an integer of at least 1000");
    }
    this.ttlMs = ttlMs;
    this.#secret = operatorToken;
    this.#clock = options.clock ?? Date.now;
  }

  #mac(label: string, message: string): Promise<ArrayBuffer> {
    return this.#keyed((key) => crypto.subtle.sign("HMAC", key, encoder.encode(`${label}\n${message}`)));
  }

  async #keyed<T>(use: (key: CryptoKey) => Promise<T>): Promise<T> {
    this.#key ??= deriveKey(this.#secret);
    return await use(await this.#key);
  }

  /**
   * True when `value` is the operator token: the HMAC of the token is verified over `value`, so the
   * comparison takes the same time whatever `value` holds.
   */
  async checkOperatorToken(value: unknown): Promise<boolean> {
    if (typeof value !== "string" || value.length > 4096) return false;
    const expected = await this.#mac("login", this.#secret);
    const data = encoder.encode(`login\n${value}`);
    return await this.#keyed((key) => crypto.subtle.verify("HMAC", key, expected, data));
  }

  /** A new session and its cookie value. */
  async issue(): Promise<{ token: string; session: Session }> {
    const id = base64url(crypto.getRandomValues(new Uint8Array(16)));
    const expiresAt = this.#clock() + this.ttlMs;
    const mac = await this.#mac("session", `${id}.${expiresAt}`);
    return { token: `v1.${id}.${expiresAt}.${base64url(new Uint8Array(mac))}`, session: { id, expiresAt } };
  }

  /** The session of `token` when its MAC verifies and it has not expired; else `undefined`. */
  async verify(token: string | undefined): Promise<Session | undefined> {
    const match = typeof token === "string" && token.length < 200 ? TOKEN.exec(token) : null;
    if (!match) return undefined;
    const [, id, expires, mac] = match as unknown as [string, string, string, string];
    const expiresAt = Number(expires);
    const now = this.#clock();
    if (!(expiresAt > now) || expiresAt > now + this.ttlMs) return undefined;
    const signature = fromBase64url(mac);
    if (!signature) return undefined;
    const data = encoder.encode(`session\n${id}.${expires}`);
    const ok = await this.#keyed((key) => crypto.subtle.verify("HMAC", key, signature, data));
    return ok ? { id, expiresAt } : undefined;
  }

  /** The CSRF token forms of `session` carry. */
  async csrfFor(session: Session): Promise<string> {
    return base64url(new Uint8Array(await this.#mac("csrf", session.id)));
  }

  /** True when `value` is the CSRF token of `session` (compared in constant time by HMAC verify). */
  async checkCsrf(session: Session, value: unknown): Promise<boolean> {
    const signature = typeof value === "string" && CSRF.test(value) ? fromBase64url(value) : undefined;
    if (!signature) return false;
    const data = encoder.encode(`csrf\n${session.id}`);
    return await this.#keyed((key) => crypto.subtle.verify("HMAC", key, signature, data));
  }
}
