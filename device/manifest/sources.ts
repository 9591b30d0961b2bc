/**
 * Manifest sources on the device (the install builder's `ArtifactSource`s): a directory or USB mount, an HTTP
 * repository, and what is already installed. Each keeps the errors it threw (`failures`), so that a source
 * that could not be reached is not taken for one that lacks what was asked.
 *
 * Two layouts are read, detected by the presence of `tuf/timestamp.json`:
 * - a bundle: `manifests/<id>.json` and `artifacts/<id>` (what `drover manifest install` writes into its
 *   install dir, and the simplest thing to copy onto a USB stick);
 * - a Drover repository (`scripts/repo.ts`): the newest targets metadata (timestamp -> snapshot -> targets) is
 *   read as an index only, mapping `manifests/<id>.json` and `artifacts/<id>` to their consistent-snapshot
 *   files `targets/.../<sha256>.<name>`. The index is not trusted: each manifest carries its own signature
 *   (checked against the device's root) and names the sha256 of each artifact, so an expired timestamp on an
 *   offline USB stick does not matter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { DirectorySource } from "./sources.ts";
 * const dir = await mkdtemp(join(tmpdir(), "src-"));
 * const s = new DirectorySource(dir);
 * assert.equal((await s.get("base", "manifest")), undefined);
 * await rm(dir, { recursive: true });
 * ```
 * @module
 */
import { fileURLToPath } from "node:url";
import { isSegment } from "../../core/names/mod.ts";
import type { ArtifactSource, ItemKind, SourceEntry, SourceItem } from "../../core/manifest/source.ts";
import { targetUrl } from "../../core/trust/target_paths.ts";
import type { FetchPolicy } from "../net/fetch.ts";
import { type Carrier, DirCarrier, HttpCarrier } from "./_carriers.ts";

interface IndexEntry {
  id: string;
  kind: ItemKind;
  length: number;
  url: string;
}

const MAX_META = 32 * 1024 * 1024;

