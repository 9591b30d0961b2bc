/**
 * Private to device/commands: `install`'s install of one pending download from where its bytes are
 * (`installSource`: the verified blob, the tar a delta reassembled, or the network for a download
 * `update` deferred), re-verified while extracted. What fails decides whether the download stays: one
 * gone from the repository or refused (bad bytes) is dropped; a transient failure keeps the `.part`
 * for the next run. A deferred delta whose pack the server stops serving by range mid-install
 * (`RangeIgnoredError`: the delta is dropped) is installed once more from the full artifact, with a
 * one-line notice on stderr. A full or read-only target is `NoSpaceError` / `ReadOnlyError` naming
 * the step (staging directory, extraction, switch); the download stays for the next run.
 * @module
 */
import { join } from "node:path";
import { IntegrityError, NotFoundError } from "../../core/errors.ts";
import type { CommandIO } from "../cli/command.ts";
import { exitCodeFor } from "../cli/exit_codes.ts";
import { type InstallOptions, installRelease, type InstallResult } from "../app/install_release.ts";
import { installSource } from "../app/install_source.ts";
import { RangeIgnoredError } from "../delta/range_ignored_error.ts";
import type { FetchPolicy } from "../net/fetch.ts";
import type { PendingManifest, Workspace } from "../fs/workspace.ts";
import { storageErrorOf } from "../fs/storage_error.ts";

/** Installs `m` into `o.dir` (see the module doc); `o.drop` drops the record and its download. */
export async function installPending(
  ws: Workspace,
  m: PendingManifest,
  o: {
    dir: string;
    io: CommandIO;
    json: boolean;
    /** Download what `check` deferred while extracting it, with this policy. */
    stream?: FetchPolicy;
    /** The rest of the install's options: health check, stages, signal. */
    install: Omit<InstallOptions, "deploy" | "expected">;
    drop: () => Promise<void>;
  },
): Promise<InstallResult> {
  let staged = false; // past extraction: a failure now is the switch's
  const installOptions: InstallOptions = {
    deploy: {
      name: m.name,
      ref: m.ref,
      commit: m.commit,
      ...(m.serial !== undefined ? { serial: m.serial } : {}),
      ...(m.sha256 ? { sha256: m.sha256 } : {}),
      ...(m.sha1 ? { sha1: m.sha1 } : {}),
      ...(m.updated ? { updated: m.updated } : {}),
      ...(m.appVersion ? { version: m.appVersion } : {}),
      source: m.source,
    },
    expected: { length: m.length, sha256: m.sha256, sha1: m.sha1, sha384: m.sha384, sha512: m.sha512 },
    ...o.install,
    onStage: async (event) => {
      if (event.stage === "staged") staged = true;
      await o.install.onStage?.(event);
    },
  };
  const sourceOf = () =>
    installSource(ws, m, { stream: o.stream, io: o.io, json: o.json }).catch(async (error) => {
      await o.drop();
      throw error;
    });
  let from = await sourceOf();
  for (let fallback = true;; fallback = false) {
    try {
      // streaming: an earlier run's bad bytes are downloaded once more from 0 (Download.run)
      const source = from;
      const result = await source.run((bytes) =>
        installRelease(o.dir, bytes, {
          ...installOptions,
          ...(source.expected ? { expected: source.expected } : {}),
          maxExtractedSize: source.maxExtractedSize,
          releaseChunks: source.exclusive,
        })
      );
      source.done(true);
      return result;
    } catch (caught) {
      from.done(false);
      if (fallback && caught instanceof RangeIgnoredError) {
        // the delta is dropped (deferred_delta.ts): the source now is the full artifact
        o.io.stderr(`${m.name}: ${caught.notice}; downloading in full\n`);
        from = await sourceOf();
        continue;
      }
      const error = targetStorageError(caught, { m, dir: o.dir, staged });
      if (error instanceof NotFoundError) await o.drop(); // gone from the repository: final
      if (exitCodeFor(error) !== 3) throw error; // transient: the .part stays for the next run
      await o.drop(); // a bad download is never retried as is
      throw typeof from.source === "string" && error instanceof IntegrityError
        ? corruptDownload(error, m)
        : error;
    }
  }
}

/**
 * A stored download (verified when `check` wrote it) that no longer reads as its archive: the disk
 * changed it since. Said so, not as the archive's own fault ("Cannot gunzip archive: ..."), with
 * what to do: it was removed with its pending record, so the next `check` or `update` fetches it again.
 */
function corruptDownload(error: IntegrityError, m: PendingManifest): IntegrityError {
  const what = `${m.name} ${m.commit.slice(0, 12)}`;
  return new IntegrityError(
    `Cannot install ${what}: its stored download is corrupt (${error.message}); it was removed, ` +
      `the next check or update downloads it again`,
    { cause: error },
  );
}

/**
 * A full or read-only target as a named error saying which step failed: creating the staging
 * directory, extracting into it, or switching the links (the workspace's, the download's `.part`
 * and the locks', arrive named already and are kept).
 */
function targetStorageError(error: unknown, o: { m: PendingManifest; dir: string; staged: boolean }) {
  const what = `${o.m.name} ${o.m.commit.slice(0, 12)}`;
  const releases = join(o.dir, "releases");
  const named = o.staged
    ? storageErrorOf(error, { action: `switch ${o.m.name} to ${o.m.commit.slice(0, 12)}`, path: o.dir })
    : (error as { syscall?: unknown })?.syscall === "mkdir"
    ? storageErrorOf(error, { action: `create the staging directory of ${what}`, path: releases })
    : storageErrorOf(error, { action: `extract ${what}`, path: releases });
  return named ?? error;
}
