import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { FsRepoStore } from "./fs_repo_store.ts";
import { importTarget, putTargetBytes } from "./_import_target.ts";
import { RunImports } from "./_run_imports.ts";

/** The files under `dir` (relative paths, sorted); directories end in "/". */
async function listing(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.map((e) => join(e.parentPath, e.name).slice(dir.length + 1) + (e.isDirectory() ? "/" : ""))
    .sort();
}

/** A stand-in for RepositoryWriter's commit: `commit` runs it; `publishes` moves the timestamp version first. */
function writer<T>(commit: () => Promise<T>, options: { publishes?: boolean } = {}) {
  const w = {
    versions: { timestamp: 1 },
    commit: () => {
      if (options.publishes) w.versions = { timestamp: 2 };
      return commit();
    },
  };
  return w;
}

async function withStore(fn: (r: { store: FsRepoStore; root: string; file: string }) => Promise<void>) {
  const tmp = await Deno.makeTempDir({ prefix: "drover-run-imports-" });
  try {
    const root = join(tmp, "repo"), file = join(tmp, "radio.tar.gz");
    await Deno.mkdir(join(root, "targets"), { recursive: true });
    await writeFile(file, new Uint8Array(300_000).map((_, i) => i & 0xff));
    await fn({ store: new FsRepoStore(root), root, file });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

Deno.test("RunImports removes the files and directories a run that does not commit imported, and keeps files already there", async () => {
  await withStore(async ({ store, root, file }) => {
    const kept = await importTarget(store, "apps/acme/radio/main/1111111.tar.gz", file);
    const before = await listing(root);
    {
      await using imports = new RunImports({ action: "add app" });
      const again = await importTarget(store, "apps/acme/radio/main/1111111.tar.gz", file, { imports });
      assert.equal(again.url, kept.url, "the same bytes: the same file");
      await importTarget(store, "apps/other/tv/main/2222222.tar.gz", file, { imports });
      await putTargetBytes(store, "apps/acme/radio/main/1111111.tar.gz.cidx", new Uint8Array([1, 2]), {
        imports,
      });
      assert.notDeepEqual(await listing(root), before);
    }
    assert.deepEqual(await listing(root), before, "only what the run created is gone");
    assert.ok((await readFile(store.resolve(kept.url))).length === 300_000);
  });
});

Deno.test("RunImports keeps what a commit resolved for, or published before it failed", async () => {
  await withStore(async ({ store, root, file }) => {
    {
      await using imports = new RunImports({ action: "add app" });
      await importTarget(store, "apps/acme/radio/main/1111111.tar.gz", file, { imports });
      assert.equal(await imports.commit(writer(() => Promise.resolve("done"))), "done");
    }
    {
      await using imports = new RunImports({ action: "add app" });
      await importTarget(store, "apps/acme/radio/main/2222222.tar.gz", file, { imports });
      const failing = () => Promise.reject(new Error("Cannot remove staged metadata: EACCES"));
      await assert.rejects(imports.commit(writer(failing, { publishes: true })), /EACCES/);
    }
    {
      await using imports = new RunImports({ action: "add app" });
      await importTarget(store, "apps/acme/radio/main/3333333.tar.gz", file, { imports });
      await assert.rejects(imports.commit(writer(() => Promise.reject(new Error("no")))), /no/);
    }
    const names = (await listing(root)).filter((p) => p.endsWith(".tar.gz")).map((p) => p.split(".").at(-3));
    assert.deepEqual(names.sort(), ["1111111", "2222222"]);
  });
});

Deno.test("RunImports on SIGTERM stops the copy, fails the run with 'interrupted', removes its files; a commit under way finishes", async () => {
  const other = () => {}; // another listener: the signal is not raised again (that would end the test runner)
  process.on("SIGTERM", other);
  try {
    await withStore(async ({ store, root, file }) => {
      const before = await listing(root);
      {
        await using imports = new RunImports({ action: "add app" });
        let chunks = 0;
        const copy = importTarget(store, "apps/acme/radio/main/1111111.tar.gz", file, {
          imports,
          observe: () => {
            if (++chunks === 1) process.emit("SIGTERM", "SIGTERM");
          },
        });
        await assert.rejects(copy, /^Error: Cannot add app: interrupted by SIGTERM$/);
        await assert.rejects(
          imports.commit(writer(() => Promise.resolve())),
          /Cannot add app: interrupted/,
        );
      }
      assert.deepEqual(await listing(root), before);

      await using imports = new RunImports({ action: "add app" });
      await importTarget(store, "apps/acme/radio/main/2222222.tar.gz", file, { imports });
      await imports.commit(writer(() => {
        process.emit("SIGTERM", "SIGTERM");
        return new Promise((resolve) => setTimeout(resolve, 10));
      }));
      assert.equal(imports.signal.aborted, false, "a signal during the commit waits for it");
    });
  } finally {
    process.removeListener("SIGTERM", other);
  }
});

Deno.test("RunImports obeys the command's abort signal like SIGINT", async () => {
  await withStore(async ({ store, root, file }) => {
    const before = await listing(root);
    const ac = new AbortController();
    {
      await using imports = new RunImports({ action: "add image", signal: ac.signal });
      await importTarget(store, "images/rpi4/1.0.0/prod/os.img", file, { imports });
      ac.abort(new Error("Cannot add image: interrupted"));
      await assert.rejects(
        importTarget(store, "images/rpi4/1.0.0/prod/os.img.cpack", file, { imports }),
        /interrupted/,
      );
    }
    assert.deepEqual(await listing(root), before);
  });
});

Deno.test("RunImports raises a caught SIGINT again once it removed the run's files: the process ends by SIGINT", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "drover-run-imports-sig-" });
  try {
    const child = join(tmp, "child.ts"), made = join(tmp, "made");
    await writeFile(
      child,
      `import process from "node:process";
import { writeFile } from "node:fs/promises";
import { RunImports } from ${JSON.stringify(new URL("./_run_imports.ts", import.meta.url).href)};
await using imports = new RunImports({ action: "add image" });
await imports.mkdir(${JSON.stringify(join(made, "a/b"))});
await writeFile(${JSON.stringify(join(made, "a/b/file"))}, "x");
imports.add(${JSON.stringify(join(made, "a/b/file"))});
const stopped = new Promise((resolve) => imports.signal.addEventListener("abort", resolve));
process.kill(process.pid, "SIGINT");
await stopped;
console.log("cleaning up");
`,
    );
    const out = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", child], stdout: "piped" })
      .output();
    assert.equal(out.signal, "SIGINT", `code ${out.code}`);
    assert.equal(new TextDecoder().decode(out.stdout), "cleaning up\n");
    await assert.rejects(Deno.stat(made), Deno.errors.NotFound, "the directories it made are gone too");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
