/**
 * Malicious archives: each must be refused with an IntegrityError that names the entry, and
 * leave nothing outside the target directory.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { setAbilities } from "../../core/abilities.ts";
import { type UntarOptions, UntarStream } from "../../core/archive/mod.ts";
import { IntegrityError } from "../../core/errors.ts";
import { nodeAbilities } from "../../core/node.ts";
import { extractTo } from "../../device/fs/extract.ts";
import { pythonTar } from "../fixtures/make_archives.ts";
import { type RawEntry, rawTar } from "../fixtures/raw_tar.ts";

setAbilities(nodeAbilities);

interface Attack {
  name: string;
  /** Raw entries, or Python tarfile code (see pythonTar); `$OUT` is replaced by the sentinel dir. */
  raw?: (outside: string) => RawEntry[];
  python?: (outside: string) => string;
  bytes?: () => Uint8Array<ArrayBuffer>;
  options?: UntarOptions;
  /** Text the error message must contain (the entry's name, usually JSON-quoted). */
  names: string | ((outside: string) => string);
}

const q = JSON.stringify;

const ATTACKS: Attack[] = [
  {
    name: "absolute path",
    raw: (o) => [{ name: `${o}/abs.txt`, body: "x" }],
    names: (o) => q(`${o}/abs.txt`),
  },
  {
    name: "'../' escape",
    raw: () => [{ name: "../outside/up.txt", body: "x" }],
    names: q("../outside/up.txt"),
  },
  {
    name: "'a/../../x' escape",
    raw: () => [{ name: "a/../../outside/x", body: "x" }],
    names: q("a/../../outside/x"),
  },
  {
    name: "escape through a GNU long name",
    python: () => `tf.format = tarfile.GNU_FORMAT\nadd_file("../" * 40 + "outside/" + "l" * 120, b"x")`,
    names: `"../../../`,
  },
  {
    name: "absolute path in a pax 'path' record",
    raw: (o) => [{ name: "innocent.txt", body: "x", pax: { path: `${o}/pax.txt` } }],
    names: (o) => q(`${o}/pax.txt`),
  },
  {
    name: "path with NUL (pax)",
    raw: () => [{ name: "n.txt", body: "x", pax: { path: "a\0b" } }],
    names: q("a\0b"),
  },
  {
    name: "symlink to an absolute path",
    python: () => `add("etc", tarfile.SYMTYPE, linkname="/etc")`,
    names: q("etc"),
  },
  { name: "symlink to '..'", raw: () => [{ name: "up", type: "2", linkname: "../outside" }], names: q("up") },
  {
    name: "deep symlink escaping by one level",
    raw: () => [{ name: "a/", type: "5" }, { name: "a/b/", type: "5" }, {
      name: "a/b/l",
      type: "2",
      linkname: "../../../outside",
    }],
    names: q("a/b/l"),
  },
  {
    name: "symlink chain escape (s -> ., t -> s/../outside)",
    raw: () => [{ name: "s", type: "2", linkname: "." }, { name: "t", type: "2", linkname: "s/../outside" }],
    names: q("t"),
  },
  {
    name: "write through a symlink (a -> ., then a/x)",
    raw: () => [{ name: "a", type: "2", linkname: "." }, { name: "a/x", body: "x" }],
    names: q("a/x"),
  },
  {
    name: "write through a symlink to a directory inside",
    raw:
      () => [{ name: "d/", type: "5" }, { name: "l", type: "2", linkname: "d" }, { name: "l/x", body: "x" }],
    names: q("l/x"),
  },
  {
    name: "directory replaced by a symlink",
    raw:
      () => [{ name: "d/", type: "5" }, { name: "e/", type: "5" }, { name: "d", type: "2", linkname: "e" }],
    names: q("d"),
  },
  {
    name: "symlink replaced by a directory",
    raw: () => [{ name: "d", type: "2", linkname: "e" }, { name: "d/", type: "5" }],
    names: q("d"),
  },
  {
    name: "hard link outside",
    raw: () => [{ name: "h", type: "1", linkname: "../outside/secret" }],
    names: q("h"),
  },
  {
    name: "hard link to an absolute path",
    raw: () => [{ name: "h", type: "1", linkname: "/etc/passwd" }],
    names: q("h"),
  },
  {
    name: "hard link to a symlink",
    raw: () => [{ name: "l", type: "2", linkname: "x" }, { name: "h", type: "1", linkname: "l" }],
    names: q("h"),
  },
  {
    name: "hard link to nothing extracted",
    raw: () => [{ name: "h", type: "1", linkname: "ghost" }],
    names: q("h"),
  },
  {
    name: "character device",
    python: () => `add("null", tarfile.CHRTYPE, devmajor=1, devminor=3)`,
    names: q("null"),
  },
  {
    name: "block device",
    python: () => `add("sda", tarfile.BLKTYPE, devmajor=8, devminor=0)`,
    names: q("sda"),
  },
  { name: "fifo", python: () => `add("pipe", tarfile.FIFOTYPE)`, names: q("pipe") },
  {
    name: "GNU sparse file (pax)",
    raw: () => [{ name: "sparse", body: "x", pax: { "GNU.sparse.major": "1", "GNU.sparse.minor": "0" } }],
    names: q("sparse"),
  },
  {
    name: "entry over the size cap",
    raw: () => [{ name: "small", body: "ok" }, { name: "big.bin", body: new Uint8Array(4096) }],
    options: { maxEntrySize: 1024 },
    names: q("big.bin"),
  },
  {
    name: "too many entries",
    raw: () => Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, body: "" })),
    options: { maxEntries: 10 },
    names: q("f10"),
  },
  {
    name: "tar bomb over the total size cap (gzip)",
    bytes: () =>
      new Uint8Array(
        gzipSync(
          rawTar(Array.from({ length: 8 }, (_, i) => ({ name: `z${i}`, body: new Uint8Array(1 << 20) }))),
        ),
      ),
    options: { maxTotalSize: 5 << 20 },
    names: q("z5"),
  },
  {
    name: "bad header checksum",
    raw: () => [{ name: "good", body: "g" }, { name: "evil", body: "e", badChecksum: true }],
    names: `after entry ${q("good")}`,
  },
  {
    name: "truncated archive (mid-body)",
    bytes: () =>
      rawTar([{ name: "first", body: "1" }, { name: "cut.bin", body: new Uint8Array(5000) }]).slice(0, 2048),
    names: q("first"),
  },
  {
    name: "gzip garbage",
    bytes: () =>
      new Uint8Array([
        0x1f,
        0x8b,
        8,
        0,
        0,
        0,
        0,
        0,
        0,
        3,
        ...Array.from({ length: 300 }, (_, i) => (i * 7919) & 255),
      ]),
    names: "by byte 310 of the compressed archive",
  },
  {
    name: "gzip followed by garbage (named by its place, not by the entry the tar reader saw last)",
    bytes: () => {
      const member = gzipSync(rawTar([{ name: "z00", body: "a" }, { name: "z01", body: "b" }]));
      const out = new Uint8Array(member.length + 64).fill(0x5a);
      out.set(member);
      return out;
    },
    names: "by byte",
  },
  {
    name: "file replacing a directory",
    raw: () => [{ name: "d/", type: "5" }, { name: "d/keep", body: "k" }, { name: "d", body: "x" }],
    names: q("d"),
  },
];

