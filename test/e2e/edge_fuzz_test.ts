import assert from "node:assert/strict";
import { createApp } from "../../edge/app.ts";
import { FsStorage } from "../../edge/storage/fs_storage.ts";
import { startDenoEdge } from "../edge/deno_child.ts";
import { writeKeys } from "../../edge/key_files.ts";
import { fixtureKeys, MAX_UPLOAD, TOKEN, writeFixture } from "../edge/fixture.ts";

/** mulberry32: a small seeded PRNG, so a failing request can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const METHODS = [
  "GET",
  "GET",
  "GET",
  "HEAD",
  "POST",
  "PUT",
  "DELETE",
  "PATCH",
  "OPTIONS",
  "PROPFIND",
  "X-FOO",
];
const PREFIXES = [
  "/",
  "/releases",
  "/healthz",
  "/tuf/",
  "/tuf/1.root.json",
  "/tuf/timestamp.json",
  "/targets/",
  "/targets/apps/radiodan/",
  "/v1/device-types",
  "/v1/images/",
  "/v1/images/rpi4/",
  "/v1/images/raspberrypi4-64/",
  "/v1/targets/",
  "/v1/metadata",
];
const PIECES = [
  "..",
  "%2e%2e",
  "%2E%2e/",
  "%2f",
  "%00",
  "%",
  "%zz",
  "%c3%28",
  "//",
  "latest",
  "recommended",
  "default",
  "^2.80",
  ">=1 <3",
  "2.88.4+rev2",
  "v9",
  "*",
  "||",
  "~",
  "é",
  "🙂",
  "keys",
  "root.json",
  "a".repeat(300),
  "0".repeat(64),
  "f".repeat(64) + ".os.img",
  "?variant=dev",
  "?variant=%00",
  "?variant=",
  "#frag",
  ";",
  "@",
  "\\",
];

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

function randomText(r: () => number, max: number): string {
  const n = Math.floor(r() * max);
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(32 + Math.floor(r() * 95));
  return s;
}

interface Corpus {
  envelope: string;
  /** Real `targets/…` paths of the fixture. */
  files: string[];
}

/** A request near a real route (so the deep code runs), or one from random pieces. */
function randomRequest(r: () => number, corpus: Corpus): { method: string; path: string; init: RequestInit } {
  const { envelope } = corpus;
  let method = pick(r, METHODS);
  let path = pick(r, PREFIXES);
  const near = r();
  if (near < 0.15) {
    method = "PUT";
    const sha = pick(r, corpus.files).split("/").pop()!.slice(0, 64);
    const other = [...Array(64)].map(() => "0123456789abcdef"[Math.floor(r() * 16)]).join("");
    path = `/v1/targets/${r() < 0.3 ? sha : r() < 0.8 ? other : mutate(r, sha)}`;
  } else if (near < 0.3) {
    method = "POST";
    path = "/v1/metadata";
  } else if (near < 0.45) {
    method = pick(r, ["GET", "GET", "HEAD"]);
    path = "/" + pick(r, corpus.files);
  } else if (near < 0.55) {
    method = pick(r, ["GET", "HEAD"]);
    path = `/v1/images/${pick(r, ["rpi4", "raspberrypi4-64", "nuc", "x"])}/${
      encodeURIComponent(pick(r, PIECES))
    }`;
  }
  const pieces = near < 0.55 ? 0 : Math.floor(r() * 4);
  for (let i = 0; i < pieces; i++) {
    path += (r() < 0.5 ? "/" : "") + (r() < 0.8 ? pick(r, PIECES) : encodeURIComponent(randomText(r, 20)));
  }
  const headers: Record<string, string> = {};
  if (r() < 0.3) {
    headers.range = pick(r, [
      "bytes=0-0",
      "bytes=-1",
      "bytes=5-2",
      "bytes=x",
      "bytes=0-1,3-4",
      "items=1-2",
      `bytes=${randomText(r, 12)}`,
      "bytes=99999999999999999999-",
    ]);
  }
  if (r() < 0.2) headers["if-none-match"] = pick(r, ["*", '"x"', randomText(r, 30), `"${"0".repeat(64)}"`]);
  if (r() < 0.1) headers["if-range"] = randomText(r, 20);
  if (r() < (near < 0.3 ? 0.9 : 0.3)) {
    headers.authorization = pick(r, [
      `Bearer ${TOKEN}`,
      `Bearer ${TOKEN}`,
      "Bearer",
      "Bearer x",
      "Basic abc",
      `bearer ${TOKEN} extra`,
      randomText(r, 40),
    ]);
  }
  if (r() < 0.2) headers.accept = pick(r, ["text/html", "application/json", "*/*", randomText(r, 30)]);
  let body: BodyInit | undefined;
  if (method !== "GET" && method !== "HEAD" && r() < 0.7) {
    const kind = Math.floor(r() * 5);
    if (kind === 0) body = randomText(r, 200);
    else if (kind === 1) body = new Uint8Array(Math.floor(r() * 2000)).map(() => Math.floor(r() * 256));
    else if (kind === 2) {
      body = JSON.stringify({
        signed: {
          _type: pick(r, ["targets", "root", 1]),
          version: pick(r, [0, 1, 99, -1, "2", 1e308]),
          targets: pick(r, [{}, [], null, { "../x": {} }, { "a": { length: -1, hashes: {} } }]),
        },
        signatures: pick(r, [[], [{}], null, [{ keyid: "a", sig: "b" }]]),
      });
    } else if (kind === 3) body = mutate(r, envelope);
    else body = new Uint8Array(MAX_UPLOAD + 1 + Math.floor(r() * 100));
    if (near < 0.15 && r() < 0.2) body = new Uint8Array(MAX_UPLOAD + 1);
  }
  return { method, path, init: { method, headers, body } };
}

