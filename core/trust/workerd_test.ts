/**
 * core/trust in Cloudflare's workerd (via miniflare): WebCrypto Ed25519 and ECDSA signing, RSA-PSS
 * verification (salt lengths 32 and maximum), threshold verification (where @tufjs/models' own verifyDelegate fails), the edge's acceptTargets and a
 * client refresh. Bundled with esbuild; @tufjs/models' CommonJS `require("util")` needs
 * `nodejs_compat` and a `createRequire` banner (what scripts/build.ts must do for the worker).
 */
import assert from "node:assert/strict";
import * as esbuild from "esbuild";
import { Miniflare } from "miniflare";

const ENTRY = `
import { generateKeyPair, MemoryStore, RepositoryWriter, refreshTrust, signEnvelope, verifyEnvelope } from "./mod.ts";
const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
async function rsaPss(saltLength) {
  const alg = { name: "RSA-PSS", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };
  const pair = await crypto.subtle.generateKey(alg, true, ["sign", "verify"]);
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey));
  const pem = "-----BEGIN PUBLIC KEY-----\\n" + btoa(String.fromCharCode(...spki)).match(/.{1,64}/g).join("\\n") +
    "\\n-----END PUBLIC KEY-----\\n";
  const signed = { _type: "timestamp", version: 1 };
  const sig = await crypto.subtle.sign({ name: "RSA-PSS", saltLength }, pair.privateKey,
    new TextEncoder().encode(JSON.stringify(signed)));
  const root = { keys: { k: { keytype: "rsa", scheme: "rsassa-pss-sha256", keyval: { public: pem } } },
    roles: { timestamp: { keyids: ["k"], threshold: 1 } } };
  return verifyEnvelope({ signed, signatures: [{ keyid: "k", sig: hex(sig) }] }, root, "timestamp");
}
export default { async fetch() {
  const keys = { root: await generateKeyPair(), targets: await generateKeyPair({ keyType: "ecdsa" }),
    snapshot: await generateKeyPair(), timestamp: await generateKeyPair() };
  const repo = new MemoryStore();
  const edge = await RepositoryWriter.init(repo, keys);
  const t = JSON.parse(new TextDecoder().decode(await repo.get("tuf/1.targets.json"))).signed;
  await edge.acceptTargets(await signEnvelope({ ...t, version: 2 }, [keys.targets]));
  const refused = await edge.acceptTargets(await signEnvelope({ ...t, version: 3 }, [keys.snapshot]))
    .then(() => "accepted", (e) => e.message);
  const trusted = await refreshTrust({ fetch: (p) => repo.get(p), store: new MemoryStore(),
    trustedRoot: await repo.get("tuf/1.root.json") });
  const rsa = [await rsaPss(32), await rsaPss(222)];
  return Response.json({ versions: trusted.versions, refused, rsa });
} };`;

Deno.test("core/trust signs, verifies thresholds, accepts targets and refreshes inside workerd", async () => {
  const out = await esbuild.build({
    stdin: { contents: ENTRY, resolveDir: new URL(".", import.meta.url).pathname, loader: "ts" },
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
    external: ["node:*"],
    logLevel: "error",
    banner: { js: 'import { createRequire } from "node:module"; const require = createRequire("/");' },
    alias: { util: "node:util", crypto: "node:crypto", stream: "node:stream" },
  });
  await esbuild.stop();
  const mf = new Miniflare({
    modules: true,
    script: out.outputFiles[0]!.text,
    compatibilityDate: "2025-09-01",
    compatibilityFlags: ["nodejs_compat"],
  });
  try {
    const res = await mf.dispatchFetch("http://localhost/");
    const body = await res.json();
    assert.equal(res.status, 200);
    assert.deepEqual(body, {
      versions: { root: 1, timestamp: 2, snapshot: 2, targets: 2 },
      refused: "Cannot verify uploaded targets metadata: signed by 0/1 keys",
      rsa: [1, 1],
    });
  } finally {
    await mf.dispose();
  }
});
