import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { setAbilities, webAbilities } from "../abilities.ts";
import { IntegrityError } from "../errors.ts";
import { nodeAbilities } from "../node.ts";
import { gnuTar, pythonTar } from "../../test/fixtures/make_archives.ts";
import { rawTar } from "../../test/fixtures/raw_tar.ts";
import type { ArchiveEntry } from "./archive_entry.ts";
import { UntarStream } from "./mod.ts";

setAbilities(nodeAbilities);

type Seen = Omit<ArchiveEntry, "body"> & { text?: string };

async function entriesOf(
  bytes: Uint8Array<ArrayBuffer>,
  options?: ConstructorParameters<typeof UntarStream>[0],
) {
  const out: Seen[] = [];
  for await (const e of new Blob([bytes]).stream().pipeThrough(new UntarStream(options))) {
    const { body, ...rest } = e;
    out.push(body ? { ...rest, text: await new Response(body).text() } : rest);
  }
  return out;
}

const LONG = "deep/" + "d".repeat(60) + "/" + "n".repeat(120) + ".txt"; // > 100 bytes
const UNICODE = "ünïcödé/日本語 ファイル.txt";

async function tree(): Promise<string> {
  const src = await Deno.makeTempDir({ prefix: "drover-src-" });
  await Deno.mkdir(`${src}/${LONG.slice(0, LONG.lastIndexOf("/"))}`, { recursive: true });
  await Deno.writeTextFile(`${src}/${LONG}`, "long");
  await Deno.mkdir(`${src}/ünïcödé`);
  await Deno.writeTextFile(`${src}/${UNICODE}`, "unicode");
  await Deno.mkdir(`${src}/empty`);
  await Deno.writeTextFile(`${src}/suid`, "#!/bin/sh\n");
  await Deno.chmod(`${src}/suid`, 0o4755);
  await Deno.mkdir(`${src}/sticky`);
  await Deno.chmod(`${src}/sticky`, 0o1777);
  await Deno.symlink("suid", `${src}/link`);
  await Deno.symlink("../suid", `${src}/empty/../ünïcödé/up`);
  await Deno.link(`${src}/suid`, `${src}/hard`);
  await Deno.utime(`${src}/suid`, 1_600_000_000, 1_600_000_000);
  return src;
}

for (const format of ["gnu", "pax"] as const) {
  for (const gzip of [false, true]) {
    Deno.test(`UntarStream reads GNU tar --format=${format}${gzip ? " gzipped" : ""}: long and unicode names, links, modes`, async () => {
      const src = await tree();
      const out = `${src}.tar`;
      try {
        await gnuTar(src, out, { format, gzip });
        const entries = await entriesOf(await Deno.readFile(out));
        const by = new Map(entries.map((e) => [e.path, e]));
        assert.ok(!by.has("") && !by.has("."), "root entry is not reported");
        assert.ok(entries.every((e) => !e.path.startsWith("./") && !e.path.endsWith("/")));
        assert.equal(by.get(LONG)?.text, "long");
        assert.equal(by.get(UNICODE)?.text, "unicode");
        assert.equal(by.get("empty")?.type, "directory");
        assert.equal(by.get("suid")?.mode, 0o755, "setuid dropped");
        assert.equal(by.get("suid")?.mtime.getTime(), 1_600_000_000_000);
        assert.equal(by.get("suid")?.size, 10);
        assert.equal(by.get("sticky")?.mode, 0o777, "sticky dropped");
        assert.deepEqual([by.get("link")?.type, by.get("link")?.linkTarget], ["symlink", "suid"]);
        assert.deepEqual(by.get("ünïcödé/up")?.linkTarget, "../suid");
        const hard = by.get("hard") ?? by.get("suid");
        const other = hard === by.get("hard") ? "suid" : "hard";
        assert.deepEqual([hard?.type, hard?.linkTarget], ["hardlink", other]);
        assert.equal(entries.length, 11);
      } finally {
        await Deno.remove(src, { recursive: true });
        await Deno.remove(out);
      }
    });
  }
}

