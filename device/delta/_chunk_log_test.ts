import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChunkLog } from "./_chunk_log.ts";

const chunk = (n: number) => new Uint8Array(1000).fill(n);
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

Deno.test("a chunk log opened again keeps its whole records and cuts a torn one", async () => {
  const dir = await mkdtemp(join(tmpdir(), "drover-log-"));
  try {
    const log = await ChunkLog.open(dir);
    await log.put(sha256(chunk(1)), chunk(1));
    await log.put(sha256(chunk(2)), chunk(2));
    await log.close();
    const whole = (await stat(join(dir, "chunks"))).size;
    await appendFile(join(dir, "chunks"), new Uint8Array(50)); // a record torn by a kill
    const again = await ChunkLog.open(dir);
    assert.deepEqual(again.list(), new Set([sha256(chunk(1)), sha256(chunk(2))]));
    assert.equal((await stat(join(dir, "chunks"))).size, whole, "the torn tail is cut");
    assert.deepEqual(await again.get(sha256(chunk(2))), chunk(2));
    await again.put(sha256(chunk(3)), chunk(3));
    await again.close();
    const third = await ChunkLog.open(dir);
    assert.equal(third.list().size, 3);
    await third.close();
  } finally {
    await rm(dir, { recursive: true });
  }
});

Deno.test("a chunk log record damaged on disk is not given, and is forgotten", async () => {
  const dir = await mkdtemp(join(tmpdir(), "drover-log-"));
  try {
    const log = await ChunkLog.open(dir);
    await log.put(sha256(chunk(1)), chunk(1));
    await log.close();
    const bytes = await readFile(join(dir, "chunks"));
    bytes[500]! ^= 0xff;
    await writeFile(join(dir, "chunks"), bytes);
    const again = await ChunkLog.open(dir);
    assert.equal(await again.get(sha256(chunk(1))), undefined);
    assert.equal(again.list().size, 0);
    await again.close();
  } finally {
    await rm(dir, { recursive: true });
  }
});

Deno.test("a chunk log wakes a reader waiting for a chunk, and answers false once settled", async () => {
  const dir = await mkdtemp(join(tmpdir(), "drover-log-"));
  try {
    const log = await ChunkLog.open(dir);
    const waiting = log.wait(sha256(chunk(1)));
    const never = log.wait(sha256(chunk(9)));
    await log.put(sha256(chunk(1)), chunk(1));
    assert.equal(await waiting, true);
    log.settle();
    assert.equal(await never, false);
    await log.remove();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