async function listing(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

for (const attack of ATTACKS) {
  Deno.test(`archive attack refused: ${attack.name}`, async () => {
    const root = await Deno.makeTempDir({ prefix: "drover-attack-" });
    const outside = `${root}/outside`;
    const target = `${root}/target`;
    try {
      await Deno.mkdir(outside);
      await Deno.mkdir(target);
      await Deno.writeTextFile(`${outside}/secret`, "secret");
      let bytes: Uint8Array<ArrayBuffer>;
      if (attack.python) {
        await pythonTar(`${root}/a.tar`, attack.python(outside));
        bytes = await Deno.readFile(`${root}/a.tar`);
        await Deno.remove(`${root}/a.tar`);
      } else if (attack.raw) bytes = rawTar(attack.raw(outside));
      else bytes = attack.bytes!();
      const entries = new Blob([bytes]).stream().pipeThrough(new UntarStream(attack.options));
      const names = typeof attack.names === "string" ? attack.names : attack.names(outside);
      await assert.rejects(extractTo(entries, target, { fsync: false }), (e: Error) => {
        assert.ok(e instanceof IntegrityError, `not an IntegrityError: ${e}`);
        assert.ok(e.message.includes(names), `message ${q(e.message)} does not name ${names}`);
        assert.match(e.message, /^Cannot /);
        return true;
      });
      assert.deepEqual(await listing(root), ["outside", "target"]);
      assert.deepEqual(await listing(outside), ["secret"]);
      assert.equal(await Deno.readTextFile(`${outside}/secret`), "secret");
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
}

Deno.test("archive attacks: at least 20 distinct malicious archives are covered", () => {
  assert.ok(ATTACKS.length >= 20);
});