function json(bytes: Uint8Array | undefined): Record<string, unknown> | undefined {
  if (!bytes) return undefined;
  try {
    const v = JSON.parse(new TextDecoder().decode(bytes));
    return typeof v === "object" && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}

function metaVersion(doc: Record<string, unknown> | undefined, name: string): number | undefined {
  const v = (doc?.signed as { meta?: Record<string, { version?: unknown }> } | undefined)?.meta?.[name]
    ?.version;
  return Number.isSafeInteger(v) && (v as number) > 0 ? (v as number) : undefined;
}

/** The repository's target index (unverified, see the module doc), or `undefined` for a bundle. */
async function readIndex(carrier: Carrier): Promise<Map<string, IndexEntry> | undefined> {
  const ts = json(await carrier.bytes("tuf/timestamp.json", MAX_META));
  if (!ts) return undefined;
  const snapV = metaVersion(ts, "snapshot.json");
  const snap = json(await carrier.bytes(`tuf/${snapV}.snapshot.json`, MAX_META));
  const targetsV = metaVersion(snap, "targets.json");
  const targets = json(await carrier.bytes(`tuf/${targetsV}.targets.json`, MAX_META));
  const entries = (targets?.signed as { targets?: Record<string, Record<string, unknown>> } | undefined)
    ?.targets;
  if (!entries) throw new Error(`Cannot read repository index in ${carrier.name}: no targets metadata`);
  const index = new Map<string, IndexEntry>();
  for (const [path, e] of Object.entries(entries)) {
    const m = /^manifests\/([^/]+)\.json$/.exec(path) ?? /^artifacts\/([^/]+)$/.exec(path);
    const sha256 = (e.hashes as { sha256?: unknown } | undefined)?.sha256;
    if (!m || !isSegment(m[1]) || typeof sha256 !== "string" || !Number.isSafeInteger(e.length)) {
      continue;
    }
    let url: string;
    try {
      url = targetUrl(path, sha256);
    } catch {
      continue;
    }
    const kind: ItemKind = path.startsWith("manifests/") ? "manifest" : "artifact";
    index.set(`${kind}\0${m[1]}`, { id: m[1]!, kind, length: e.length as number, url });
  }
  return index;
}

const bundlePath = (
  id: string,
  kind: ItemKind,
) => (kind === "manifest" ? `manifests/${id}.json` : `artifacts/${id}`);

/**
 * A source on the device: an `ArtifactSource` that keeps what it threw. The install builder tries the next
 * source when one throws and counts what none holds as missing; a report tells "missing" from "a source
 * could not be read" (unreachable: try later) with {@linkcode DeviceSource.failures}.
 */
export interface DeviceSource extends ArtifactSource {
  /** The errors this source threw (its index, a lookup, a read), oldest first; the first 8 only. */
  readonly failures: readonly unknown[];
}

const MAX_FAILURES = 8;

/** A source over a carrier, in either layout. */
class CarrierSource implements DeviceSource {
  readonly name: string;
  #carrier: Carrier;
  #installed: boolean;
  #index?: Promise<Map<string, IndexEntry> | undefined>;
  #failures: unknown[] = [];

  get failures(): readonly unknown[] {
    return this.#failures;
  }

  /** Runs `task`, remembering what it throws. */
  async #noting<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } catch (error) {
      if (this.#failures.length < MAX_FAILURES) this.#failures.push(error);
      throw error;
    }
  }

  constructor(carrier: Carrier, options: { installed?: boolean; name?: string; bundleOnly?: boolean }) {
    this.#carrier = carrier;
    this.#installed = options.installed ?? false;
    this.name = options.name ?? carrier.name;
    if (options.bundleOnly) this.#index = Promise.resolve(undefined);
  }

  #layout(): Promise<Map<string, IndexEntry> | undefined> {
    this.#index ??= readIndex(this.#carrier);
    // a failed index read is retried on the next call (the network may come back)
    this.#index.catch(() => (this.#index = undefined));
    return this.#index;
  }

  list(): Promise<SourceEntry[]> {
    return this.#noting(() => this.#list());
  }

  async #list(): Promise<SourceEntry[]> {
    const index = await this.#layout();
    if (index) return [...index.values()].map(({ id, kind, length }) => ({ id, kind, size: length }));
    const out: SourceEntry[] = [];
    for (const f of (await this.#carrier.list("manifests")) ?? []) {
      const id = f.name.replace(/\.json$/, "");
      if (f.name.endsWith(".json") && isSegment(id)) out.push({ id, kind: "manifest", size: f.size });
    }
    for (const f of (await this.#carrier.list("artifacts")) ?? []) {
      if (isSegment(f.name)) out.push({ id: f.name, kind: "artifact", size: f.size });
    }
    return out;
  }

  get(id: string, kind: ItemKind): Promise<SourceItem | undefined> {
    return this.#noting(() => this.#get(id, kind));
  }

  async #get(id: string, kind: ItemKind): Promise<SourceItem | undefined> {
    if (!isSegment(id)) return undefined;
    const index = await this.#layout();
    let rel: string;
    let size: number | undefined;
    if (index) {
      const e = index.get(`${kind}\0${id}`);
      if (!e) return undefined;
      rel = e.url;
      size = e.length;
    } else {
      rel = bundlePath(id, kind);
      size = await this.#carrier.size(rel);
      if (size === undefined) return undefined;
    }
    const carrier = this.#carrier;
    return {
      id,
      kind,
      size,
      source: this.name,
      installed: this.#installed,
      readRange: (offset, length) => this.#noting(() => carrier.range(rel, offset, length)),
      open: (options) => this.#noting(() => carrier.stream(rel, options?.signal)),
    };
  }
}

/** A directory or USB mount (bundle or repository layout). */
export class DirectorySource extends CarrierSource {
  /** `dir`: the directory (or a `file://` URL). */
  constructor(dir: string, options: { name?: string } = {}) {
    super(new DirCarrier(dir.startsWith("file:") ? fileURLToPath(dir) : dir), options);
  }
}

/** An HTTP(S) base URL (bundle or repository layout; a bundle over HTTP cannot be listed). */
export class HttpSource extends CarrierSource {
  constructor(base: URL | string, options: FetchPolicy & { name?: string } = {}) {
    super(new HttpCarrier(new URL(base), options), { name: options.name });
  }
}

/**
 * What is installed on the device: the bundle layout of an install dir (`manifests/`, `artifacts/`), every
 * item marked `installed` so the installer does not fetch it again.
 */
export class InstalledSource extends CarrierSource {
  constructor(installDir: string) {
    super(new DirCarrier(installDir), { installed: true, name: `installed:${installDir}`, bundleOnly: true });
  }
}

/**
 * A source from a command-line `--source` value: `http(s)://…` or a directory path / `file://` URL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openSource } from "./sources.ts";
 * assert.equal(openSource("http://127.0.0.1:1/repo").name, "http://127.0.0.1:1/repo/");
 * ```
 */
export function openSource(spec: string, options: FetchPolicy = {}): DeviceSource {
  if (/^https?:\/\//i.test(spec)) return new HttpSource(spec, options);
  if (spec === "") throw new TypeError("Cannot open source: empty path");
  return new DirectorySource(spec);
}
