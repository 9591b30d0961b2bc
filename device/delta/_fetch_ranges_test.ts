import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { IntegrityError, NotFoundError } from "../../core/errors.ts";
import { serveStatic } from "../../test/e2e/static_server.ts";
import { ChunkLog } from "./_chunk_log.ts";
import { fetchRanges, probePack } from "./_fetch_ranges.ts";
import { RangeIgnoredError } from "./range_ignored_error.ts";

/** A pack of two gzipped chunks, and its ranges (one an entry). */
function pack() {
  const chunks = [new Uint8Array(5000).fill(1), new Uint8Array(7000).fill(2)];
  const parts = chunks.map((c) => gzipSync(c));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  const ranges = chunks.map((c, n) => {
    const entry = {
      sha256: createHash("sha256").update(c).digest("hex"),
      offset: 0,
      length: c.length,
      packOffset: at,
      packLength: parts[n]!.length,
    };
    bytes.set(parts[n]!, at);
    at += parts[n]!.length;
    return { offset: entry.packOffset, length: entry.packLength, entries: [entry] };
  });
  return { bytes, ranges };
}

type Mode = "honour" | "ignore" | "416" | "other" | "bare" | "short" | "404";

/** A pack served by `mode.value`; runs `body` with its URL and a chunk log. */
async function withPack(
  body: (
    o: {
      url: URL;
      file: URL;
      log: ChunkLog;
      mode: { value: Mode };
      ranges: ReturnType<typeof pack>["ranges"];
    },
  ) => Promise<void>,
) {
  const dir = await mkdtemp(join(tmpdir(), "drover-ranges-"));
  const p = pack();
  await writeFile(join(dir, "a.cpack"), p.bytes);
  const mode: { value: Mode } = { value: "honour" };
  await using server = serveStatic(dir, {
    intercept: (req) => {
      const [a, b] = (req.headers.get("range") ?? "").replace("bytes=", "").split("-").map(Number);
      const total = p.bytes.length;
      switch (mode.value) {
        case "ignore":
          return new Response(p.bytes.slice(), { status: 200 });
        case "416":
          return new Response(null, { status: 416, headers: { "content-range": `bytes */${total}` } });
        case "other":
          return new Response(p.bytes.slice(a! + 1, b! + 2), {
            status: 206,
            headers: { "content-range": `bytes ${a! + 1}-${b! + 1}/${total}` },
          });
        case "bare": // the asked bytes, but no Content-Range to say so
          return new Response(p.bytes.slice(a!, b! + 1), { status: 206 });
        case "short":
          return new Response(p.bytes.slice(a!, b!), {
            status: 206,
            headers: { "content-range": `bytes ${a}-${b! - 1}/${total}` },
          });
        case "404":
          return new Response("", { status: 404 });
      }
      return undefined;
    },
  });
  const log = await ChunkLog.open(join(dir, "chunks"));
  try {
    const url = new URL("a.cpack", server.url);
    await body({ url, file: pathToFileURL(join(dir, "a.cpack")), log, mode, ranges: p.ranges });
  } finally {
    await log.close();
    await rm(dir, { recursive: true });
  }
}

Deno.test("probePack(): a range not served as asked is a RangeIgnoredError (no delta), never an IntegrityError", async () => {
  await withPack(async ({ url, file, mode }) => {
    await probePack(url, { retries: 0 });
    await probePack(file, { retries: 0 });
    for (const m of ["ignore", "416", "other", "bare"] as const) {
      mode.value = m;
      await assert.rejects(probePack(url, { retries: 0 }), (e) => {
        assert.ok(e instanceof RangeIgnoredError && e instanceof NotFoundError, `${m}: ${e}`);
        assert.equal(e.status, m === "ignore" ? 200 : m === "416" ? 416 : 206);
        return true;
      });
    }
    mode.value = "404";
    await assert.rejects(
      probePack(url, { retries: 0 }),
      (e) => e instanceof NotFoundError && !(e instanceof RangeIgnoredError),
    );
  });
});

Deno.test("fetchRanges(): a server that ignores Range is a RangeIgnoredError; a short range an IntegrityError", async () => {
  await withPack(async ({ url, file, log, mode, ranges }) => {
    for (const m of ["ignore", "416", "other", "bare"] as const) {
      mode.value = m;
      await assert.rejects(fetchRanges(url, ranges, { policy: { retries: 0 }, log }), RangeIgnoredError, m);
    }
    assert.equal(log.list().size, 0, "nothing stored");
    mode.value = "short";
    await assert.rejects(fetchRanges(url, ranges, { policy: { retries: 0 }, log }), IntegrityError);
    mode.value = "honour";
    await fetchRanges(url, ranges.slice(0, 1), { policy: { retries: 0 }, log });
    await fetchRanges(file, ranges.slice(1), { policy: { retries: 0 }, log }); // file: serves ranges too
    assert.deepEqual(log.list(), new Set(ranges.map((r) => r.entries[0]!.sha256)));
  });
});
