/**
 * Private: what one `repo add-*` run imports into `targets/` (the files it created and the directories
 * it made for them, never a file that was already there), removed again unless the run published or
 * staged metadata naming them: on any failure, and on SIGINT or SIGTERM before its metadata commit
 * starts. A signal aborts {@linkcode RunImports.signal} (the copy in progress stops), the run fails,
 * the files go, and then, when nothing else listens for that signal, it is raised again so the process
 * ends as it would have without this guard. From the commit on a signal is ignored until the commit
 * has ended: metadata is never left half-written. The caller's `signal` (`CommandIO.signal`) is obeyed
 * like a process signal, without raising it again.
 */
import { mkdir, rm, rmdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import process from "node:process";
import type { Lock } from "../../device/fs/lock.ts";

const SIGNALS = ["SIGINT", "SIGTERM"] as const;
type Signal = typeof SIGNALS[number];

/** Options of {@linkcode RunImports}. */
export interface RunImportsOptions {
  /** The command's action, for errors: "add app" gives "Cannot add app: interrupted by SIGINT". */
  action: string;
  /** Aborts the run like SIGINT (the command's `io.signal`). */
  signal?: AbortSignal;
  /** The repository's lock: released, after the cleanup, before a caught signal is raised again. */
  lock?: Lock;
}

/** Files and directories a run imported; discarded on dispose unless kept by a successful commit. */
export class RunImports implements AsyncDisposable {
  #files = new Set<string>();
  #dirs: string[] = [];
  #abort = new AbortController();
  #phase: "importing" | "committing" | "kept" = "importing";
  #caught: Signal | undefined;
  #action: string;
  #lock: Lock | undefined;
  #onSignal = (signal: Signal) => {
    if (this.#phase !== "importing" || this.#caught) return;
    this.#caught = signal;
    this.#abort.abort(new Error(`Cannot ${this.#action}: interrupted by ${signal}`));
  };
  #listeners = SIGNALS.map((s) => [s, () => this.#onSignal(s)] as const);
  #unlisten: () => void;

  constructor(options: RunImportsOptions) {
    this.#action = options.action;
    this.#lock = options.lock;
    for (const [s, listener] of this.#listeners) process.on(s, listener);
    const outer = options.signal;
    if (outer?.aborted) this.#abort.abort(outer.reason);
    const onAbort = () => {
      if (this.#phase === "importing") this.#abort.abort(outer?.reason);
    };
    outer?.addEventListener("abort", onAbort, { once: true });
    this.#unlisten = () => {
      for (const [s, listener] of this.#listeners) process.removeListener(s, listener);
      outer?.removeEventListener("abort", onAbort);
    };
  }

  /** Aborted when the run is interrupted: pass it to every copy, and check it between steps. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** `mkdir -p dir`, remembering the directories it created. */
  async mkdir(dir: string): Promise<void> {
    const made = await mkdir(dir, { recursive: true }); // the first directory it created (Deno: absolute)
    if (made === undefined) return;
    const first = resolve(made);
    for (let d = resolve(dir); d.length >= first.length; d = dirname(d)) this.#dirs.push(d);
  }

  /** Records `path` as created by this run (a temp file, or a target file that was not there before). */
  add(path: string): void {
    this.#files.add(path);
  }

  /** Forgets `path` (a temp file renamed away). */
  forget(path: string): void {
    this.#files.delete(path);
  }

  /**
   * `writer.commit()` (the metadata write), during which signals wait. The imports are kept when it
   * resolves, or when it failed after publishing (the timestamp version moved on: only what follows the
   * timestamp write failed).
   */
  async commit<T>(writer: { versions: { timestamp: number }; commit(): Promise<T> }): Promise<T> {
    this.#abort.signal.throwIfAborted();
    this.#phase = "committing";
    const timestamp = writer.versions.timestamp;
    try {
      const result = await writer.commit();
      this.#phase = "kept";
      return result;
    } catch (error) {
      if (writer.versions.timestamp !== timestamp) this.#phase = "kept";
      throw error;
    }
  }

  /** Removes what this run imported unless it was kept; then raises a caught signal again. */
  async [Symbol.asyncDispose](): Promise<void> {
    try {
      if (this.#phase !== "kept") await this.#discard();
    } finally {
      this.#unlisten();
    }
    const signal = this.#caught;
    if (signal && process.listenerCount(signal) === 0) {
      await this.#lock?.release();
      process.kill(process.pid, signal);
    }
  }

  async #discard(): Promise<void> {
    for (const file of this.#files) await rm(file, { force: true }).catch(() => {});
    this.#files.clear();
    const deepestFirst = [...new Set(this.#dirs)].sort((a, b) => b.length - a.length);
    for (const dir of deepestFirst) await rmdir(dir).catch(() => {}); // only when empty
    this.#dirs = [];
  }
}
