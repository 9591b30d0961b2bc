import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { UsageError } from "../cli/usage_error.ts";
import { apiUrlOf, downloadPolicyOf } from "./_shared.ts";

Deno.test("apiUrlOf() takes http(s) and file URLs as they are, and an existing directory as file://", async () => {
  const dir = await mkdtemp(join(tmpdir(), "api-"));
  try {
    assert.equal(apiUrlOf("http://127.0.0.1:8787/wrong").href, "http://127.0.0.1:8787/wrong");
    assert.equal(apiUrlOf("https://updates.example.com/").href, "https://updates.example.com/");
    assert.equal(
      apiUrlOf("file:///nonexistent/repo").href,
      "file:///nonexistent/repo",
      "a URL is not checked",
    );
    assert.equal(apiUrlOf(dir).href, pathToFileURL(dir + "/").href);
  } finally {
    await rm(dir, { recursive: true });
  }
});

Deno.test("apiUrlOf() refuses a value that is neither a URL nor an existing directory (UsageError, exit 2)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "api-"));
  try {
    await writeFile(join(dir, "file"), "x");
    const refused = (raw: string, message: RegExp) =>
      assert.throws(() => apiUrlOf(raw), (e: unknown) => {
        assert.ok(e instanceof UsageError, String(e));
        assert.match((e as Error).message, message);
        return true;
      });
    refused(
      "127.0.0.1:8787",
      /neither a URL .* nor an existing directory; did you mean http:\/\/127\.0\.0\.1:8787\?/,
    );
    refused("localhost:8787/repo", /got localhost:\); did you mean http:\/\/localhost:8787\/repo\?/);
    refused(join(dir, "nonexistent"), /neither a URL/);
    refused(join(dir, "file"), /neither a URL/);
    refused("", /neither a URL/);
    refused("ftp://host/repo", /must be http:\/\/, https:\/\/, file:\/\/ or a directory \(got ftp:\)/);
  } finally {
    await rm(dir, { recursive: true });
  }
});

Deno.test("install, update, check and image take the same download flags: --retries and --timeout too", async () => {
  const { command: install } = await import("./install.ts");
  const out: string[] = [];
  const io = { stdout: (t: string) => void out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false };
  assert.equal(await install.run(["--help"], io), 0);
  assert.match(out.join(""), /--retries N/);
  assert.match(out.join(""), /--timeout SECONDS/);
  const parsed = {
    values: { retries: "2", timeout: "5", "min-rate": "10" },
    positionals: [],
    json: false,
  } as unknown as Parameters<typeof downloadPolicyOf>[0];
  const policy = downloadPolicyOf(parsed, io);
  assert.equal(policy.retries, 2);
  assert.equal(policy.connectTimeoutMs, 5000);
  assert.equal(policy.idleTimeoutMs, 5000);
  assert.equal(policy.minRate, 10);
});
