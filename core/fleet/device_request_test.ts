import assert from "node:assert/strict";
import { IntegrityError } from "../errors.ts";
import { generateDeviceKey, loadDeviceIdentity } from "./device_identity.ts";
import { COUNTER_HEADER, signDeviceRequest, verifyDeviceRequest } from "./device_request.ts";
import { SignatureError } from "./errors.ts";
import { signRequest } from "./http_signature.ts";

const identity = async () => await loadDeviceIdentity(await generateDeviceKey());

Deno.test("signDeviceRequest() covers method, path, content digest and counter; verifyDeviceRequest() accepts it", async () => {
  const me = await identity();
  const url = `http://127.0.0.1:8787/v1/devices/${me.id}/reports`;
  const body = new TextEncoder().encode('{"schema":1,"events":[]}');
  const headers = await signDeviceRequest(
    { method: "POST", url, body, headers: { "content-type": "application/json" } },
    me,
    {
      counter: 42,
      created: new Date("2026-01-02T03:04:05.678Z"),
    },
  );
  assert.equal(headers.get("content-type"), "application/json");
  assert.equal(headers.get(COUNTER_HEADER), "42");
  assert.match(headers.get("content-digest")!, /^sha-256=:[A-Za-z0-9+/]{43}=:$/);
  assert.equal(
    headers.get("signature-input"),
    `drover=("@method" "@path" "content-digest" "drover-counter");created=1767323045;keyid="${me.id}";alg="ed25519"`,
  );
  // A real Request, as the edge receives it.
  const request = new Request(url, { method: "POST", headers, body });
  const received = new Uint8Array(await request.arrayBuffer());
  const lookups: string[] = [];
  const verified = await verifyDeviceRequest(request, {
    body: received,
    deviceId: me.id,
    publicKey: (id) => (lookups.push(id), me.publicKey),
  });
  assert.deepEqual(verified, {
    deviceId: me.id,
    counter: 42,
    created: new Date("2026-01-02T03:04:05.000Z"),
    components: ["@method", "@path", "content-digest", "drover-counter"],
  });
  assert.deepEqual(lookups, [me.id]);
});

Deno.test("verifyDeviceRequest() refuses tampering, another device's key, and malformed counters (SignatureError)", async () => {
  const me = await identity(), other = await identity();
  const url = `https://edge.example/v1/devices/${me.id}/checkin`;
  const body = '{"schema":1}';
  const headers = await signDeviceRequest({ method: "POST", url, body }, me, { counter: 5 });
  const keys: Record<string, string> = { [me.id]: me.publicKey, [other.id]: other.publicKey };
  const verify = (
    request: { method?: string; url?: string; headers?: Headers },
    options: { body?: string; deviceId?: string; publicKey?: (id: string) => string | undefined } = {},
  ) =>
    verifyDeviceRequest({ method: "POST", url, headers, ...request }, {
      body: options.body ?? body,
      publicKey: options.publicKey ?? ((id) => keys[id]),
      ...(options.deviceId ? { deviceId: options.deviceId } : {}),
    });
  const refused = async (promise: Promise<unknown>, pattern: RegExp) => {
    await assert.rejects(promise, (e: unknown) => {
      assert.ok(e instanceof SignatureError, String(e));
      assert.match(e.message, pattern);
      return true;
    });
  };
  assert.equal((await verify({})).counter, 5);
  const withHeader = (name: string, value: string) => {
    const h = new Headers(headers);
    h.set(name, value);
    return h;
  };
  await refused(verify({}, { body: '{"schema":2}' }), /Content-Digest sha-256 does not match/);
  await assert.rejects(verify({}, { body: "x" }), (e: Error) => e.cause instanceof IntegrityError);
  await refused(verify({ headers: withHeader(COUNTER_HEADER, "6") }), /does not match/);
  await refused(verify({ url: url.replace("checkin", "reports") }), /does not match/);
  await refused(verify({ method: "PUT" }), /does not match/);
  await refused(verify({}, { deviceId: other.id }), new RegExp(`signed by ${me.id}, not by ${other.id}`));
  await refused(verify({}, { publicKey: () => undefined }), /unknown key/);
  await refused(verify({}, { publicKey: () => other.publicKey }), /not d_[0-9a-f]+'s/);
  await refused(verify({}, { publicKey: () => "AAAA" }), /malformed/);
  const h = new Headers(headers);
  h.delete(COUNTER_HEADER);
  await refused(verify({ headers: h }), /no 'drover-counter' field/);
  // Signed by the right key but not covering the counter, or with a malformed counter / keyid / alg.
  const resign = async (
    components: string[],
    params: Record<string, string | number>,
    extra: Record<string, string> = {},
  ) => {
    const hh = new Headers(headers);
    for (const [k, v] of Object.entries(extra)) hh.set(k, v);
    const signed = await signRequest({ method: "POST", url, headers: hh }, me.privateKey, {
      label: "drover",
      components,
      params,
    });
    hh.set("signature-input", signed.signatureInput);
    hh.set("signature", signed.signature);
    return hh;
  };
  const all = ["@method", "@path", "content-digest", "drover-counter"];
  await refused(
    verify({ headers: await resign(all.slice(0, 3), { keyid: me.id, alg: "ed25519" }) }),
    /'drover-counter' is not signed/,
  );
  await refused(verify({ headers: await resign(all, { keyid: me.id }) }), /alg must be "ed25519"/);
  await refused(
    verify({ headers: await resign(all, { keyid: "someone", alg: "ed25519" }) }),
    /not a device id/,
  );
  await refused(verify({ headers: await resign(all, { alg: "ed25519" }) }), /not a device id/);
  for (const bad of ["0", "-1", "1.5", "9007199254740992", "12345678901234567", "0x10", ""]) {
    const hh = await resign(all, { keyid: me.id, alg: "ed25519" }, { [COUNTER_HEADER]: bad });
    await refused(verify({ headers: hh }), /drover-counter must be a decimal integer/);
  }
  assert.equal(
    (await verify({
      headers: await resign(all, { keyid: me.id, alg: "ed25519" }, { [COUNTER_HEADER]: "9007199254740991" }),
    })).counter,
    Number.MAX_SAFE_INTEGER,
  );
});

Deno.test("signDeviceRequest() options: no created, @authority covered; bad counters are RangeError", async () => {
  const me = await identity();
  const url = "https://edge.example:8443/v1/devices";
  const headers = await signDeviceRequest({ method: "POST", url }, me, {
    counter: 1,
    created: null,
    authority: true,
  });
  assert.equal(
    headers.get("signature-input"),
    `drover=("@method" "@authority" "@path" "content-digest" "drover-counter");keyid="${me.id}";alg="ed25519"`,
  );
  const verified = await verifyDeviceRequest({ method: "POST", url, headers }, {
    body: "",
    publicKey: () => me.publicKey,
  });
  assert.equal(verified.created, undefined);
  await assert.rejects(
    verifyDeviceRequest({ method: "POST", url: url.replace(":8443", ":9443"), headers }, {
      body: "",
      publicKey: () => me.publicKey,
    }),
    SignatureError,
  );
  for (const counter of [0, -1, 1.5, NaN, 2 ** 53]) {
    await assert.rejects(signDeviceRequest({ method: "POST", url }, me, { counter }), RangeError);
  }
  await assert.rejects(
    signDeviceRequest({ method: "POST", url }, { ...me, id: "x" }, { counter: 1 }),
    TypeError,
  );
});
