/**
 * Fuzz the device routes in process: 3000 requests, each a valid signed request of an enrolled
 * device with zero to three random mutations (body bytes, headers dropped or garbled, the signature
 * fields' structured-field syntax, counters, the path). Every answer must be a 2xx or a JSON 4xx
 * with a `Cannot …` message (never a 5xx, never an internal error logged), and what the device's
 * detail shows must change only with a 2xx.
 */
import assert from "node:assert/strict";
import { createApp } from "../../app.ts";
import { FsStorage } from "../../storage/fs_storage.ts";
import { SqliteFleetStore } from "../sqlite_fleet_store.ts";
import { signDeviceRequest } from "../../../core/fleet/device_request.ts";
import {
  ENROLL_TOKEN,
  installed,
  inventoryOf,
  operator,
  OPERATOR_TOKEN,
  reportEvent,
  TestDevice,
} from "../../../test/edge/fleet_suite_device.ts";

/** mulberry32: a small seeded PRNG, so a failing request can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
const GARBAGE = [
  '"',
  "(",
  ")",
  ";",
  "=",
  ":",
  ",",
  "\\",
  " ",
  "*",
  "?",
  "%00",
  "é",
  "\u00ff",
  "-1",
  "1e3",
  "",
];

function garble(r: () => number, text: string): string {
  const at = Math.floor(r() * (text.length + 1));
  const cut = r() < 0.5 ? Math.floor(r() * 8) : 0;
  return text.slice(0, at) + pick(r, GARBAGE) + text.slice(at + cut);
}

Deno.test("fuzzed device requests: only 2xx or JSON 4xx, and only a 2xx stores anything", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fleet-fuzz-" });
  const store = await SqliteFleetStore.open(`${dir}/fleet.sqlite`);
  const logged: string[] = [];
  try {
    const app = createApp({
      storage: new FsStorage(`${dir}/repo`),
      fleet: store,
      config: {
        operatorToken: OPERATOR_TOKEN,
        enrollToken: ENROLL_TOKEN,
        deviceBurst: 1e9,
        deviceRatePerMinute: 1e9,
        log: (l) => logged.push(l),
      },
    });
    const fetch = async (path: string, init?: RequestInit) => await app.request(path, init);
    const device = await TestDevice.create(fetch);
    assert.equal((await device.enroll({ token: ENROLL_TOKEN })).status, 201);
    const detail = () => operator(fetch).json(`/v1/fleet/devices/${device.id}?reports=100`);
    const r = prng(20260501);
    let counter = device.counter;
    const statuses = new Map<number, number>();
    for (let i = 0; i < 3000; i++) {
      const kind = pick(r, ["checkin", "reports", "enroll"] as const);
      const path = kind === "enroll" ? "/v1/devices" : `/v1/devices/${device.id}/${kind}`;
      const body = kind === "checkin"
        ? JSON.stringify(inventoryOf([installed("acme/radio", "1111111", { serial: i })]))
        : kind === "reports"
        ? JSON.stringify({ schema: 1, events: [reportEvent("acme/radio", "1111111")] })
        : JSON.stringify({ publicKey: device.identity.publicKey });
      const headers = await signDeviceRequest(
        { method: "POST", url: `http://edge.test${path}`, body },
        device.identity,
        { counter: ++counter },
      );
      let sentPath = path, sentBody: string | Uint8Array = body;
      for (let m = 0, n = Math.floor(r() * 4); m < n; m++) {
        const what = r();
        if (what < 0.2) {
          const bytes = new TextEncoder().encode(typeof sentBody === "string" ? sentBody : "");
          bytes[Math.floor(r() * bytes.length)] = Math.floor(r() * 256);
          sentBody = bytes;
        } else if (what < 0.35) {
          headers.delete(pick(r, ["signature", "signature-input", "content-digest", "drover-counter"]));
        } else if (what < 0.7) {
          const name = pick(r, ["signature", "signature-input", "content-digest"]);
          const value = headers.get(name);
          if (value !== null) headers.set(name, garble(r, value));
        } else if (what < 0.85) {
          headers.set("drover-counter", pick(r, ["0", "-1", "1", "1.5", "9007199254740993", "", "x", "07"]));
        } else {
          sentPath = garble(r, sentPath);
        }
      }
      const before = await detail();
      let res: Response;
      try {
        res = await fetch(sentPath.startsWith("/") ? sentPath : `/${sentPath}`, {
          method: "POST",
          headers,
          body: sentBody as BodyInit,
        });
      } catch (error) {
        // a header value the Headers class refuses never reaches the edge
        if (error instanceof TypeError) continue;
        throw error;
      }
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(res.status < 500, `#${i} ${sentPath}: ${res.status} ${text}`);
      if (res.status >= 400) {
        assert.match(JSON.parse(text).error.message, /^Cannot /, `#${i}: ${text}`);
        assert.deepEqual(await detail(), before, `#${i}: a ${res.status} stored something`);
      }
    }
    assert.deepEqual(logged, [], "no internal error");
    const count = (status: number) => statuses.get(status) ?? 0;
    assert.ok(count(200) > 500, `unmutated requests are stored: ${[...statuses]}`);
    assert.ok(count(401) > 500 && count(400) > 100, `mutations are refused: ${[...statuses]}`);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
