/**
 * Where `install` reads a pending release from: the verified blob `check` downloaded (or the tar it
 * reassembled by delta), or, for `update` (which defers downloads), the network while extracting:
 * a delta's reassembly (`device/delta/deferred_delta.ts`, the pack ranges fetched meanwhile), else
 * the one download stream of `device/net/download.ts`, with its rule on an earlier run's bad bytes.
 * @module
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { NotFoundError } from "../../core/errors.ts";
import type { CommandIO } from "../cli/command.ts";
import type { Expected, FetchPolicy } from "../net/fetch.ts";
import { isSha256 } from "../../core/names/mod.ts";
import type { Source } from "./install_release.ts";
import { ProgressBar } from "../cli/progress.ts";
import { Download } from "../net/download.ts";
import type { PendingManifest, Workspace } from "../fs/workspace.ts";
import { openDeferredDelta } from "../delta/deferred_delta.ts";
import { seedsOf } from "../delta/seeds.ts";

/** A source and what to do when the install is over. */
export interface InstallSource {
  source: Source;
  /** Streaming from a `.part` that already held bytes (an earlier run's). */
  resumed: boolean;
  /** What the source must be when it is not the blob of the record (a tar reassembled by delta). */
  expected?: Expected;
  /**
   * The stream's chunks are the install's alone (a file read, the download stream): their memory
   * can be released as soon as they are extracted (`InstallOptions.releaseChunks`). Not so for a
   * delta's reassembly, which may hand out one buffer twice.
   */
  exclusive: boolean;
  /** Cap on the extracted size while the bytes are not verified yet (streaming), else undefined. */
  maxExtractedSize?: number;
  /**
   * Runs `install` on the source. Streaming: an `IntegrityError` removes the `.part`, and when the
   * stream had started from an earlier run's bytes, `install` runs once more from byte 0
   * (`Download.run`). A blob: once.
   */
  run<T>(install: (source: Source) => Promise<T>): Promise<T>;
  /**
   * Ends the progress line: downloaded, failed to download (the stream itself failed), or stopped
   * (`ok` false but the stream did not fail: what read it did, a full or read-only target).
   */
  done(ok: boolean): void;
}

/**
 * `open`'s streams, each passed on as it is but watched: `failed()` says whether one of them
 * errored (the download's own failure, not its reader's).
 */
function watchedOpener(open: () => ReadableStream<Uint8Array>) {
  let failed = false;
  const watched = () => {
    const reader = open().getReader();
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await reader.read();
        } catch (error) {
          failed = true;
          throw error;
        }
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      },
      cancel: (reason) => reader.cancel(reason),
    }, { highWaterMark: 0 });
  };
  return { open: watched, failed: () => failed };
}

/**
 * The source of `m`: its blob if downloaded, else (when `stream` is given and `m.url` is known)
 * the network; `NotFoundError` otherwise.
 */
export async function installSource(
  ws: Workspace,
  m: PendingManifest,
  options: { stream?: FetchPolicy; io: CommandIO; json: boolean },
): Promise<InstallSource> {
  const blob = ws.blobPath(m.blob);
  if (await stat(blob).catch(() => undefined)) {
    return { source: blob, exclusive: true, resumed: false, run: (install) => install(blob), done: () => {} };
  }
  const tar = join(ws.downloads, `${m.blob}.tar`);
  if (
    isSha256(m.tar?.sha256) && Number.isSafeInteger(m.tar.length) && await stat(tar).catch(() => undefined)
  ) {
    const expected = { sha256: m.tar.sha256, length: m.tar.length };
    const run = <T>(install: (source: Source) => Promise<T>) => install(tar);
    return { source: tar, expected, exclusive: true, resumed: false, run, done: () => {} };
  }
  if (isSha256(m.tar?.sha256) && Number.isSafeInteger(m.tar.length) && options.stream) {
    const { io, json } = options;
    const delta = await deferredDelta(ws, m, { tar: m.tar, policy: options.stream, io, json });
    if (delta) return delta;
  }
  // unverified bytes reach the extractor: bound what a forged stream of the signed length can unpack to
  const maxExtractedSize = Math.min(16 * 2 ** 30, Math.max(2 ** 30, 64 * (m.length ?? 2 ** 30)));
  if (!options.stream || !m.url) {
    throw new NotFoundError(
      `Cannot install ${m.name} ${m.commit}: the download is missing (run drover check)`,
    );
  }
  const part = ws.partPath(m.blob);
  const resumed = ((await stat(part).catch(() => undefined))?.size ?? 0) > 0;
  const bar = new ProgressBar(options.io, {
    label: `${m.name} ${m.commit.slice(0, 12)}`,
    total: m.length,
    json: options.json,
  });
  const download = new Download(new URL(m.url), {
    ...options.stream,
    part,
    length: m.length,
    name: `${m.name} ${m.commit}`,
    onProgress: (bytes, total) => bar.update(bytes, total),
  });
  const source = () => download.open();
  let watch: ReturnType<typeof watchedOpener> | undefined;
  return {
    source,
    exclusive: true,
    resumed,
    maxExtractedSize,
    run: (install) => download.run((open) => install((watch = watchedOpener(open)).open)),
    done: (ok) => bar.done({ ok, stopped: !ok && !watch?.failed() }),
  };
}

/** The delta `update` planned for `m`, reassembled into the extractor; `undefined` when none was. */
async function deferredDelta(
  ws: Workspace,
  m: PendingManifest,
  options: { tar: { sha256: string; length: number }; policy: FetchPolicy; io: CommandIO; json: boolean },
): Promise<InstallSource | undefined> {
  const shown: { bar?: ProgressBar } = {}; // once there is a delta to show
  const open = await openDeferredDelta(ws.downloads, {
    key: m.blob,
    seeds: (await seedsOf(ws.dir, m.name)).map((s) => s.path),
    policy: options.policy,
    onProgress: (bytes, total) => shown.bar?.update(bytes, total),
  });
  if (!open) return undefined;
  const bar = shown.bar = new ProgressBar(options.io, {
    label: `${m.name} ${m.commit.slice(0, 12)} (delta)`,
    json: options.json,
  });
  const watch = watchedOpener(open);
  return {
    source: watch.open,
    exclusive: false,
    expected: { sha256: options.tar.sha256, length: options.tar.length },
    resumed: false,
    run: (install) => install(watch.open),
    done: (ok) => bar.done({ ok, stopped: !ok && !watch.failed() }),
  };
}
