import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TransientError } from "../../core/errors.ts";
import { serveStatic } from "../../test/e2e/static_server.ts";
import { backoff, openUrl, withRetries } from "./http.ts";
import { RetryableError } from "./retryable_error.ts";
import { SlowRetrievalError } from "./slow_retrieval_error.ts";

Deno.test("openUrl() ends the deadline's timer with the body, even when the caller never disposes", async () => {
  const dir = await mkdtemp(join(tmpdir(), "drover-http-"));
  try {
    await writeFile(join(dir, "doc"), "hello");
    await using server = serveStatic(dir);
    const opened = await openUrl(new URL("doc", server.url), { deadline: Date.now() + 3_600_000 });
    assert.equal(await new Response(opened.body).text(), "hello");
    // no dispose(): the test's sanitizers fail it if an hour-long timer is left behind
  } finally {
    await rm(dir, { recursive: true });
  }
});

Deno.test("openUrl() refuses to start past the deadline with SlowRetrievalError", async () => {
  await assert.rejects(
    openUrl(new URL("http://127.0.0.1:9/"), { deadline: Date.now() - 1 }),
    (e) => e instanceof SlowRetrievalError && /deadline/.test(e.message),
  );
});

Deno.test("withRetries() retries transient errors but never a SlowRetrievalError", async () => {
  let calls = 0;
  await assert.rejects(
    withRetries(() => {
      calls++;
      throw new SlowRetrievalError("Cannot fetch x: slower than 4096 bytes/s");
    }, { retries: 3, baseDelayMs: 1 }),
    SlowRetrievalError,
  );
  assert.equal(calls, 1);
  calls = 0;
  const got = await withRetries(() => {
    if (++calls < 3) throw new TransientError("Cannot fetch x: reset");
    return Promise.resolve("ok");
  }, { retries: 3, baseDelayMs: 1 });
  assert.ok(got === "ok" && calls === 3);
});

Deno.test("backoff() throws SlowRetrievalError instead of sleeping past the deadline", async () => {
  const started = performance.now();
  const error = new RetryableError("Cannot fetch x: HTTP 503", { retryAfterMs: 10_000 });
  await assert.rejects(
    backoff(0, error, { deadline: Date.now() + 1000 }),
    (e) => e instanceof SlowRetrievalError && e.cause === error,
  );
  assert.ok(performance.now() - started < 500);
  await backoff(0, new RetryableError("Cannot fetch x"), { baseDelayMs: 1, deadline: Date.now() + 10_000 });
});
