import assert from "node:assert/strict";
import { SessionSigner } from "./session_signer.ts";

const TOKEN = "operator-token-for-tests";
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const spareBits = (last: string) => B64URL[B64URL.indexOf(last) | 3]!;

Deno.test("session signer: a session verifies until it expires, under the same token only", async () => {
  const clock = { now: 1_000_000 };
  const signer = new SessionSigner(TOKEN, { ttlMs: 60_000, clock: () => clock.now });
  const { token, session } = await signer.issue();
  assert.match(token, /^v1\.[A-Za-z0-9_-]{22}\.\d+\.[A-Za-z0-9_-]{43}$/);
  assert.equal(session.expiresAt, 1_060_000);
  assert.deepEqual(await signer.verify(token), session);
  // another isolate with the same token (no shared storage) verifies it too
  assert.deepEqual(
    await new SessionSigner(TOKEN, { ttlMs: 60_000, clock: () => clock.now }).verify(token),
    session,
  );
  assert.equal(
    await new SessionSigner("another-operator-token", { clock: () => clock.now }).verify(token),
    undefined,
  );
  clock.now += 59_999;
  assert.ok(await signer.verify(token));
  clock.now += 1;
  assert.equal(await signer.verify(token), undefined, "expired");
});

Deno.test("session signer: tampered, malformed and stretched tokens are refused", async () => {
  const signer = new SessionSigner(TOKEN, { ttlMs: 60_000, clock: () => 1_000_000 });
  const { token } = await signer.issue();
  const [v, id, expires, mac] = token.split(".") as [string, string, string, string];
  const forged = [
    `${v}.${id}.${Number(expires) + 1}.${mac}`, // a later expiry under the old MAC
    `${v}.${"A".repeat(22)}.${expires}.${mac}`, // another id
    `${v}.${id}.${expires}.${mac.startsWith("A") ? "B" : "A"}${mac.slice(1)}`,
    // the same MAC bytes, written with the last character's two spare bits set
    `${v}.${id}.${expires}.${mac.slice(0, -1)}${spareBits(mac.at(-1)!)}`,
    `v2.${id}.${expires}.${mac}`,
    `${token}.`,
    "",
    "v1...",
    "x".repeat(5000),
  ];
  for (const bad of forged) assert.equal(await signer.verify(bad), undefined, bad.slice(0, 80));
  assert.equal(await signer.verify(undefined), undefined);
  // a validly signed token whose expiry lies beyond the configured lifetime (a longer ttl then) is refused
  const long = await new SessionSigner(TOKEN, { ttlMs: 3_600_000, clock: () => 1_000_000 }).issue();
  assert.equal(await signer.verify(long.token), undefined);
});

Deno.test("session signer: CSRF tokens belong to one session; the operator token check", async () => {
  const signer = new SessionSigner(TOKEN);
  const a = await signer.issue();
  const b = await signer.issue();
  const csrf = await signer.csrfFor(a.session);
  assert.match(csrf, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(await signer.checkCsrf(a.session, csrf), true);
  assert.equal(await signer.checkCsrf(b.session, csrf), false, "another session's token");
  for (
    const bad of [
      undefined,
      "",
      42,
      csrf.slice(1),
      `${csrf}A`,
      a.token,
      csrf.slice(0, -1) + spareBits(csrf.at(-1)!),
    ]
  ) {
    assert.equal(await signer.checkCsrf(a.session, bad), false, String(bad));
  }
  assert.notEqual(csrf, a.token.split(".")[3], "the CSRF token is not the session's MAC");
  assert.equal(await signer.checkOperatorToken(TOKEN), true);
  for (const bad of ["", `${TOKEN} `, TOKEN.slice(1), undefined, null, "x".repeat(10_000)]) {
    assert.equal(await signer.checkOperatorToken(bad), false);
  }
  assert.throws(() => new SessionSigner("short"), TypeError);
  assert.throws(() => new SessionSigner(TOKEN, { ttlMs: 5 }), RangeError);
});