function mutate(r: () => number, text: string): string {
  const i = Math.floor(r() * text.length);
  return text.slice(0, i) + randomText(r, 3) + text.slice(i + Math.floor(r() * 3));
}

async function setup(dir: string) {
  const keys = await fixtureKeys();
  const storage = new FsStorage(dir);
  await writeFixture(storage, keys);
  const envelope = new TextDecoder().decode(await storage.get("tuf/2.targets.json"));
  const files = await storage.list("targets");
  return { keys, storage, corpus: { envelope, files } };
}

Deno.test("fuzz: 10,000 malformed requests in process never get a 5xx", async () => {
  const dir = await Deno.makeTempDir({ prefix: "edge-fuzz-" });
  try {
    const { keys, storage, corpus } = await setup(dir);
    const logged: string[] = [];
    const app = createApp({
      storage,
      keys: { snapshot: keys.snapshot, timestamp: keys.timestamp },
      config: { token: TOKEN, maxUploadBytes: MAX_UPLOAD, log: (line) => logged.push(line) },
    });
    const r = prng(20261123);
    const counts = new Map<number, number>();
    let sent = 0;
    while (sent < 10_000) {
      const { path, init } = randomRequest(r, corpus);
      let request: Request;
      try {
        request = new Request("http://edge.test" + path, init);
      } catch {
        continue; // not a request any client could send
      }
      sent++;
      const res = await app.request(request);
      const text = await res.text();
      counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
      assert.ok(res.status < 500, `#${sent} ${init.method} ${path} -> ${res.status} ${text}`);
      if (res.status >= 400 && init.method !== "HEAD") {
        assert.match(text, /^\{"error":\{"code":"E_[A-Z_]+","message":"Cannot /);
      }
    }
    assert.deepEqual(logged, [], "no internal errors logged");
    assert.ok((counts.get(200) ?? 0) > 100 && (counts.get(404) ?? 0) > 100, JSON.stringify([...counts]));
    assert.ok(
      [400, 401, 403, 405, 413, 416, 422].every((s) => (counts.get(s) ?? 0) > 0),
      JSON.stringify([...counts]),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fuzz: malformed requests over real HTTP and raw TCP never get a 5xx or a key file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "edge-fuzz-http-" });
  try {
    const { keys, corpus } = await setup(dir);
    await writeKeys(`${dir}/keys`, keys);
    const edge = await startDenoEdge(dir, {
      DROVER_TOKEN: TOKEN,
      DROVER_MAX_UPLOAD_BYTES: String(MAX_UPLOAD),
    });
    try {
      const r = prng(7);
      for (let sent = 0; sent < 500;) {
        const { path, init } = randomRequest(r, corpus);
        let request: Request;
        try {
          request = new Request(edge.url + path, { ...init, redirect: "manual" });
        } catch {
          continue;
        }
        sent++;
        const res = await fetch(request);
        const text = await res.text();
        assert.ok(res.status < 500, `${init.method} ${path} -> ${res.status} ${text}`);
        assert.doesNotMatch(text, /"private"/);
      }
      const port = Number(new URL(edge.url).port);
      const raw = [
        "GET /targets/../../keys/root.json HTTP/1.1",
        "GET /targets/%2e%2e/%2e%2e/keys/root.json HTTP/1.1",
        "GET /tuf/../keys/timestamp.json HTTP/1.1",
        "GET /tuf/..%2fkeys%2ftimestamp.json HTTP/1.1",
        "GET ../../keys/root.json HTTP/1.1",
        "GET /%ff%fe HTTP/1.1",
        "GET /releases HTTP/9.9",
        "BREW /coffee HTCPCP/1.0",
      ];
      for (const line of raw) {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        await conn.write(new TextEncoder().encode(`${line}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
        const chunks: Uint8Array[] = [];
        const buffer = new Uint8Array(65536);
        for (;;) {
          const n = await conn.read(buffer).catch(() => null);
          if (n === null) break;
          chunks.push(buffer.slice(0, n));
        }
        conn.close();
        const text = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
        assert.ok(status === 0 || status < 500, `${line} -> ${text.slice(0, 200)}`);
        assert.doesNotMatch(text, /"private"/, line);
      }
    } finally {
      await edge.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
