import assert from "node:assert/strict";
import { TransientError } from "../../core/errors.ts";
import { FsStorage } from "./fs_storage.ts";

Deno.test("FsStorage.lock() makes a second holder wait, gives up after waitMs naming the holder, and takes over a dead one's", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fs-lock-" });
  try {
    const storage = new FsStorage(dir);
    const first = await storage.lock();
    const held = JSON.parse(await Deno.readTextFile(`${dir}/.lock`));
    assert.equal(held.pid, Deno.pid);
    await assert.rejects(
      storage.lock({ waitMs: 50 }),
      (e) => e instanceof TransientError && /held by pid \d+ since/.test(e.message),
    );
    const order: string[] = [];
    const second = storage.lock({ waitMs: 5000 }).then((lock) => (order.push("second"), lock));
    await new Promise((resolve) => setTimeout(resolve, 100));
    order.push("first releases");
    await first.release();
    await (await second).release();
    assert.deepEqual(order, ["first releases", "second"]);
    assert.deepEqual(await storage.list(""), [], "the lock is not a document");

    const gone = new Deno.Command("true").spawn();
    await gone.status;
    await Deno.writeTextFile(
      `${dir}/.lock`,
      JSON.stringify({ pid: gone.pid, start: "1", host: "h", at: "x" }),
    );
    const taken = await storage.lock({ waitMs: 0 });
    await taken.release();
    await assert.rejects(Deno.stat(`${dir}/.lock`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
