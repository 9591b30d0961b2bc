/**
 * The edge's HTTP test suite, written once against a fetch-like and run three ways: in process
 * (`app.request`), against `edge/deno.ts` over real HTTP, and against the Worker bundle in workerd.
 * Read-only cases first; publishing cases (which change the repository) are in `suite_publish.ts`.
 * @module
 */
import assert from "node:assert/strict";
import { FIXTURE_CONTENT, sha256Hex } from "./fixture.ts";
import { PUBLISH_CASES } from "./suite_publish.ts";
import { TRUST_CASES } from "./suite_publish_trust.ts";
import { bytesOf, expectError, type SuiteCase, type SuiteTarget } from "./suite_case.ts";

export type { FetchLike, SuiteCase, SuiteTarget } from "./suite_case.ts";
export { bytesOf, expectError } from "./suite_case.ts";

const pathOf = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};

async function releases(t: SuiteTarget): Promise<Record<string, Record<string, Record<string, unknown>>>> {
  const res = await t.fetch("/releases");
  assert.equal(res.status, 200);
  return await res.json();
}

async function redirect(t: SuiteTarget, path: string, options: { method?: string } = {}) {
  const res = await t.fetch(path, { method: options.method ?? "GET" });
  await res.arrayBuffer();
  assert.equal(res.status, 302, `${path}: ${res.status}`);
  return {
    version: res.headers.get("x-drover-version"),
    sha256: res.headers.get("x-drover-sha256"),
    location: res.headers.get("location") ?? "",
    cache: res.headers.get("cache-control") ?? "",
  };
}

async function appFile(t: SuiteTarget): Promise<{ path: string; sha256: string; size: number }> {
  const entry = (await releases(t))["radiodan/magic-button"]!.master!;
  return { path: pathOf(String(entry.file)), sha256: String(entry.sha256), size: Number(entry.size) };
}

