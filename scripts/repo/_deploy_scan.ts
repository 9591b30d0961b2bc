/**
 * Private: the `.deploy` at the root of an app archive, read while the archive streams into the
 * repository (gunzip + untar with core/archive's `UntarStream`, stopping at the entry; nothing is
 * buffered but the entry itself), and what `repo add-app` warns about it. The original radiodan updater
 * knows an installed app only by `current/.deploy` (`{"name","ref","commit"}`): without one the app is
 * no longer managed after one legacy install, and a commit that differs from the published one makes
 * it install the release again on every run.
 */
import { UntarStream } from "../../core/archive/mod.ts";
import { parseDeploy } from "../../device/app/scan_apps.ts";

/** What the archive holds at `.deploy`. */
export type DeployScan =
  | { found: true; name: string; ref: string; commit: string }
  | { found: false; problem: string };

const MAX_DEPLOY = 64 * 1024;

/** Feeds archive bytes to `UntarStream` until `.deploy` is read; later bytes are ignored. */
export class DeployScanner {
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #result: Promise<DeployScan>;
  #stopped = false;

  constructor() {
    const untar = new UntarStream({ gzip: "auto" });
    this.#writer = untar.writable.getWriter();
    this.#writer.closed.catch(() => {}); // the reader stops it on purpose once it has the entry
    this.#result = this.#read(untar.readable);
  }

  /** The next chunk of the archive (resolves once the scanner took it; never rejects). */
  async push(chunk: Uint8Array): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.#writer.write(chunk);
    } catch {
      this.#stopped = true; // found, or not a readable archive: the rest is not needed
    }
  }

  /** After the last chunk: what `.deploy` holds, or why there is none. */
  async finish(): Promise<DeployScan> {
    if (!this.#stopped) {
      this.#stopped = true;
      await this.#writer.close().catch(() => {});
    }
    return await this.#result;
  }

  async #read(entries: ReadableStream): Promise<DeployScan> {
    const reader = entries.getReader();
    try {
      for (;;) {
        const { value: entry, done } = await reader.read();
        if (done) return { found: false, problem: "the archive has no .deploy at its root" };
        if (entry.path !== ".deploy") {
          await entry.body?.cancel();
          continue;
        }
        if (entry.type !== "file" || !entry.body || entry.size > MAX_DEPLOY) {
          await entry.body?.cancel();
          return { found: false, problem: "the archive's .deploy is not a small regular file" };
        }
        const text = await new Response(entry.body).text();
        try {
          const deploy = parseDeploy(text);
          return { found: true, name: deploy.name, ref: deploy.ref, commit: deploy.commit };
        } catch (error) {
          return { found: false, problem: `the archive's .deploy is unusable: ${(error as Error).message}` };
        }
      }
    } catch (error) {
      return { found: false, problem: `the archive cannot be read: ${(error as Error).message}` };
    } finally {
      this.#stopped = true;
      await reader.cancel().catch(() => {});
    }
  }
}

/**
 * The warnings of `repo add-app` about the archive's `.deploy`: missing, unreadable, or naming another
 * app, ref or commit than the release is published as.
 */
export function deployWarnings(
  scan: DeployScan,
  published: { name: string; ref: string; commit: string },
): string[] {
  const legacy = "legacy radiodan clients read current/.deploy to know the installed app";
  if (!scan.found) return [`${scan.problem}: ${legacy}, so after one legacy install it is no longer updated`];
  const out: string[] = [];
  if (scan.name !== published.name) {
    out.push(`the archive's .deploy names app ${scan.name}, not --name ${published.name}: ${legacy}`);
  }
  if (scan.ref !== published.ref) {
    out.push(`the archive's .deploy names ref ${scan.ref}, not --ref ${published.ref}: ${legacy}`);
  }
  if (scan.commit !== published.commit) {
    out.push(
      `the archive's .deploy names commit ${scan.commit}, not --commit ${published.commit}: ` +
        "legacy radiodan clients compare the two and would install the release again on every run",
    );
  }
  return out;
}
