/**
 * core/trust in Cloudflare's workerd (via miniflare): WebCrypto Ed25519 signing, threshold
 * verification (where @tufjs/models' own verifyDelegate fails), the edge's acceptTargets and a
 * client refresh. Bundled with esbuild; @tufjs/models' CommonJS `require("util")` needs
 * `nodejs_compat` and a `createRequire` banner (what scripts/build.ts must do for the worker).
 */
import assert from "node:assert/strict";
import * as esbuild from "esbuild";
import { Miniflare } from "miniflare";

const ENTRY = `
import { generateKeyPair, MemoryStore, RepositoryWriter, refreshTrust, signEnvelope } from "./mod.ts";
export default { async fetch() {
  const keys = { root: await generateKeyPair(), targets: await generateKeyPair(),
    snapshot: await generateKeyPair(), timestamp: await generateKeyPair() };
  const repo = new MemoryStore();
  const edge = await RepositoryWriter.init(repo, keys);
  const t = JSON.parse(new TextDecoder().decode(await repo.get("tuf/1.targets.json"))).signed;
  await edge.acceptTargets(await signEnvelope({ ...t, version: 2 }, [keys.targets]));
  const refused = await edge.acceptTargets(await signEnvelope({ ...t, version: 3 }, [keys.snapshot]))
    .then(() => "accepted", (e) => e.message);
  const trusted = await refreshTrust({ fetch: (p) => repo.get(p), store: new MemoryStore(),
    trustedRoot: await repo.get("tuf/1.root.json") });
  return Response.json({ versions: trusted.versions, refused });
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
    });
  } finally {
    await mf.dispose();
  }
});
