import assert from "node:assert/strict";
import { RequestLog } from "./_request_log.ts";

Deno.test("RequestLog writes one line per request (method, path without origin, status, ms) in batches", async () => {
  const writes: string[] = [];
  const log = new RequestLog((text) => writes.push(text), { intervalMs: 60_000 });
  const sync = log.wrap(() => new Response("ok", { status: 201 }));
  const later = log.wrap(() => Promise.resolve(new Response(null, { status: 302 })));
  const response = sync(new Request("http://127.0.0.1:8787/releases?x=1"));
  assert.ok(!(response instanceof Promise), "a synchronous handler stays synchronous");
  await later(new Request("http://edge.example/v1/images/rpi4/latest", { method: "HEAD" }));
  assert.equal(writes.length, 0, "batched: nothing written before a flush");
  log.flush();
  assert.equal(writes.length, 1);
  const lines = writes[0]!.split("\n");
  assert.match(lines[0]!, /^GET \/releases\?x=1 201 \d+ms$/);
  assert.match(lines[1]!, /^HEAD \/v1\/images\/rpi4\/latest 302 \d+ms$/);
  assert.equal(lines[2], "");
});

Deno.test("RequestLog logs a throwing or rejecting handler as 500 and passes the error on", async () => {
  const writes: string[] = [];
  const log = new RequestLog((text) => writes.push(text), { intervalMs: 60_000 });
  const throws = log.wrap(() => {
    throw new Error("boom");
  });
  const rejects = log.wrap(() => Promise.reject(new Error("later")));
  assert.throws(() => throws(new Request("http://h/a")), /boom/);
  await assert.rejects(async () => await rejects(new Request("http://h/b", { method: "POST" })), /later/);
  log.flush();
  assert.match(writes.join(""), /^GET \/a 500 \d+ms\nPOST \/b 500 \d+ms\n$/);
});

Deno.test("RequestLog flushes by size without waiting for its timer", () => {
  const writes: string[] = [];
  const log = new RequestLog((text) => writes.push(text), { intervalMs: 60_000 });
  const handler = log.wrap(() => new Response(null, { status: 204 }));
  const path = "/" + "p".repeat(250);
  for (let i = 0; i < 200; i++) handler(new Request(`http://h${path}`)); // ~52 KiB of lines
  assert.equal(writes.length, 1, "one write once 32 KiB are queued");
  assert.ok(writes[0]!.length >= 32 * 1024);
  log.flush(); // the rest, and the pending timer is cleared (no leak)
  assert.equal(writes.join("").split("\n").length - 1, 200);
});
