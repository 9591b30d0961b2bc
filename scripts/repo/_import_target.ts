/**
 * Private: copy an artifact into `targets/<dir>/<sha256>.<basename>`, computing sha256, sha1 and
 * sha512 while streaming (never buffered whole); the file appears under its final name only
 * after the copy is complete and fsynced (temp + rename). An `observe` callback sees every chunk as it
 * streams (the copy waits for the promise it returns: backpressure), e.g. to look into the archive.
 * With `imports` (`_run_imports.ts`) the copy stops when the run is interrupted, and the directories and
 * the file it created are recorded for removal should the run fail.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { targetUrl } from "../../core/trust/mod.ts";
import { type FsRepoStore, syncDir } from "./fs_repo_store.ts";
import type { RunImports } from "./_run_imports.ts";

/** What was imported. */
export interface Imported {
  length: number;
  hashes: { sha256: string; sha1: string; sha512: string };
  url: string;
}

/** Options of {@linkcode importTarget}. */
export interface ImportOptions {
  /** Called with each chunk in order while it streams; must not throw (it would fail the import). */
  observe?: (chunk: Uint8Array) => Promise<void> | void;
  /** The run's imports: the copy obeys its signal, and what it creates is recorded there. */
  imports?: RunImports;
}

/** Stream `file` into the repository as target `path`. */
export async function importTarget(
  store: FsRepoStore,
  path: string,
  file: string,
  options: ImportOptions = {},
): Promise<Imported> {
  const { observe, imports } = options;
  const dir = dirname(store.resolve(targetUrl(path, "0".repeat(64))));
  await (imports ? imports.mkdir(dir) : mkdir(dir, { recursive: true }));
  const tmp = `${dir}/.import-${randomBytes(6).toString("hex")}.tmp`;
  imports?.add(tmp);
  const hashers = { sha256: createHash("sha256"), sha1: createHash("sha1"), sha512: createHash("sha512") };
  let length = 0;
  const tee = new Transform({
    transform(chunk: Uint8Array, _enc, done) {
      length += chunk.length;
      for (const h of Object.values(hashers)) h.update(chunk);
      if (!observe) return done(null, chunk);
      Promise.resolve(observe(chunk)).then(() => done(null, chunk), done);
    },
  });
  try {
    await pipeline(
      createReadStream(file, { highWaterMark: 1 << 20 }),
      tee,
      createWriteStream(tmp, { flags: "wx" }),
      imports ? { signal: imports.signal } : {},
    );
    const fh = await open(tmp, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    const hashes = {
      sha256: hashers.sha256.digest("hex"),
      sha1: hashers.sha1.digest("hex"),
      sha512: hashers.sha512.digest("hex"),
    };
    const url = targetUrl(path, hashes.sha256);
    const final = store.resolve(url);
    const fresh = !(await exists(final)); // the same bytes already there: not this run's to remove
    await rename(tmp, final);
    imports?.forget(tmp);
    if (fresh) imports?.add(final);
    await syncDir(dir);
    return { length, hashes, url };
  } catch (e) {
    await rm(tmp, { force: true });
    imports?.forget(tmp);
    throw imports?.signal.aborted ? imports.signal.reason : e; // "interrupted by SIGINT", not AbortError
  }
}

/**
 * Write small in-memory content (device-types.json, a chunk index) as target `path`; returns its target
 * fields. With `imports`, what it creates is recorded there.
 */
export async function putTargetBytes(
  store: FsRepoStore,
  path: string,
  bytes: Uint8Array,
  options: { imports?: RunImports } = {},
): Promise<Imported> {
  const hashes = {
    sha256: createHash("sha256").update(bytes).digest("hex"),
    sha1: createHash("sha1").update(bytes).digest("hex"),
    sha512: createHash("sha512").update(bytes).digest("hex"),
  };
  const url = targetUrl(path, hashes.sha256);
  const { imports } = options;
  const final = store.resolve(url);
  await imports?.mkdir(dirname(final));
  const fresh = !(await exists(final));
  await store.put(url, bytes);
  if (fresh) imports?.add(final);
  return { length: bytes.length, hashes, url };
}

const exists = (file: string) => stat(file).then(() => true, () => false);
