/**
 * Download progress on stderr: a redrawn bar when stderr is a terminal (and not `--json`), sparse
 * log lines when it is not, nothing at all in `--json` mode.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProgressBar } from "./progress.ts";
 * const lines: string[] = [];
 * const bar = new ProgressBar({ stderr: (t) => lines.push(t), stderrIsTTY: false }, { label: "acme/app", total: 10 });
 * bar.update(5);
 * bar.done();
 * assert.equal(lines.length, 2);
 * ```
 * @module
 */

const MiB = 1024 * 1024;
const fmt = (n: number) => (n >= MiB ? `${(n / MiB).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

/** One download's (or, with `action: "upload"`, one upload's) progress. */
export class ProgressBar {
  #write: (text: string) => void;
  #action: "download" | "upload";
  #mode: "bar" | "log" | "silent";
  #label: string;
  #total: number | undefined;
  #bytes = 0;
  #last = 0;
  #finished = false;

  constructor(
    io: { stderr: (text: string) => void; stderrIsTTY: boolean },
    options: { label: string; total?: number; json?: boolean; action?: "download" | "upload" },
  ) {
    this.#write = io.stderr;
    this.#action = options.action ?? "download";
    this.#mode = options.json ? "silent" : io.stderrIsTTY ? "bar" : "log";
    this.#label = options.label;
    this.#total = options.total;
    if (this.#mode === "log") {
      const size = this.#total !== undefined ? ` (${fmt(this.#total)})` : "";
      this.#write(`${this.#action}ing ${this.#label}${size}\n`);
    }
  }

  /** Bytes received so far (including resumed bytes). Redraws at most 10 times a second. */
  update(bytes: number, total?: number): void {
    this.#bytes = bytes;
    if (total !== undefined) this.#total = total;
    if (this.#mode !== "bar") return;
    const now = Date.now();
    if (now - this.#last < 100) return;
    this.#last = now;
    this.#draw();
  }

  #draw(): void {
    const total = this.#total;
    if (total && total > 0) {
      const ratio = Math.min(1, this.#bytes / total);
      const width = 30;
      const full = Math.round(ratio * width);
      const bar = "#".repeat(full) + "-".repeat(width - full);
      this.#write(
        `\r\x1b[2K${this.#label} [${bar}] ${(ratio * 100).toFixed(0).padStart(3)}% ${fmt(this.#bytes)}/${
          fmt(total)
        }`,
      );
    } else {
      this.#write(`\r\x1b[2K${this.#label} ${fmt(this.#bytes)}`);
    }
  }

  /**
   * Ends the bar (a final line on a terminal, a "done" line in log mode). Idempotent. `ok: false`:
   * the transfer failed; `stopped`: it did not fail, what read its bytes did (a full target while
   * extracting), so the line says it stopped, not that it failed.
   */
  done(options: { ok?: boolean; stopped?: boolean } = {}): void {
    if (this.#finished) return;
    this.#finished = true;
    const ok = options.ok ?? true;
    const outcome = ok ? "done" : options.stopped ? "stopped" : "failed";
    if (this.#mode === "bar") {
      this.#draw();
      this.#write(outcome === "done" ? "\n" : ` ${outcome}\n`);
    } else if (this.#mode === "log") {
      const verb = outcome === "done"
        ? `${this.#action}ed`
        : outcome === "stopped"
        ? `stopped ${this.#action}ing`
        : `failed to ${this.#action}`;
      this.#write(`${verb} ${this.#label} (${fmt(this.#bytes)})\n`);
    }
  }
}
