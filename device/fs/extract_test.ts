import assert from "node:assert/strict";
import { setAbilities } from "../../core/abilities.ts";
import { UntarStream } from "../../core/archive/mod.ts";
import { IntegrityError } from "../../core/errors.ts";
import { nodeAbilities } from "../../core/node.ts";
import { gnuTar, pythonTar } from "../../test/fixtures/make_archives.ts";
import { rawTar } from "../../test/fixtures/raw_tar.ts";
import { extractTo } from "./extract.ts";

setAbilities(nodeAbilities);

const LONG = "deep/" + "d".repeat(60) + "/" + "n".repeat(120) + ".txt";
const UNICODE = "ünïcödé/日本語 ファイル.txt";

function entriesFrom(bytes: Uint8Array<ArrayBuffer>) {
  return new Blob([bytes]).stream().pipeThrough(new UntarStream());
}

async function withDirs(fn: (src: string, dest: string, tmp: string) => Promise<void>) {
  const tmp = await Deno.makeTempDir({ prefix: "drover-extract-" });
  await Deno.mkdir(`${tmp}/src`);
  await Deno.mkdir(`${tmp}/dest`);
  try {
    await fn(`${tmp}/src`, `${tmp}/dest`, tmp);
  } finally {
    await Deno.chmod(`${tmp}/dest`, 0o755).catch(() => {});
    await Deno.remove(tmp, { recursive: true });
  }
}

const T1 = 1_500_000_000;
const T2 = 1_600_000_000;

async function makeTree(src: string) {
  await Deno.mkdir(`${src}/${LONG.slice(0, LONG.lastIndexOf("/"))}`, { recursive: true });
  await Deno.writeTextFile(`${src}/${LONG}`, "long");
  await Deno.mkdir(`${src}/ünïcödé`);
  await Deno.writeTextFile(`${src}/${UNICODE}`, "unicode");
  await Deno.mkdir(`${src}/empty`);
  await Deno.mkdir(`${src}/ro`);
  await Deno.writeTextFile(`${src}/ro/inside`, "in a read-only dir");
  await Deno.chmod(`${src}/ro`, 0o555);
  await Deno.writeTextFile(`${src}/suid`, "#!/bin/sh\n");
  await Deno.chmod(`${src}/suid`, 0o4755);
  await Deno.writeTextFile(`${src}/private`, "p");
  await Deno.chmod(`${src}/private`, 0o600);
  await Deno.symlink("suid", `${src}/link`);
  await Deno.symlink("../suid", `${src}/ünïcödé/up`);
  await Deno.link(`${src}/suid`, `${src}/hard`);
  await Deno.writeFile(`${src}/big.bin`, new Uint8Array(3 * 1024 * 1024 + 7).map((_, i) => i * 31));
  await Deno.utime(`${src}/suid`, T1, T1);
  await Deno.utime(`${src}/ünïcödé`, T2, T2);
  await Deno.utime(`${src}/empty`, T1, T1);
}

for (const [format, gzip] of [["gnu", true], ["pax", false]] as const) {
  Deno.test(`extractTo() restores a GNU tar --format=${format} tree: contents, modes, mtimes, links`, async () => {
    await withDirs(async (src, dest, tmp) => {
      await makeTree(src);
      await gnuTar(src, `${tmp}/a.tar`, { format, gzip });
      const summary = await extractTo(entriesFrom(await Deno.readFile(`${tmp}/a.tar`)), dest);
      assert.deepEqual(summary, {
        files: 6,
        directories: 5,
        symlinks: 2,
        hardlinks: 1,
        bytes: 3 * 1024 * 1024 + 7 + 40,
      });
      assert.equal(await Deno.readTextFile(`${dest}/${LONG}`), "long");
      assert.equal(await Deno.readTextFile(`${dest}/${UNICODE}`), "unicode");
      assert.deepEqual(await Deno.readFile(`${dest}/big.bin`), await Deno.readFile(`${src}/big.bin`));
      assert.equal(await Deno.readTextFile(`${dest}/ro/inside`), "in a read-only dir");
      const mode = async (p: string) => (await Deno.lstat(`${dest}/${p}`)).mode! & 0o7777;
      assert.equal(await mode("suid"), 0o755, "setuid dropped");
      assert.equal(await mode("private"), 0o600);
      assert.equal(await mode("ro"), 0o555);
      assert.equal(await mode("empty"), 0o755);
      const mtime = async (p: string) => (await Deno.lstat(`${dest}/${p}`)).mtime!.getTime() / 1000;
      assert.equal(await mtime("suid"), T1);
      assert.equal(await mtime("ünïcödé"), T2, "directory mtime restored after its contents");
      assert.equal(await mtime("empty"), T1);
      assert.equal(await Deno.readLink(`${dest}/link`), "suid");
      assert.equal(await Deno.readLink(`${dest}/ünïcödé/up`), "../suid");
      assert.equal(await Deno.readTextFile(`${dest}/ünïcödé/up`), "#!/bin/sh\n");
      assert.equal((await Deno.lstat(`${dest}/hard`)).ino, (await Deno.lstat(`${dest}/suid`)).ino);
      const uid = (await Deno.lstat(`${dest}/suid`)).uid;
      assert.equal(uid, Deno.uid(), "ownership is the extracting user's");
    });
  });
}

