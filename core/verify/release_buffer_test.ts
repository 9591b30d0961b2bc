import assert from "node:assert/strict";
import { CAN_RELEASE, MIN_RELEASE, releaseBuffer } from "./release_buffer.ts";

Deno.test("releaseBuffer detaches a large buffer: its views read as empty", () => {
  assert.equal(CAN_RELEASE, true); // Deno 2.9 has ArrayBuffer.prototype.transfer
  const chunk = new Uint8Array(MIN_RELEASE).fill(7);
  const view = chunk.subarray(10, 20);
  assert.equal(releaseBuffer(chunk.buffer), true);
  assert.equal(chunk.byteLength, 0);
  assert.equal(view.byteLength, 0);
  assert.equal(releaseBuffer(chunk.buffer), false); // already released
});

Deno.test("releaseBuffer leaves small, shared and runtime-held buffers alone", () => {
  const small = new Uint8Array(MIN_RELEASE - 1);
  assert.equal(releaseBuffer(small.buffer), false);
  assert.equal(small.byteLength, MIN_RELEASE - 1);
  const shared = new Uint8Array(new SharedArrayBuffer(MIN_RELEASE));
  assert.equal(releaseBuffer(shared.buffer), false);
  assert.equal(shared.byteLength, MIN_RELEASE);
  const memory = new WebAssembly.Memory({ initial: 2 }); // 128 KiB, not detachable by JS
  assert.equal(releaseBuffer(memory.buffer), false);
  assert.equal(memory.buffer.byteLength, 2 * 65536);
});
