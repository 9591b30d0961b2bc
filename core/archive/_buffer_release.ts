/**
 * Frees the buffers an {@linkcode UntarStream} has used as soon as nothing can read them again
 * (its `releaseBuffers` option), instead of when a collection finds them. Each chunk streamed is a
 * fresh buffer outside the JS heap (a network read, a file read, gunzip's output); freed with
 * {@linkcode releaseBuffer} once done with (on a runtime without it, the collector frees them).
 *
 * When a buffer is done:
 * - an input chunk (gzip): once gunzip has taken all of it and a chunk of another buffer follows;
 * - a buffer fed to the tar decoder (gunzip's output, or the input of a plain tar): once the reader
 *   is done with a body chunk of a later buffer. The decoder consumes its input in order and the
 *   reader reads the bodies in order, done with each chunk when it reads the next (the contract of
 *   the option), so every byte of an earlier buffer has then been parsed or read.
 * @module
 */
import { releaseBuffer as release } from "../verify/release_buffer.ts";
import { ReleaseBehind } from "../verify/release_behind.ts";

/** Buffers fed to the decoder and still tracked; beyond, the oldest is left to the collector. */
const MAX_TRACKED = 16;

/** The buffers of one UntarStream: see the module doc. */
export class BufferRelease {
  #input = new ReleaseBehind();
  #fed: ArrayBufferLike[] = [];

  /** An input chunk gunzip has taken all of: the input buffer before it is released. */
  inputUsed(chunk: Uint8Array): void {
    this.#input.used(chunk);
  }

  /** A chunk handed to the tar decoder. */
  fed(chunk: Uint8Array): void {
    if (this.#fed.at(-1) === chunk.buffer) return;
    this.#fed.push(chunk.buffer);
    if (this.#fed.length > MAX_TRACKED) this.#fed.shift(); // a long run without bodies: not ours to hold
  }

  /** The reader is done with `chunk`, a body chunk: the buffers fed before its own are released. */
  bodyRead(chunk: Uint8Array): void {
    const at = this.#fed.indexOf(chunk.buffer);
    if (at <= 0) return;
    for (const buffer of this.#fed.splice(0, at)) release(buffer);
  }
}