Deno.test("UntarStream reads Python tarfile pax archives (long link targets, pax mtime, unicode)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await pythonTar(
      `${dir}/a.tar`,
      `
add("d", tarfile.DIRTYPE, mode=0o2775, mtime=1234567890)
add_file("d/" + "x" * 150, b"pax long", mode=0o6644)
add("d/l", tarfile.SYMTYPE, linkname="y" * 150)
add_file("./d/./é.txt", b"", mtime=987654321)
`,
    );
    const entries = await entriesOf(await Deno.readFile(`${dir}/a.tar`));
    assert.deepEqual(entries.map((e) => [e.path, e.type, e.mode]), [
      ["d", "directory", 0o775],
      ["d/" + "x".repeat(150), "file", 0o644],
      ["d/l", "symlink", 0o644],
      ["d/é.txt", "file", 0o644],
    ]);
    assert.equal(entries[0]?.mtime.getTime(), 1234567890_000);
    assert.equal(entries[1]?.text, "pax long");
    assert.equal(entries[2]?.linkTarget, "y".repeat(150));
    assert.equal(entries[3]?.text, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("UntarStream sniffs gzip with gzip: 'auto', and honours explicit gzip: true/false", async () => {
  const tar = rawTar([{ name: "a.txt", body: "abc" }]);
  const gz = new Uint8Array(gzipSync(tar));
  assert.equal((await entriesOf(tar))[0]?.text, "abc");
  assert.equal((await entriesOf(gz))[0]?.text, "abc");
  assert.equal((await entriesOf(gz, { gzip: true }))[0]?.text, "abc");
  await assert.rejects(entriesOf(gz, { gzip: false }), IntegrityError);
  await assert.rejects(
    entriesOf(tar, { gzip: true }),
    (e: Error) => e instanceof IntegrityError && /gunzip/.test(e.message),
  );
});

Deno.test("UntarStream reads multi-member gzip with node:zlib abilities", async () => {
  const tar = rawTar([{ name: "a.txt", body: "a".repeat(3000) }, { name: "b.txt", body: "bb" }]);
  const gz = new Uint8Array([...gzipSync(tar.subarray(0, 1000)), ...gzipSync(tar.subarray(1000))]);
  const entries = await entriesOf(gz);
  assert.deepEqual(entries.map((e) => [e.path, e.text?.length]), [["a.txt", 3000], ["b.txt", 2]]);
});

Deno.test("UntarStream works with the portable web abilities (DecompressionStream)", async () => {
  const previous = setAbilities(webAbilities);
  try {
    const gz = new Uint8Array(gzipSync(rawTar([{ name: "w.txt", body: "web" }])));
    assert.equal((await entriesOf(gz))[0]?.text, "web");
  } finally {
    setAbilities(previous);
  }
});

Deno.test("UntarStream takes input split into 1-byte chunks", async () => {
  const gz = new Uint8Array(gzipSync(rawTar([{ name: "s.txt", body: "split" }])));
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (const b of gz) c.enqueue(new Uint8Array([b]));
      c.close();
    },
  });
  const texts: string[] = [];
  for await (const e of stream.pipeThrough(new UntarStream())) texts.push(await new Response(e.body).text());
  assert.deepEqual(texts, ["split"]);
});