Deno.test("extractTo() never takes ownership from the archive (uid/gid 4242 in the headers)", async () => {
  await withDirs(async (_src, dest, tmp) => {
    await pythonTar(
      `${tmp}/o.tar`,
      `add_file("owned", b"x", uid=4242, gid=4242, uname="evil", gname="evil")`,
    );
    await extractTo(entriesFrom(await Deno.readFile(`${tmp}/o.tar`)), dest, { fsync: false });
    const st = await Deno.lstat(`${dest}/owned`);
    assert.equal(st.uid, Deno.uid());
    assert.equal(st.gid, Deno.gid());
  });
});

Deno.test("extractTo() replaces an earlier file of the same name without touching its hard link twin", async () => {
  await withDirs(async (_src, dest) => {
    const tar = rawTar([
      { name: "a", body: "old" },
      { name: "b", type: "1", linkname: "a" },
      { name: "a", body: "new" },
      { name: "l", type: "2", linkname: "a" },
      { name: "l", body: "file now" },
    ]);
    await extractTo(entriesFrom(tar), dest, { fsync: false });
    assert.equal(await Deno.readTextFile(`${dest}/a`), "new");
    assert.equal(await Deno.readTextFile(`${dest}/b`), "old");
    assert.ok(
      (await Deno.lstat(`${dest}/l`)).isFile,
      "a file replaced the symlink, nothing written through it",
    );
    assert.equal(await Deno.readTextFile(`${dest}/a`), "new");
  });
});

Deno.test("extractTo() creates missing parents with mode 0755 and applies a late directory entry", async () => {
  await withDirs(async (_src, dest) => {
    const tar = rawTar([
      { name: "x/y/z.txt", body: "z" },
      { name: "x/", type: "5", mode: 0o750, mtime: T1 },
    ]);
    await extractTo(entriesFrom(tar), dest);
    assert.equal((await Deno.stat(`${dest}/x/y`)).mode! & 0o777, 0o755);
    assert.equal((await Deno.stat(`${dest}/x`)).mode! & 0o777, 0o750);
    assert.equal((await Deno.stat(`${dest}/x`)).mtime!.getTime(), T1 * 1000);
  });
});

Deno.test("extractTo() with fsync on and off gives the same tree", async () => {
  await withDirs(async (_src, dest) => {
    const tar = rawTar([{ name: "d/", type: "5" }, { name: "d/f", body: "f" }]);
    await Deno.mkdir(`${dest}/on`);
    await Deno.mkdir(`${dest}/off`);
    await extractTo(entriesFrom(tar), `${dest}/on`, { fsync: true });
    await extractTo(entriesFrom(tar), `${dest}/off`, { fsync: false });
    assert.equal(await Deno.readTextFile(`${dest}/on/d/f`), "f");
    assert.equal(await Deno.readTextFile(`${dest}/off/d/f`), "f");
  });
});

Deno.test("extractTo() fails on a truncated body with IntegrityError and cancels the stream", async () => {
  await withDirs(async (_src, dest) => {
    const tar = rawTar([{ name: "cut.bin", body: new Uint8Array(100_000) }]).slice(0, 50_000);
    await assert.rejects(
      extractTo(entriesFrom(tar), dest, { fsync: false }),
      (e: Error) => e instanceof IntegrityError && e.message.includes('"cut.bin"'),
    );
  });
});

Deno.test("extractTo() refuses a missing or non-directory destination with TypeError/ENOENT", async () => {
  await withDirs(async (_src, dest) => {
    const tar = rawTar([{ name: "f", body: "f" }]);
    await assert.rejects(
      extractTo(entriesFrom(tar), `${dest}/missing`),
      (e: Error & { code?: string }) => e.code === "ENOENT",
    );
    await Deno.writeTextFile(`${dest}/file`, "");
    await assert.rejects(extractTo(entriesFrom(tar), `${dest}/file`), TypeError);
    await assert.rejects(extractTo(entriesFrom(tar), ""), TypeError);
  });
});

Deno.test("extractTo() stops when its signal is aborted", async () => {
  await withDirs(async (_src, dest) => {
    const controller = new AbortController();
    controller.abort(new Error("stop now"));
    const tar = rawTar([{ name: "f", body: "f" }]);
    await assert.rejects(extractTo(entriesFrom(tar), dest, { signal: controller.signal }), /stop now/);
    assert.deepEqual([...Deno.readDirSync(dest)], []);
  });
});
