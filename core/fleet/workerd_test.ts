/**
 * core/fleet inside Cloudflare's workerd (via miniflare), without `nodejs_compat`: key generation
 * and JWK import, RFC 9421 B.2.6 signing, Content-Digest, and a device request signed and
 * verified, all on workerd's WebCrypto.
 */
import assert from "node:assert/strict";
import * as esbuild from "esbuild";
import { Miniflare } from "miniflare";

const ENTRY = `
import { contentDigest, generateDeviceKey, loadDeviceIdentity, parseInventory, signDeviceRequest,
  signRequest, verifyDeviceRequest } from "./mod.ts";
export default { async fetch() {
  const pkcs8 = Uint8Array.from(atob("MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF"), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, ["sign"]);
  const rfc = await signRequest({ method: "POST", url: "https://example.com/foo?param=Value&Pet=dog",
    headers: new Headers({ date: "Tue, 20 Apr 2021 02:07:55 GMT", "content-type": "application/json", "content-length": "18" }) },
    key, { label: "sig-b26", components: ["date", "@method", "@path", "@authority", "content-type", "content-length"],
    params: { created: 1618884473, keyid: "test-key-ed25519" } });
  const identity = await loadDeviceIdentity(await generateDeviceKey());
  const body = JSON.stringify({ schema: 1, deviceType: "rpi4", droverVersion: "0.1.0", apps: [], labels: {} });
  const url = "https://edge.example/v1/devices/" + identity.id + "/checkin";
  const headers = await signDeviceRequest({ method: "POST", url, body }, identity, { counter: 3 });
  const verified = await verifyDeviceRequest(new Request(url, { method: "POST", headers, body }), {
    body, deviceId: identity.id, publicKey: () => identity.publicKey });
  const tampered = await verifyDeviceRequest({ method: "POST", url, headers }, {
    body: body + " ", publicKey: () => identity.publicKey }).then(() => "accepted", (e) => e.code);
  return Response.json({ signature: rfc.signature, digest: await contentDigest('{"hello": "world"}'),
    counter: verified.counter, same: verified.deviceId === identity.id, tampered,
    deviceType: parseInventory(JSON.parse(body)).deviceType });
} };`;

Deno.test("core/fleet signs and verifies device requests inside workerd (no nodejs_compat)", async () => {
  const out = await esbuild.build({
    stdin: { contents: ENTRY, resolveDir: new URL(".", import.meta.url).pathname, loader: "ts" },
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "error",
  });
  await esbuild.stop();
  const mf = new Miniflare({
    modules: true,
    script: out.outputFiles[0]!.text,
    compatibilityDate: "2025-09-01",
  });
  try {
    const res = await mf.dispatchFetch("http://localhost/");
    const text = await res.text();
    assert.equal(res.status, 200, text);
    assert.deepEqual(JSON.parse(text), {
      signature:
        "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:",
      digest: "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
      counter: 3,
      same: true,
      tampered: "E_SIGNATURE",
      deviceType: "rpi4",
    });
  } finally {
    await mf.dispose();
  }
});
