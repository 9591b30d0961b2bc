import assert from "node:assert/strict";
import { signatureBase, signRequest, verifyRequest } from "./http_signature.ts";
import { SignatureError } from "./errors.ts";

// RFC 9421 Appendix B.1.4 (test-key-ed25519) and B.2 (test-request).
const PKCS8 = "MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF";
const SPKI = "MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=";
const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
const testKeys = async () => ({
  privateKey: await crypto.subtle.importKey("pkcs8", bytes(PKCS8), "Ed25519", false, ["sign"]),
  publicKey: await crypto.subtle.importKey("spki", bytes(SPKI), "Ed25519", false, ["verify"]),
});
const testRequest = () => ({
  method: "POST",
  url: "https://example.com/foo?param=Value&Pet=dog",
  headers: new Headers({
    "Host": "example.com",
    "Date": "Tue, 20 Apr 2021 02:07:55 GMT",
    "Content-Type": "application/json",
    "Content-Digest":
      "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
    "Content-Length": "18",
  }),
});
const B26_COMPONENTS = ["date", "@method", "@path", "@authority", "content-type", "content-length"];
const B26_PARAMS = { created: 1618884473, keyid: "test-key-ed25519" };
const B26_BASE = [
  '"date": Tue, 20 Apr 2021 02:07:55 GMT',
  '"@method": POST',
  '"@path": /foo',
  '"@authority": example.com',
  '"content-type": application/json',
  '"content-length": 18',
  '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length")' +
  ';created=1618884473;keyid="test-key-ed25519"',
].join("\n");
const B26_INPUT = 'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length")' +
  ';created=1618884473;keyid="test-key-ed25519"';
const B26_SIGNATURE =
  "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:";

Deno.test("signatureBase() matches RFC 9421 B.2.6 byte for byte", () => {
  assert.equal(signatureBase(testRequest(), { components: B26_COMPONENTS, params: B26_PARAMS }), B26_BASE);
});

Deno.test("signRequest() reproduces the RFC 9421 B.2.6 Signature-Input and Signature (ed25519)", async () => {
  const { privateKey } = await testKeys();
  const signed = await signRequest(testRequest(), privateKey, {
    label: "sig-b26",
    components: B26_COMPONENTS,
    params: B26_PARAMS,
  });
  assert.equal(signed.base, B26_BASE);
  assert.equal(signed.signatureInput, B26_INPUT);
  assert.equal(signed.signature, B26_SIGNATURE);
});

function signedB26(overrides: Record<string, string> = {}) {
  const request = testRequest();
  request.headers.set("signature-input", B26_INPUT);
  request.headers.set("signature", B26_SIGNATURE);
  for (const [k, v] of Object.entries(overrides)) request.headers.set(k, v);
  return request;
}

Deno.test("verifyRequest() accepts the RFC 9421 B.2.6 signature and reports what it covered", async () => {
  const { publicKey } = await testKeys();
  const keys: unknown[] = [];
  const verified = await verifyRequest(signedB26(), {
    key: (params) => (keys.push(params), params.keyid === "test-key-ed25519" ? publicKey : undefined),
    required: ["@method", "@path"],
  });
  assert.equal(verified.label, "sig-b26");
  assert.deepEqual(verified.components, B26_COMPONENTS);
  assert.deepEqual(verified.params, B26_PARAMS);
  assert.equal(verified.base, B26_BASE);
  assert.deepEqual(keys, [B26_PARAMS]);
  // Extra optional whitespace in the received fields does not change the (canonical) base.
  const spaced = signedB26({
    "signature-input": "  " + B26_INPUT.replace("(", "( ").replace(")", " )") + ' ,other=("@method")',
    "signature": B26_SIGNATURE + ",  other=:AAAA:",
  });
  assert.equal((await verifyRequest(spaced, { label: "sig-b26", key: () => publicKey })).base, B26_BASE);
});

