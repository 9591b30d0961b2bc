/**
 * The report spool (`<workspace>/reports/`): install outcome events waiting to be sent to the
 * fleet API, one file per event (`<id>.json`, written atomically: temp file, fsync, rename,
 * directory fsync), named by a sortable event id `r<12-digit sequence>-<16 hex random>`. The
 * sequence orders events without the clock (max of the files there and `state.json`'s `nextSeq`);
 * the random part keeps ids unique per device across any restart. An event keeps its id until the
 * edge acknowledged it, so a resend after a crash is a duplicate the edge counts once.
 *
 * Bounded: at most `maxEvents` events (default 1000) and `maxBytes` bytes (default 1 MiB); adding
 * past a bound removes the oldest first and adds them to the persisted `dropped` counter
 * (`state.json`, written before the files go, so a crash over-reports rather than hides a loss),
 * which is sent with the next batch and taken off once acknowledged. Temp files of a killed writer
 * (`.r…json.tmp-*`) are never read as events; an event file that does not parse is removed and
 * counted as dropped. Call under the workspace lock (only readers may run alongside).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { ReportSpool } from "./report_spool.ts";
 * const dir = await mkdtemp(join(tmpdir(), "spool-"));
 * const spool = new ReportSpool(dir, { maxEvents: 2 });
 * for (const stage of ["download", "verify", "install"] as const) {
 *   await spool.add({ app: "acme/radio", commit: "68200ec", stage, result: "ok", at: new Date().toISOString() });
 * }
 * const batch = await spool.batch();
 * assert.deepEqual(batch.events.map((e) => e.stage), ["verify", "install"]);
 * assert.equal(batch.dropped, 1);
 * await spool.acknowledge(batch);
 * assert.deepEqual(await spool.summary(), { events: 0, bytes: 0, dropped: 0 });
 * await rm(dir, { recursive: true });
 * ```
 * @module
 */
import { mkdir, readdir, readFile, stat, unlink } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { MAX_REPORT_EVENTS, parseReportEvent, type ReportEvent } from "../../core/fleet/report_events.ts";
import { fsyncDir, writeFileAtomic } from "../fs/atomic_file.ts";

/** A spooled event file name: `r<seq>-<random>.json`. */
const EVENT_FILE = /^r(\d{12})-[0-9a-f]{16}\.json$/;
/** A temp file of {@linkcode writeFileAtomic} for an event: `.r…json.tmp-<pid>-<rand>`. */
const TEMP_FILE = /^\.r\d{12}-[0-9a-f]{16}\.json\.tmp-(\d+)-[0-9a-f]+$/;
/** The most JSON bytes of events in one batch (the edge caps request bodies). */
const MAX_BATCH_BYTES = 64 * 1024;

/** Options of {@linkcode ReportSpool}. */
export interface SpoolOptions {
  /** Most events kept (default 1000). */
  maxEvents?: number;
  /** Most bytes of event files kept (default 1 MiB). */
  maxBytes?: number;
}

/** A batch to send: events oldest first, the dropped count to report, and their files. */
export interface SpoolBatch {
  events: ReportEvent[];
  dropped: number;
  files: string[];
}

interface State {
  version: 1;
  dropped: number;
  nextSeq: number;
}

interface Entry {
  file: string;
  seq: number;
  size: number;
}

/** The spool directory. */
export class ReportSpool {
  readonly dir: string;
  readonly maxEvents: number;
  readonly maxBytes: number;
  /** The event files as this instance last saw and changed them (the lock keeps others out). */
  #known: Entry[] | undefined;

