/**
 * Private: an app archive read as devices read it (core/archive's `UntarStream`: gunzip when the bytes
 * are gzip, then tar) while it streams into the repository, to its end: whether devices can read it at
 * all (`repo add-app` refuses one they cannot), whether they would refuse to install it (an entry outside
 * the release, a device node, over a cap: `add-app` warns), and the `.deploy` at its root (nothing is
 * buffered but that entry). The original radiodan updater knows an installed app only by
 * `current/.deploy` (`{"name","ref","commit"}`): without one the app is no longer managed after one
 * legacy install, and a commit that differs from the published one makes it install the release again
 * on every run.
 */
import { IntegrityError } from "../../core/errors.ts";
import { UntarStream } from "../../core/archive/mod.ts";
import { parseDeploy } from "../../device/app/scan_apps.ts";

/** What the archive holds at `.deploy`. */
export type DeployScan =
  | { found: true; name: string; ref: string; commit: string }
  | { found: false; problem: string };

/** What reading the whole archive found. */
export interface ArchiveScan {
  /** Why devices cannot read it (not gzip or tar, truncated, corrupt); the rest is then unknown. */
  unreadable?: string;
  /** Why devices refuse to install it (`drover update` exits 3), though they can read it. */
  refused?: string;
  /** The `.deploy` at its root (when it comes before what `unreadable` or `refused` stopped at). */
  deploy: DeployScan;
}

const MAX_DEPLOY = 64 * 1024;

/** Feeds archive bytes to `UntarStream`; after the last, {@linkcode finish} tells what it found. */
export class ArchiveScanner {
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #result: Promise<ArchiveScan>;
  #stopped = false;

  constructor() {
    const untar = new UntarStream({ gzip: "auto" });
    this.#writer = untar.writable.getWriter();
    this.#writer.closed.catch(() => {}); // the reader reports why it stopped
    this.#result = this.#read(untar.readable);
  }

  /** The next chunk of the archive (resolves once the scanner took it; never rejects). */
  async push(chunk: Uint8Array): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.#writer.write(chunk);
    } catch {
      this.#stopped = true; // unreadable or refused: the rest is not needed
    }
  }

  /** After the last chunk: what the archive is. */
  async finish(): Promise<ArchiveScan> {
    if (!this.#stopped) {
      this.#stopped = true;
      await this.#writer.close().catch(() => {});
    }
    return await this.#result;
  }

  async #read(entries: ReadableStream): Promise<ArchiveScan> {
    const reader = entries.getReader();
    let deploy: DeployScan = { found: false, problem: "the archive has no .deploy at its root" };
    try {
      for (;;) {
        const { value: entry, done } = await reader.read();
        if (done) return { deploy };
        if (entry.path === ".deploy") deploy = await readDeploy(entry);
        else await entry.body?.cancel();
      }
    } catch (error) {
      const message = (error as Error).message;
      // core/archive's refusals of a readable entry all read "Cannot extract …"; anything else is the bytes
      if (error instanceof IntegrityError && message.startsWith("Cannot extract")) {
        return { refused: message, deploy };
      }
      return { unreadable: message, deploy };
    } finally {
      this.#stopped = true;
      await reader.cancel().catch(() => {});
    }
  }
}

async function readDeploy(
  entry: { type: string; size: number; body?: ReadableStream<Uint8Array> },
): Promise<DeployScan> {
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

/**
 * The warnings of `repo add-app` about a readable archive: entries devices refuse, and its `.deploy`
 * missing, unusable, or naming another app, ref or commit than the release is published as.
 */
export function archiveWarnings(
  scan: ArchiveScan,
  published: { name: string; ref: string; commit: string },
): string[] {
  const out: string[] = [];
  if (scan.refused) out.push(`devices refuse to install it (drover update exits 3): ${scan.refused}`);
  const legacy = "legacy radiodan clients read current/.deploy to know the installed app";
  const deploy = scan.deploy;
  if (!deploy.found) {
    if (!scan.refused) {
      out.push(`${deploy.problem}: ${legacy}, so after one legacy install it is no longer updated`);
    }
    return out;
  }
  if (deploy.name !== published.name) {
    out.push(`the archive's .deploy names app ${deploy.name}, not --name ${published.name}: ${legacy}`);
  }
  if (deploy.ref !== published.ref) {
    out.push(`the archive's .deploy names ref ${deploy.ref}, not --ref ${published.ref}: ${legacy}`);
  }
  if (deploy.commit !== published.commit) {
    out.push(
      `the archive's .deploy names commit ${deploy.commit}, not --commit ${published.commit}: ` +
        "legacy radiodan clients compare the two and would install the release again on every run",
    );
  }
  return out;
}
