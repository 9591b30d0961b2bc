/**
 * Private to scripts/bench (the sha256 benchmark): core/verify's streams hashing a file in process,
 * timed (wall and this process's CPU): `DigestStream` fed by Deno's file stream, alone or behind
 * `RechunkStream`, `VerifyStream` behind `RechunkStream`, `DigestStream` fed 1 MiB `node:fs` reads, and
 * `digestReadable` (a BYOB reader on Deno's file stream).
 * @module
 */
import { digestReadable, DigestStream, RechunkStream, VerifyStream } from "../../core/verify/mod.ts";
import type { Abilities } from "../../core/abilities.ts";
import { type FileHandle, open } from "node:fs/promises";
import process from "node:process";
import type { Timed } from "./_sha256_timed.ts";

const MIB = 1024 * 1024;

/** CPU seconds (user + system) used by this process so far. */
function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** How the file reaches the hasher (see the module doc). */
export type Pipeline =
  | "digest"
  | "digest+rechunk"
  | "verify+rechunk"
  | "digest, 1 MiB reads"
  | "digestReadable";

/** A file source that reads 1 MiB chunks with two chunks of read-ahead (what device code can do). */
function bigReads(path: string): ReadableStream<Uint8Array> {
  let handle: FileHandle | undefined;
  return new ReadableStream<Uint8Array>({
    async start() {
      handle = await open(path);
    },
    async pull(controller) {
      const buffer = new Uint8Array(MIB);
      const { bytesRead } = await handle!.read(buffer, 0, MIB);
      if (bytesRead > 0) return controller.enqueue(buffer.subarray(0, bytesRead));
      await handle!.close();
      controller.close();
    },
    async cancel() {
      await handle?.close();
    },
  }, { highWaterMark: 2 });
}

/** Size of the first chunk Deno's file stream delivers (not timed). */
export async function firstChunkSize(path: string): Promise<number> {
  const reader = (await Deno.open(path)).readable.getReader();
  const { value } = await reader.read();
  await reader.cancel();
  return value?.length ?? 0;
}

/** Hashes `path` through `options.pipeline` with the hashers of `options.abilities`, timed. */
export async function runOurs(
  path: string,
  options: { abilities: Abilities; pipeline: Pipeline; expected: string },
): Promise<Timed> {
  const { abilities, pipeline, expected } = options;
  const cpu = cpuNow();
  const start = performance.now();
  if (pipeline === "digestReadable") {
    using file = await Deno.open(path);
    const { digest: hex } = await digestReadable(file.readable, "sha256", {
      hasher: abilities.createHasher("sha256"),
    });
    return { seconds: (performance.now() - start) / 1000, digest: hex, cpuSeconds: cpuNow() - cpu };
  }
  let stream = pipeline === "digest, 1 MiB reads" ? bigReads(path) : (await Deno.open(path)).readable;
  if (pipeline.includes("rechunk")) stream = stream.pipeThrough(new RechunkStream());
  let digest: Promise<string>;
  if (pipeline === "verify+rechunk") {
    const verify = new VerifyStream({ sha256: expected }, {
      createHasher: abilities.createHasher,
      name: path,
    });
    stream = stream.pipeThrough(verify);
    digest = verify.done.then((r) => r.hashes.sha256!);
  } else {
    const d = new DigestStream("sha256", { hasher: abilities.createHasher("sha256") });
    stream = stream.pipeThrough(d);
    digest = d.digest;
  }
  await stream.pipeTo(new WritableStream());
  const hex = await digest;
  const seconds = (performance.now() - start) / 1000;
  return { seconds, digest: hex, cpuSeconds: cpuNow() - cpu };
}