  constructor(dir: string, options: SpoolOptions = {}) {
    if (typeof dir !== "string" || dir === "") throw new TypeError("Cannot open report spool: empty path");
    const { maxEvents = 1000, maxBytes = 1 << 20 } = options;
    if (!Number.isSafeInteger(maxEvents) || maxEvents < 1) {
      throw new RangeError(`Cannot open report spool: maxEvents must be a positive integer`);
    }
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 4096) {
      throw new RangeError(`Cannot open report spool: maxBytes must be an integer of at least 4096`);
    }
    this.dir = dir;
    this.maxEvents = maxEvents;
    this.maxBytes = maxBytes;
  }

  /**
   * Spools an event (checked with core's `parseReportEvent`; `TypeError`/`RangeError` when invalid)
   * under a new id, durably, then enforces the bounds. Resolves with the event as spooled.
   */
  async add(event: Omit<ReportEvent, "id">): Promise<ReportEvent> {
    await mkdir(this.dir, { recursive: true });
    const entries = await this.#entries();
    const state = await this.#state();
    const seq = Math.max(state.nextSeq, (entries.at(-1)?.seq ?? -1) + 1);
    const id = `r${String(seq).padStart(12, "0")}-${randomBytes(8).toString("hex")}`;
    const spooled = parseReportEvent({ ...event, id });
    const text = JSON.stringify(spooled) + "\n";
    const size = new TextEncoder().encode(text).length;
    await writeFileAtomic(join(this.dir, `${id}.json`), text);
    this.#known?.push({ file: `${id}.json`, seq, size });
    // the bounds, oldest first (the new event is the newest: it stays)
    let count = entries.length + 1;
    let bytes = entries.reduce((n, e) => n + e.size, 0) + size;
    const drop: Entry[] = [];
    for (const e of entries) {
      if (count <= this.maxEvents && bytes <= this.maxBytes) break;
      drop.push(e);
      count--;
      bytes -= e.size;
    }
    if (drop.length > 0) await this.#drop(drop, state);
    return spooled;
  }

  /** How many events wait, their bytes, and the dropped count not yet reported. */
  async summary(): Promise<{ events: number; bytes: number; dropped: number }> {
    const entries = await this.#entries();
    return {
      events: entries.length,
      bytes: entries.reduce((n, e) => n + e.size, 0),
      dropped: (await this.#state()).dropped,
    };
  }

  /**
   * The oldest events, at most `maxEvents` (default and cap: the core batch limit, 100) and about
   * 64 KiB of JSON, with the dropped count. Unreadable event files are removed (and counted as
   * dropped); stale temp files of dead writers are removed.
   */
  async batch(options: { maxEvents?: number } = {}): Promise<SpoolBatch> {
    const limit = Math.min(options.maxEvents ?? MAX_REPORT_EVENTS, MAX_REPORT_EVENTS);
    await this.#sweep();
    const events: ReportEvent[] = [];
    const files: string[] = [];
    const damaged: Entry[] = [];
    let bytes = 0;
    for (const entry of await this.#entries()) {
      if (events.length >= limit || bytes + entry.size > MAX_BATCH_BYTES && events.length > 0) break;
      const event = await this.#read(entry);
      if (event === undefined) {
        damaged.push(entry);
        continue;
      }
      events.push(event);
      files.push(entry.file);
      bytes += entry.size;
    }
    if (damaged.length > 0) await this.#drop(damaged, await this.#state());
    return { events, dropped: (await this.#state()).dropped, files };
  }

  /**
   * The edge acknowledged `batch` (2xx): takes its dropped count off the counter (persisted
   * first), then removes its files.
   */
  async acknowledge(batch: SpoolBatch): Promise<void> {
    const state = await this.#state();
    const seqs = batch.files.map((f) => Number(EVENT_FILE.exec(f)?.[1] ?? -1));
    const next: State = {
      version: 1,
      dropped: Math.max(0, state.dropped - batch.dropped),
      nextSeq: Math.max(state.nextSeq, ...seqs.map((s) => s + 1)),
    };
    if (next.dropped !== state.dropped || next.nextSeq !== state.nextSeq) await this.#writeState(next);
    for (const file of batch.files) {
      if (!EVENT_FILE.test(file)) throw new TypeError(`Cannot acknowledge report: bad file name ${file}`);
      await unlink(join(this.dir, file)).catch((e) => {
        if (e.code !== "ENOENT") throw e;
      });
      this.#forget(file);
    }
    if (batch.files.length > 0) await fsyncDir(this.dir);
  }

  async #drop(entries: Entry[], state: State): Promise<void> {
    const nextSeq = Math.max(state.nextSeq, ...entries.map((e) => e.seq + 1));
    await this.#writeState({ version: 1, dropped: state.dropped + entries.length, nextSeq });
    for (const e of entries) {
      await unlink(join(this.dir, e.file)).catch(() => {});
      this.#forget(e.file);
    }
    await fsyncDir(this.dir);
  }

  #forget(file: string): void {
    const i = this.#known?.findIndex((e) => e.file === file) ?? -1;
    if (i >= 0) this.#known!.splice(i, 1);
  }

  async #read(entry: Entry): Promise<ReportEvent | undefined> {
    try {
      const event = parseReportEvent(JSON.parse(await readFile(join(this.dir, entry.file), "utf8")));
      return `${event.id}.json` === entry.file ? event : undefined;
    } catch {
      return undefined;
    }
  }

  /** Event files, oldest first, with their sizes (read once per instance). */
  async #entries(): Promise<Entry[]> {
    this.#known ??= await this.#scan();
    return [...this.#known];
  }

  async #scan(): Promise<Entry[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const out: Entry[] = [];
    for (const file of names.filter((n) => EVENT_FILE.test(n)).sort()) {
      const st = await stat(join(this.dir, file)).catch(() => undefined);
      if (st?.isFile()) out.push({ file, seq: Number(EVENT_FILE.exec(file)![1]), size: st.size });
    }
    return out;
  }

  async #state(): Promise<State> {
    try {
      const v = JSON.parse(await readFile(join(this.dir, "state.json"), "utf8"));
      const ok = (n: unknown) => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
      if (v?.version === 1 && ok(v.dropped) && ok(v.nextSeq)) return v as State;
    } catch { /* missing or damaged: start again */ }
    return { version: 1, dropped: 0, nextSeq: 0 };
  }

  async #writeState(state: State): Promise<void> {
    await writeFileAtomic(join(this.dir, "state.json"), JSON.stringify(state) + "\n");
  }

  /** Removes temp files left by writers that are gone (a kill between create and rename). */
  async #sweep(): Promise<void> {
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      const pid = Number(TEMP_FILE.exec(name)?.[1] ?? NaN);
      if (!Number.isSafeInteger(pid) || pid === process.pid || isAlive(pid)) continue;
      await unlink(join(this.dir, name)).catch(() => {});
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code !== "ESRCH";
  }
}
