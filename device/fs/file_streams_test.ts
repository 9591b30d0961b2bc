import assert from "node:assert/strict";
import type { FileHandle } from "node:fs/promises";
import { writeAll } from "./file_streams.ts";

Deno.test("writeAll throws when a write makes no progress (a released buffer) instead of looping", async () => {
  const bytes = new Uint8Array(256 * 1024);
  let writes = 0;
  const handle = {
    write: (b: Uint8Array, offset: number, length: number) => {
      writes++;
      if (writes === 1) return Promise.resolve({ bytesWritten: 1000, buffer: b, offset, length });
      (b.buffer as ArrayBuffer & { transfer(n: number): ArrayBuffer }).transfer(0); // released mid-write
      return Promise.resolve({ bytesWritten: 0, buffer: b });
    },
  } as unknown as FileHandle;
  await assert.rejects(writeAll(handle, bytes), /Cannot write 262144 bytes: no progress after 1000/);
  assert.equal(writes, 2);
});
