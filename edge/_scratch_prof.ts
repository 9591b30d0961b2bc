import { createApp } from "./app.ts";
import { FsStorage } from "./storage/fs_storage.ts";
import { Hono } from "hono";
const app = createApp({ storage: new FsStorage(Deno.args[0]!) });
const plain = new Hono(); plain.get("/releases", () => new Response("hello"));
for (const [name, h] of [["plain", plain.fetch], ["app", app.fetch]] as const) {
  for (let round = 0; round < 2; round++) {
    const t0 = performance.now();
    for (let i = 0; i < 20000; i++) { const r = await h(new Request("http://127.0.0.1:8787/releases")); await r.arrayBuffer(); }
    console.log(name, ((performance.now() - t0) / 20000 * 1000).toFixed(1), "us/req");
  }
}
