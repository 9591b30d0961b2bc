import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import { FsStorage } from "./storage/fs_storage.ts";
import { expectError } from "../test/edge/suite_case.ts";

async function withApp(token: string | undefined, fn: (app: ReturnType<typeof createApp>) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "edge-auth-" });
  try {
    await fn(createApp({ storage: new FsStorage(dir), config: { token, log: () => {} } }));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const PUT = `/v1/targets/${"a".repeat(64)}`;

Deno.test("publishing needs the bearer token: 401 with a challenge without one, 403 for a wrong one", async () => {
  await withApp("s3cret-token_0123", async (app) => {
    for (const path of [PUT, "/v1/metadata"]) {
      const method = path === PUT ? "PUT" : "POST";
      const none = await app.request(path, { method, body: "x" });
      assert.equal(none.headers.get("www-authenticate"), 'Bearer realm="drover"');
      assert.equal(await expectError(none, 401), "E_UNAUTHORIZED");
      for (const authorization of ["Basic YTpi", "Bearer", "Bearer two words"]) {
        const res = await app.request(path, { method, body: "x", headers: { authorization } });
        assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer /, authorization);
        await expectError(res, 401, { code: "E_UNAUTHORIZED" });
      }
      const wrong = await app.request(path, {
        method,
        body: "x",
        headers: { authorization: "Bearer s3cret-token_0124" },
      });
      await expectError(wrong, 403, { code: "E_FORBIDDEN" });
    }
    const right = await app.request(PUT, {
      method: "PUT",
      body: "x",
      headers: { authorization: "bearer s3cret-token_0123" },
    });
    await expectError(right, 422, { code: "E_INTEGRITY" }); // past the token: the bytes are checked
  });
});

Deno.test("without a configured token publishing is disabled (403), and a token no client can send is refused", async () => {
  await withApp(undefined, async (app) => {
    const res = await app.request("/v1/metadata", {
      method: "POST",
      body: "{}",
      headers: { authorization: "Bearer x" },
    });
    const code = await expectError(res, 403);
    assert.equal(code, "E_FORBIDDEN");
  });
  await assert.rejects(
    withApp("has spaces in it", () => Promise.resolve()),
    (e: unknown) => e instanceof TypeError && /^Cannot configure edge: the token/.test(e.message),
  );
});