Deno.test("verifyRequest() refuses any change to a covered component, and other failures, with SignatureError", async () => {
  const { publicKey } = await testKeys();
  const key = () => publicKey;
  const refused = async (request: ReturnType<typeof testRequest>, pattern: RegExp, options = {}) => {
    await assert.rejects(verifyRequest(request, { key, ...options }), (e: unknown) => {
      assert.ok(e instanceof SignatureError, String(e));
      assert.equal(e.code, "E_SIGNATURE");
      assert.match(e.message, /^Cannot /);
      assert.match(e.message, pattern);
      return true;
    });
  };
  await refused({ ...signedB26(), method: "PUT" }, /does not match/);
  await refused({ ...signedB26(), url: "https://example.com/bar" }, /does not match/);
  await refused({ ...signedB26(), url: "https://example.org/foo" }, /does not match/);
  await refused(signedB26({ "content-length": "19" }), /does not match/);
  await refused(signedB26({ date: "Wed, 21 Apr 2021 02:07:55 GMT" }), /does not match/);
  await refused(
    signedB26({ "signature-input": B26_INPUT.replace("1618884473", "1618884474") }),
    /does not match/,
  );
  const noDate = signedB26();
  noDate.headers.delete("date");
  await refused(noDate, /no 'date' field/);
  const unsigned = testRequest();
  await refused(unsigned, /no signature-input field/);
  await refused(signedB26({ signature: "sig-b26=:AAAA:" }), /64-byte/);
  await refused(signedB26({ signature: "sig-b26=:not base64!:" }), /malformed signature/);
  await refused(signedB26({ "signature-input": 'sig-b26=("@method"' }), /malformed signature-input/);
  await refused(signedB26({ "signature-input": 'sig-b26="@method"' }), /not an inner list/);
  await refused(signedB26(), /no signature labelled 'other'/, { label: "other" });
  await refused(signedB26(), /'content-digest' is not signed/, { required: ["content-digest"] });
  await refused(signedB26(), /unknown key 'test-key-ed25519'/, { key: () => undefined });
  await refused(signedB26({ "signature-input": B26_INPUT + ';alg="rsa-pss-sha512"' }), /unsupported alg/);
  await refused(signedB26({ "signature-input": B26_INPUT.replace('"date"', '"@method"') }), /covered twice/);
  await refused(
    signedB26({ "signature-input": B26_INPUT.replace('"date"', '"date";sf') }),
    /component parameters/,
  );
  await refused(
    signedB26({ "signature-input": B26_INPUT.replace("created=1618884473", 'created="x"') }),
    /created/,
  );
  await refused(
    signedB26({ "signature-input": `${B26_INPUT}, b=("@method")`, signature: `${B26_SIGNATURE}, b=:AAAA:` }),
    /2 signatures and no label chosen/,
  );
  // A key of another algorithm is a SignatureError too, not a crash.
  const hmac = await crypto.subtle.importKey(
    "raw",
    new Uint8Array(32),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "verify",
    ],
  );
  await refused(signedB26(), /Cannot verify request/, { key: () => hmac });
});

Deno.test("signRequest() refuses bad arguments with TypeError/RangeError", async () => {
  const { privateKey } = await testKeys();
  const request = testRequest();
  await assert.rejects(signRequest(request, privateKey, { components: ["@bogus"] }), TypeError);
  await assert.rejects(signRequest(request, privateKey, { components: ["Date"] }), TypeError);
  await assert.rejects(signRequest(request, privateKey, { components: ["date", "date"] }), /twice/);
  await assert.rejects(signRequest(request, privateKey, { components: [], label: "Bad" }), /bad label/);
  await assert.rejects(
    signRequest(request, privateKey, { components: [], params: { created: -1 } }),
    RangeError,
  );
  await assert.rejects(
    signRequest(request, privateKey, { components: [], params: { keyid: "é" } }),
    TypeError,
  );
  await assert.rejects(
    signRequest(request, privateKey, { components: ["x-missing"] }),
    /no 'x-missing' field/,
  );
});

Deno.test("signatureBase() derives @query, @scheme, @target-uri, @request-target and an empty path as RFC 9421 §2.2 says", () => {
  const base = signatureBase({ method: "GET", url: "HTTPS://WWW.Example.COM:443?a=1&b=%20" }, {
    components: ["@method", "@authority", "@scheme", "@target-uri", "@request-target", "@path", "@query"],
  });
  assert.equal(
    base,
    [
      '"@method": GET',
      '"@authority": www.example.com',
      '"@scheme": https',
      '"@target-uri": https://www.example.com/?a=1&b=%20',
      '"@request-target": /?a=1&b=%20',
      '"@path": /',
      '"@query": ?a=1&b=%20',
      '"@signature-params": ("@method" "@authority" "@scheme" "@target-uri" "@request-target" "@path" "@query")',
    ].join("\n"),
  );
  const noQuery = signatureBase({ method: "GET", url: "http://h.example:8080/x" }, {
    components: ["@query", "@authority"],
  });
  assert.match(noQuery, /^"@query": \?\n"@authority": h\.example:8080\n/);
});

Deno.test("signRequest() and verifyRequest() round-trip with a real Request object and multi-valued fields", async () => {
  const { privateKey, publicKey } = await crypto.subtle.generateKey("Ed25519", false, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const headers = new Headers([["x-list", "a"], ["x-list", " b "]]);
  const request = new Request("http://127.0.0.1:8787/v1/devices?x=1", {
    method: "POST",
    headers,
    body: "{}",
  });
  const signed = await signRequest(request, privateKey, {
    components: ["@method", "@path", "@query", "x-list"],
    params: { keyid: "k", alg: "ed25519", nonce: 'n"\\' },
  });
  assert.match(signed.base, /"x-list": a, b\n/);
  assert.match(signed.signatureInput, /;nonce="n\\"\\\\"$/);
  request.headers.set("signature-input", signed.signatureInput);
  request.headers.set("signature", signed.signature);
  const verified = await verifyRequest(request, { key: () => publicKey, label: "sig1" });
  assert.deepEqual(verified.params, { keyid: "k", alg: "ed25519", nonce: 'n"\\' });
  await request.body?.cancel();
});
