import * as esbuild from "esbuild";
import { Miniflare } from "miniflare";
import { workerBuildOptions } from "/work/main/edge/worker_build.ts";
await esbuild.build({ ...workerBuildOptions(), outfile: "/tmp/edgew/worker.js" });
await esbuild.stop();
const mf = new Miniflare({
  modules: true, scriptPath: "/tmp/edgew/worker.js", modulesRoot: "/tmp/edgew", compatibilityDate: "2026-07-01", compatibilityFlags: ["nodejs_compat"],
  r2Buckets: ["BUCKET"], kvNamespaces: ["METADATA"], bindings: { DROVER_TOKEN: "secret-token" }, host: "127.0.0.1", port: 0,
});
const url = await mf.ready;
console.log(String(url));
const r = await fetch(new URL("/releases", url)); console.log(r.status, await r.text());
const r2 = await fetch(new URL("/healthz", url)); console.log(r2.status, await r2.text());
const bucket = await mf.getR2Bucket("BUCKET");
await bucket.put("x", new TextEncoder().encode("hello"));
console.log((await bucket.get("x"))?.size);
await mf.dispose();