const READ_CASES: SuiteCase[] = [{
  name: "GET /releases gives the radiodan document with absolute file URLs, sha1, sha256 and size",
  async run(t) {
    const doc = await releases(t);
    assert.deepEqual(Object.keys(doc), ["radiodan/magic-button"]);
    assert.deepEqual(Object.keys(doc["radiodan/magic-button"]!).sort(), ["master", "radiotag"]);
    const master = doc["radiodan/magic-button"]!.master!;
    assert.equal(master.commit, FIXTURE_CONTENT.apps[0]!.commit);
    assert.match(
      String(master.file),
      /^http:\/\/[^/]+\/targets\/apps\/radiodan\/magic-button\/master\/[0-9a-f]{64}\./,
    );
    assert.match(String(master.sha1), /^[0-9a-f]{40}$/);
    const body = await bytesOf(await t.fetch(pathOf(String(master.file))));
    assert.equal(body.length, master.size);
    assert.equal(await sha256Hex(body), master.sha256);
  },
}, {
  name: "GET / answers JSON to radiodan clients and HTML only to browsers, both varying by Accept",
  async run(t) {
    const json = await t.fetch("/");
    assert.match(json.headers.get("content-type")!, /application\/json/);
    assert.equal(json.headers.get("vary"), "accept", "a cache must not serve the JSON to a browser");
    assert.ok((await json.json())["radiodan/magic-button"]);
    const html = await t.fetch("/", { headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" } });
    assert.match(html.headers.get("content-type")!, /text\/html/);
    assert.equal(html.headers.get("vary"), "accept");
    assert.match(await html.text(), /drover check --api/);
  },
}, {
  name: "GET /tuf serves known metadata names with the right caching and refuses others",
  async run(t) {
    const root = await t.fetch("/tuf/1.root.json");
    assert.equal(root.status, 200);
    assert.equal(root.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal((await root.json()).signed._type, "root");
    const ts = await t.fetch("/tuf/timestamp.json");
    assert.match(ts.headers.get("cache-control")!, /max-age=\d{1,4}$/);
    assert.equal((await ts.json()).signed._type, "timestamp");
    for (
      const bad of [
        "/tuf/keys.json",
        "/tuf/0.root.json",
        "/tuf/1.root.json.bak",
        "/tuf/%2e%2e%2fkeys%2froot.json",
      ]
    ) {
      await expectError(await t.fetch(bad), 404);
    }
    await expectError(await t.fetch("/tuf/999.targets.json"), 404, { code: "E_NOT_FOUND" });
  },
}, {
  name: "GET /targets serves bytes by sha256 with a strong ETag, immutable caching and no Content-Encoding",
  async run(t) {
    const file = await appFile(t);
    const res = await t.fetch(file.path, { headers: { "accept-encoding": "gzip, br" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("etag"), `"${file.sha256}"`);
    assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
    assert.equal(res.headers.get("accept-ranges"), "bytes");
    assert.equal(res.headers.get("content-encoding"), null);
    assert.equal(await sha256Hex(await bytesOf(res)), file.sha256);
    const head = await t.fetch(file.path, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), String(file.size));
    assert.equal((await bytesOf(head)).length, 0);
    const cached = await t.fetch(file.path, { headers: { "if-none-match": `W/"x", "${file.sha256}"` } });
    assert.equal(cached.status, 304);
    assert.equal((await bytesOf(cached)).length, 0);
  },
}, {
  name: "GET /targets answers byte ranges with 206 and unsatisfiable ones with 416",
  async run(t) {
    const file = await appFile(t);
    const whole = await bytesOf(await t.fetch(file.path));
    const part = await t.fetch(file.path, { headers: { range: "bytes=10-19" } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), `bytes 10-19/${file.size}`);
    assert.deepEqual(await bytesOf(part), whole.subarray(10, 20));
    const tail = await t.fetch(file.path, { headers: { range: "bytes=-5" } });
    assert.equal(tail.status, 206);
    assert.deepEqual(await bytesOf(tail), whole.subarray(file.size - 5));
    const rest = await t.fetch(file.path, { headers: { range: `bytes=${file.size - 3}-` } });
    assert.deepEqual(await bytesOf(rest), whole.subarray(file.size - 3));
    for (const range of [`bytes=${file.size}-`, "bytes=9-3", "bytes=abc", "bytes=-0"]) {
      const res = await t.fetch(file.path, { headers: { range } });
      assert.equal(res.headers.get("content-range"), `bytes */${file.size}`);
      await expectError(res, 416, { code: "E_RANGE" });
    }
    const stale = await t.fetch(file.path, { headers: { range: "bytes=0-0", "if-range": '"other"' } });
    assert.equal(stale.status, 200);
    assert.equal((await bytesOf(stale)).length, file.size);
  },
}, {
  name: "GET /targets refuses unknown blobs and traversal in names without leaking files",
  async run(t) {
    await expectError(await t.fetch(`/targets/${"0".repeat(64)}.x.tar.gz`), 404);
    const file = await appFile(t);
    const sha = file.sha256;
    for (
      const bad of [
        "/targets/x",
        `/targets/..%2f..%2fkeys%2froot.json`,
        `/targets/%2e%2e/%2e%2e/keys/${sha}.root.json`,
        `/targets/.hidden/${sha}.x`,
        `/targets/a%00b/${sha}.x`,
        `/targets/${sha}`,
        `/targets/${sha.toUpperCase()}.x`,
      ]
    ) {
      const res = await t.fetch(bad);
      const text = await res.text();
      assert.ok(res.status === 404 || res.status === 400, `${bad}: ${res.status}`);
      assert.doesNotMatch(text, /private/);
    }
  },
}, {
  name: "GET /v1/device-types lists slugs and aliases",
  async run(t) {
    const res = await t.fetch("/v1/device-types");
    const { deviceTypes } = await res.json();
    assert.deepEqual(deviceTypes.map((d: { slug: string }) => d.slug).sort(), [
      "intel-nuc",
      "raspberrypi4-64",
    ]);
    assert.deepEqual(deviceTypes.find((d: { slug: string }) => d.slug === "raspberrypi4-64").aliases, [
      "rpi4",
      "raspberrypi4",
    ]);
  },
}, {
  name: "GET /v1/images/<alias> lists versions newest first with prerelease and recommended flags",
  async run(t) {
    const res = await t.fetch("/v1/images/rpi4");
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.deviceType, "raspberrypi4-64");
    assert.deepEqual(body.versions, [
      { version: "2.89.0-beta.1", prerelease: true, recommended: false, variants: ["prod"] },
      { version: "2.88.4+rev2", prerelease: false, recommended: true, variants: ["dev", "prod"] },
      { version: "2.88.4+rev1", prerelease: false, recommended: false, variants: ["prod"] },
    ]);
  },
}, {
  name:
    "GET|HEAD /v1/images/<type>/<versionOrRange> redirects to the immutable artifact with version headers",
  async run(t) {
    const latest = await redirect(t, "/v1/images/raspberrypi4-64/latest");
    assert.equal(latest.version, "2.89.0-beta.1");
    assert.match(latest.cache, /max-age=\d+/);
    const body = await bytesOf(await t.fetch(pathOf(latest.location)));
    assert.equal(await sha256Hex(body), latest.sha256);
    assert.match(
      latest.location,
      /^http:\/\/[^/]+\/targets\/images\/raspberrypi4-64\/2\.89\.0-beta\.1\/prod\//,
    );
    assert.equal((await redirect(t, "/v1/images/rpi4/recommended")).version, "2.88.4+rev2");
    assert.equal((await redirect(t, "/v1/images/rpi4/default")).version, "2.88.4+rev2");
    assert.equal((await redirect(t, "/v1/images/rpi4/2.88.4+rev1")).version, "2.88.4+rev1");
    assert.equal(
      (await redirect(t, `/v1/images/rpi4/${encodeURIComponent("^2.80 <2.89.0")}`)).version,
      "2.88.4+rev2",
    );
    const dev = await redirect(t, "/v1/images/rpi4/recommended?variant=dev");
    assert.equal(dev.version, "2.88.4+rev2");
    assert.match(dev.location, /\/dev\//);
    const head = await redirect(t, "/v1/images/nuc/latest", { method: "HEAD" });
    assert.equal(head.version, "1.0.0");
  },
}, {
  name: "image resolution refuses unknown device types, bad ranges, missing versions and variants with 4xx",
  async run(t) {
    await expectError(await t.fetch("/v1/images/no-such-board"), 404, { code: "E_NOT_FOUND" });
    await expectError(await t.fetch("/v1/images/no-such-board/latest"), 404, { code: "E_NOT_FOUND" });
    await expectError(await t.fetch("/v1/images/rpi4/not%20a%20version!!"), 400, { code: "E_BAD_REQUEST" });
    await expectError(await t.fetch("/v1/images/rpi4/9.9.9"), 404);
    await expectError(await t.fetch("/v1/images/rpi4/%5E9"), 404, { code: "E_NOT_FOUND" });
    await expectError(await t.fetch("/v1/images/rpi4/latest?variant=debug"), 400, { code: "E_BAD_REQUEST" });
    await expectError(await t.fetch("/v1/images/nuc/latest?variant=dev"), 404);
  },
}, {
  name: "unknown paths are 404 and wrong methods 405 with Allow, as JSON errors",
  async run(t) {
    await expectError(await t.fetch("/nope"), 404, { code: "E_NOT_FOUND" });
    const res = await t.fetch("/releases", { method: "DELETE" });
    assert.equal(res.headers.get("allow"), "GET, HEAD");
    await expectError(res, 405, { code: "E_METHOD" });
    await expectError(await t.fetch(`/v1/targets/${"a".repeat(64)}`), 405, { code: "E_METHOD" });
    await expectError(await t.fetch("/v1/metadata"), 405);
  },
}, {
  name: "GET /healthz reports ok and metadata versions",
  async run(t) {
    const res = await t.fetch("/healthz");
    const body = await res.json();
    assert.equal(res.status, 200);
    assert.equal(body.ok, true);
    assert.ok(body.versions.targets >= 2);
  },
}];

/** Every case, read-only first; those changing trust (a new root, a new delegation) last. */
export const SUITE: SuiteCase[] = [...READ_CASES, ...PUBLISH_CASES, ...TRUST_CASES];

/** Runs the whole suite as steps of one `Deno.test`. */
export async function runSuite(t: Deno.TestContext, target: SuiteTarget): Promise<void> {
  for (const c of SUITE) await t.step(c.name, () => c.run(target));
}
