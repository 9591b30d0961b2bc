import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RequestCounter } from "./request_counter.ts";

const ID = "d_" + "a".repeat(32);
const OTHER = "d_" + "b".repeat(32);

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "counter-test-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

Deno.test("RequestCounter hands out growing values, persisted before they are returned", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "counter.json");
    const counter = new RequestCounter(path, { deviceId: ID });
    assert.equal(await counter.current(), 0);
    assert.deepEqual([await counter.next(), await counter.next(), await counter.next()], [1, 2, 3]);
    // on disk already: what a process killed right now would find
    assert.deepEqual(JSON.parse(await readFile(path, "utf8")), { deviceId: ID, counter: 3 });
    assert.equal(await counter.reserve(10), 4);
    assert.equal(await counter.next(), 14, "reserved values are never handed out again");
  });
});

Deno.test("RequestCounter continues after a restart (a new instance) and starts a rotated identity at 1", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "counter.json");
    await new RequestCounter(path, { deviceId: ID }).reserve(41);
    assert.equal(await new RequestCounter(path, { deviceId: ID }).next(), 42);
    const rotated = new RequestCounter(path, { deviceId: OTHER });
    assert.equal(await rotated.next(), 1);
    assert.equal(await rotated.next(), 2);
  });
});

Deno.test("RequestCounter refuses a damaged file instead of starting again at 0 (the edge would refuse every request)", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "counter.json");
    for (const text of ["{not json", "null", JSON.stringify({ deviceId: ID, counter: -1 })]) {
      await writeFile(path, text);
      await assert.rejects(new RequestCounter(path, { deviceId: ID }).next(), /rotate-key/);
    }
    assert.throws(() => new RequestCounter(path, { deviceId: "../x" }), TypeError);
    await assert.rejects(new RequestCounter(join(dir, "c2.json"), { deviceId: ID }).reserve(0), RangeError);
  });
});

Deno.test("RequestCounter never hands the same value to two processes reserving at once", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "counter.json");
    const script = join(dir, "reserve.ts");
    await writeFile(
      script,
      `import { RequestCounter } from ${
        JSON.stringify(new URL("./request_counter.ts", import.meta.url).href)
      };\n` +
        `const c = new RequestCounter(${JSON.stringify(path)}, { deviceId: ${JSON.stringify(ID)} });\n` +
        `const got = [];\nfor (let i = 0; i < 25; i++) got.push(await c.next());\nconsole.log(JSON.stringify(got));\n`,
    );
    const runs = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Deno.Command(Deno.execPath(), { args: ["run", "-A", script], stdout: "piped", stderr: "piped" })
            .output(),
      ),
    );
    const values: number[] = [];
    for (const r of runs) {
      assert.ok(r.success, new TextDecoder().decode(r.stderr));
      const got: number[] = JSON.parse(new TextDecoder().decode(r.stdout));
      assert.deepEqual(got, [...got].sort((a, b) => a - b), "each process sees its values grow");
      values.push(...got);
    }
    assert.equal(new Set(values).size, 100, "no value handed out twice");
    assert.equal(Math.max(...values), 100);
    assert.equal(await new RequestCounter(path, { deviceId: ID }).next(), 101);
  });
});
