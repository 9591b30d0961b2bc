/**
 * Publishing cases of the edge suite (run last: they change the repository).
 * @module
 */
import assert from "node:assert/strict";
import { signEnvelope } from "../../core/trust/mod.ts";
import type { KeyPair } from "../../core/trust/mod.ts";
import { MAX_UPLOAD, sha256Hex, TOKEN } from "./fixture.ts";
import type { SuiteCase, SuiteTarget } from "./suite_case.ts";

const auth = { authorization: `Bearer ${TOKEN}` };
const encoder = new TextEncoder();

async function expectStatus(
  res: Response,
  status: number | number[],
  options: { code?: string } = {},
): Promise<void> {
  const code = options.code;
  const text = await res.text();
  const ok = Array.isArray(status) ? status.includes(res.status) : res.status === status;
  assert.ok(ok, `expected ${status}, got ${res.status}: ${text}`);
  if (code) assert.equal(JSON.parse(text).error.code, code);
}

async function stored(t: SuiteTarget, sha256: string): Promise<boolean> {
  const res = await t.fetch(`/targets/${sha256}.probe`, { method: "HEAD" });
  await res.arrayBuffer();
  return res.status === 200;
}

async function upload(
  t: SuiteTarget,
  bytes: Uint8Array<ArrayBuffer>,
  options: { headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers = options.headers ?? auth;
  return await t.fetch(`/v1/targets/${await sha256Hex(bytes)}`, { method: "PUT", body: bytes, headers });
}

async function json(t: SuiteTarget, path: string) {
  const res = await t.fetch(path);
  assert.equal(res.status, 200, path);
  return await res.json();
}

async function currentTargets(t: SuiteTarget) {
  const ts = await json(t, "/tuf/timestamp.json");
  const snapshot = await json(t, `/tuf/${ts.signed.meta["snapshot.json"].version}.snapshot.json`);
  return (await json(t, `/tuf/${snapshot.signed.meta["targets.json"].version}.targets.json`)).signed;
}

async function versions(t: SuiteTarget) {
  return (await json(t, "/healthz")).versions;
}

async function signedTargets(
  signed: Record<string, unknown>,
  options: { extra: Record<string, unknown>; key: KeyPair; version?: number },
): Promise<string> {
  const { extra, key, version = Number(signed.version) + 1 } = options;
  const next = { ...signed, version, targets: { ...signed.targets as object, ...extra } };
  return JSON.stringify(await signEnvelope(next, [key]));
}

function post(
  t: SuiteTarget,
  body: string,
  options: { headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers = options.headers ?? auth;
  return t.fetch("/v1/metadata", {
    method: "POST",
    body,
    headers: { ...headers, "content-type": "application/json" },
  });
}

const newImage = new Uint8Array(5000).map((_, i) => (i * 7) & 0xff);
const newApp = encoder.encode("pretend this is a tar.gz of a new release\n");

async function entries() {
  const [imageSha, appSha] = [await sha256Hex(newImage), await sha256Hex(newApp)];
  return {
    imageSha,
    appSha,
    targets: {
      "images/raspberrypi4-64/2.90.0/prod/os.img": {
        length: newImage.length,
        hashes: { sha256: imageSha },
        custom: {
          kind: "image",
          deviceType: "raspberrypi4-64",
          version: "2.90.0",
          variant: "prod",
          prerelease: false,
        },
      },
      "apps/radiodan/magic-button/master/aaaaaaa.tar.gz": {
        length: newApp.length,
        hashes: { sha256: appSha },
        custom: {
          kind: "app",
          name: "radiodan/magic-button",
          ref: "master",
          commit: "aaaaaaa",
          serial: 99,
          updated: "2026-11-01T00:00:00Z",
        },
      },
    },
  };
}

/** Cases that publish. */
export const PUBLISH_CASES: SuiteCase[] = [{
  name: "PUT /v1/targets refuses a missing (401) or wrong (403) token and stores nothing",
  async run(t) {
    const bytes = encoder.encode("unauthorised upload");
    await expectStatus(await upload(t, bytes, { headers: {} }), 401, { code: "E_UNAUTHORIZED" });
    await expectStatus(
      await upload(t, bytes, { headers: { authorization: "Bearer wrong-token-0000000000" } }),
      403,
      { code: "E_FORBIDDEN" },
    );
    await expectStatus(await upload(t, bytes, { headers: { authorization: `Basic ${btoa("a:b")}` } }), 401);
    assert.equal(await stored(t, await sha256Hex(bytes)), false);
  },
}, {
  name:
    "PUT /v1/targets refuses a malformed id (400), a wrong hash (422) and oversized bodies (413), storing nothing",
  async run(t) {
    const bytes = encoder.encode("some artifact") as Uint8Array<ArrayBuffer>;
    await expectStatus(await t.fetch("/v1/targets/XYZ", { method: "PUT", body: bytes, headers: auth }), 400);
    const claimed = await sha256Hex(encoder.encode("something else"));
    const wrong = await t.fetch(`/v1/targets/${claimed}`, { method: "PUT", body: bytes, headers: auth });
    await expectStatus(wrong, 422, { code: "E_INTEGRITY" });
    assert.equal(await stored(t, claimed), false);
    const big = new Uint8Array(MAX_UPLOAD + 1);
    await expectStatus(await upload(t, big), 413, { code: "E_TOO_LARGE" });
    assert.equal(await stored(t, await sha256Hex(big)), false);
    const chunks = [new Uint8Array(MAX_UPLOAD / 2), new Uint8Array(MAX_UPLOAD / 2), new Uint8Array(1024)];
    const streamed = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const res = await t.fetch(`/v1/targets/${await sha256Hex(big)}`, {
      method: "PUT",
      body: streamed,
      headers: auth,
      duplex: "half",
    } as RequestInit);
    await expectStatus(res, t.needsLength ? [411, 413] : 413);
    assert.equal(await stored(t, await sha256Hex(big)), false);
  },
}, {
  name: "PUT /v1/targets stores a verified artifact once (201, then 200) and serves it by sha256",
  async run(t) {
    const first = await upload(t, newImage);
    assert.equal(first.status, 201);
    assert.deepEqual(await first.json(), {
      sha256: await sha256Hex(newImage),
      size: newImage.length,
      stored: true,
    });
    const again = await upload(t, newImage);
    assert.equal(again.status, 200);
    assert.equal((await again.json()).stored, false);
    const got = await t.fetch(`/targets/images/x/${await sha256Hex(newImage)}.os.img`);
    assert.deepEqual(new Uint8Array(await got.arrayBuffer()), newImage);
  },
}, {
  name:
    "POST /v1/metadata refuses bad tokens, bad JSON, stale versions, foreign signatures and missing targets",
  async run(t) {
    const before = await versions(t);
    const current = await currentTargets(t);
    const { targets } = await entries();
    const good = await signedTargets(current, { extra: targets, key: t.keys.targets });
    await expectStatus(await post(t, good, { headers: {} }), 401);
    await expectStatus(await post(t, good, { headers: { authorization: "Bearer nope-nope-nope" } }), 403);
    await expectStatus(await post(t, "{not json"), 400, { code: "E_BAD_REQUEST" });
    await expectStatus(await post(t, JSON.stringify({ signed: { _type: "root" }, signatures: [] })), 400);
    const stale = await signedTargets(current, {
      extra: targets,
      key: t.keys.targets,
      version: current.version,
    });
    await expectStatus(await post(t, stale), 409, { code: "E_STALE" });
    await expectStatus(
      await post(t, await signedTargets(current, { extra: targets, key: t.keys.stranger })),
      403,
      { code: "E_TRUST" },
    );
    await expectStatus(
      await post(t, await signedTargets(current, { extra: targets, key: t.keys.snapshot })),
      403,
      { code: "E_TRUST" },
    );
    await expectStatus(await post(t, good), 409, { code: "E_CONFLICT" }); // the app archive is not uploaded yet
    assert.deepEqual(await versions(t), before);
  },
}, {
  name: "POST /v1/metadata publishes signed targets and updates releases and image redirects at once",
  async run(t) {
    const before = await versions(t);
    const latestBefore = await t.fetch("/v1/images/rpi4/latest");
    await latestBefore.arrayBuffer();
    assert.equal(latestBefore.headers.get("x-drover-version"), "2.89.0-beta.1");
    const { targets, imageSha, appSha } = await entries();
    assert.equal((await upload(t, newApp)).status, 201);
    const res = await post(
      t,
      await signedTargets(await currentTargets(t), { extra: targets, key: t.keys.targets }),
    );
    assert.equal(res.status, 200, await res.clone().text());
    const answer = await res.json();
    const after = answer.versions;
    assert.deepEqual(answer.warnings, [
      "radiodan/magic-button master aaaaaaa: not offered to legacy radiodan clients: " +
      "it has no sha1 (published with sha256 only)",
    ]);
    assert.equal(after.targets, before.targets + 1);
    assert.equal(after.snapshot, before.snapshot + 1);
    assert.ok(after.timestamp > before.timestamp);
    assert.deepEqual(await versions(t), after);
    const latest = await t.fetch("/v1/images/rpi4/latest");
    await latest.arrayBuffer();
    assert.equal(latest.headers.get("x-drover-version"), "2.90.0");
    assert.equal(latest.headers.get("x-drover-sha256"), imageSha);
    // published with sha256 only: the legacy document leaves its ref out (a legacy client panics
    // on an entry without sha1), and keeps every other ref
    const doc = await json(t, "/releases");
    assert.deepEqual(Object.keys(doc["radiodan/magic-button"]), ["radiotag"]);
    const path = "apps/radiodan/magic-button/master/aaaaaaa.tar.gz";
    assert.equal((await currentTargets(t)).targets[path].hashes.sha256, appSha);
    const file = `/targets/apps/radiodan/magic-button/master/${appSha}.aaaaaaa.tar.gz`;
    assert.deepEqual(new Uint8Array(await (await t.fetch(file)).arrayBuffer()), newApp);
  },
}];