Deno.test("UntarStream does not read past an unconsumed body (bounded memory)", async () => {
  const size = 64 * 1024 * 1024;
  const head = rawTar([{ name: "big.bin", size }], { end: false }).subarray(0, 512);
  let pulled = 0;
  let closed = false;
  const source = new ReadableStream<Uint8Array>({
    pull(c) {
      if (pulled === 0) {
        pulled += 512;
        return c.enqueue(head);
      }
      if (pulled >= size + 512) {
        c.enqueue(new Uint8Array(1024));
        closed = true;
        return c.close();
      }
      const chunk = new Uint8Array(64 * 1024);
      pulled += chunk.length;
      c.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
  const reader = source.pipeThrough(new UntarStream({ gzip: false })).getReader();
  const first = await reader.read();
  assert.equal(first.value?.path, "big.bin");
  const next = reader.read();
  let nextSettled = false;
  next.then(() => (nextSettled = true), () => (nextSettled = true));
  for (let i = 0; i < 50; i++) await new Promise((r) => setTimeout(r, 1));
  assert.ok(pulled < 8 * 1024 * 1024, `pulled ${pulled} bytes ahead of the consumer`);
  assert.equal(nextSettled, false, "next entry produced before the body was consumed");
  let got = 0;
  for await (const chunk of first.value!.body!) got += chunk.length;
  assert.equal(got, size);
  assert.equal((await next).done, true);
  assert.ok(closed);
});

Deno.test("UntarStream skips a cancelled body and goes on to the next entry", async () => {
  const tar = rawTar([{ name: "skip.bin", body: new Uint8Array(5000) }, { name: "keep.txt", body: "kept" }]);
  const names: string[] = [];
  for await (const e of new Blob([tar]).stream().pipeThrough(new UntarStream())) {
    names.push(e.path);
    if (e.path === "skip.bin") await e.body?.cancel();
    else assert.equal(await new Response(e.body).text(), "kept");
  }
  assert.deepEqual(names, ["skip.bin", "keep.txt"]);
});

Deno.test("UntarStream normalises './', '.' segments and doubled slashes; a trailing '/' file is a directory", async () => {
  const entries = await entriesOf(rawTar([
    { name: "./a//b/./c.txt", body: "c" },
    { name: "dir/", type: "0" },
    { name: "./", type: "5" },
  ]));
  assert.deepEqual(entries.map((e) => [e.path, e.type]), [["a/b/c.txt", "file"], ["dir", "directory"]]);
});

Deno.test("UntarStream rejects bad options with TypeError/RangeError", () => {
  assert.throws(() => new UntarStream({ gzip: "yes" as unknown as boolean }), TypeError);
  assert.throws(() => new UntarStream({ maxEntries: -1 }), RangeError);
  assert.throws(() => new UntarStream({ maxEntrySize: 1.5 }), RangeError);
});

Deno.test("UntarStream accepts entries exactly at the caps", async () => {
  const tar = rawTar([{ name: "a", body: "12345" }, { name: "b", body: "12345" }]);
  const entries = await entriesOf(tar, { maxEntries: 2, maxEntrySize: 5, maxTotalSize: 10 });
  assert.equal(entries.length, 2);
});

Deno.test("UntarStream reads an empty input as an empty archive only when it is a valid end", async () => {
  assert.deepEqual(await entriesOf(new Uint8Array(1024)), []);
  await assert.rejects(entriesOf(new Uint8Array([0x1f])), IntegrityError);
});

Deno.test("UntarStream can be cancelled while a body is unread, after all input arrived", async () => {
  const tar = rawTar([{ name: "a.txt", body: "a" }, { name: "b.txt", body: "b" }]);
  const reader = new Blob([tar]).stream().pipeThrough(new UntarStream()).getReader();
  const first = await reader.read();
  assert.equal(first.value?.path, "a.txt");
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 1)); // let the input end
  await reader.cancel(new Error("stop")).catch(() => {});
  assert.equal((await reader.read()).done, true);
});

Deno.test("UntarStream passes a source error to a reader waiting in a body", async () => {
  const head = rawTar([{ name: "partial.bin", size: 10_000 }], { end: false }).subarray(0, 1024);
  let sent = false;
  const source = new ReadableStream<Uint8Array>({
    pull(c) {
      if (!sent) {
        sent = true;
        c.enqueue(head);
      } else c.error(new Error("network down"));
    },
  });
  const reader = source.pipeThrough(new UntarStream({ gzip: false })).getReader();
  const { value } = await reader.read();
  assert.equal(value?.path, "partial.bin");
  await assert.rejects(new Response(value?.body).arrayBuffer(), /network down/);
  await assert.rejects(reader.read(), /network down/);
});
