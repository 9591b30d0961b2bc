/**
 * Trusted TUF metadata on the device: a `MetadataStore` on `<workspace>/tuf/` (atomic writes; the
 * four top-level roles and `<role>.json` of each delegated targets role),
 * the provisioned root (`--trusted-root FILE`, env `DROVER_TRUSTED_ROOT`, else
 * `<workspace>/tuf/root.json`), and {@linkcode openRepository}, which runs core's TUF client
 * workflow against a repository URL (http(s) or file://).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { FsMetadataStore } from "./trust_store.ts";
 * const dir = await mkdtemp(join(tmpdir(), "tuf-"));
 * const store = new FsMetadataStore(dir);
 * await store.write("timestamp.json", new TextEncoder().encode("{}"));
 * assert.equal((await store.read("timestamp.json"))?.length, 2);
 * await rm(dir, { recursive: true });
 * ```
 * @module
 */
import { mkdir, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { TrustError } from "../../core/errors.ts";
import { joinUrl } from "../../core/url/mod.ts";
import {
  decodeMetadata,
  isDelegatedRoleName,
  type MetadataStore,
  refreshTrust,
  type RootKeys,
  type TrustedRepository,
  verifyEnvelope,
} from "../../core/trust/mod.ts";
import { writeFileAtomic } from "../fs/atomic_file.ts";
import { fetchBytes, type FetchPolicy } from "./fetch.ts";

const NAMES = new Set(["root.json", "timestamp.json", "snapshot.json", "targets.json"]);

/** The four top-level files, or `<role>.json` of a delegated role whose name is safe (core/trust role_name.ts). */
function checkName(name: string): string {
  if (!NAMES.has(name) && !(name.endsWith(".json") && isDelegatedRoleName(name.slice(0, -5)))) {
    throw new TypeError(`Cannot use metadata name '${name}'`);
  }
  return name;
}

/** A `MetadataStore` on a directory; writes are atomic (temp, fsync, rename). */
export class FsMetadataStore implements MetadataStore {
  #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** The bytes of `name`, or `undefined` if absent. */
  async read(name: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(join(this.#dir, checkName(name))));
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return undefined;
      throw error;
    }
  }

  /** Replaces `name` atomically. */
  async write(name: string, bytes: Uint8Array): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    await writeFileAtomic(join(this.#dir, checkName(name)), bytes);
  }

  /** Removes `name` (idempotent). */
  async remove(name: string): Promise<void> {
    await unlink(join(this.#dir, checkName(name))).catch((e) => {
      if (e.code !== "ENOENT") throw e;
    });
  }
}

/**
 * How to provision a root, for error messages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { provisioningHint } from "./trust_store.ts";
 * assert.ok(provisioningHint("/var/lib/drover/tuf").includes("/var/lib/drover/tuf/root.json"));
 * ```
 */
export function provisioningHint(tufDir: string): string {
  return `provision a trusted root: cp <repo>/tuf/1.root.json ${join(tufDir, "root.json")} ` +
    `(or pass --trusted-root FILE, env DROVER_TRUSTED_ROOT)`;
}

/**
 * The bytes of a provisioned root file: readable, root metadata, and signed by the threshold of its own
 * root keys. Checked even when the workspace already trusts a newer root (which the refresh then uses):
 * a `--trusted-root` that is not a root is a mistake to say, never one to pass over. `TrustError` (exit 3).
 */
async function readTrustedRoot(file: string, tufDir: string): Promise<Uint8Array> {
  const refuse = (detail: string, cause: unknown) =>
    new TrustError(`Cannot read trusted root ${file}: ${detail}; ${provisioningHint(tufDir)}`, { cause });
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (error) {
    throw refuse((error as Error).message, error);
  }
  let env;
  try {
    env = decodeMetadata(bytes);
  } catch (error) {
    throw refuse(`not TUF metadata (${(error as Error).message.replace(/\s+/g, " ").trim()})`, error);
  }
  if (env.signed._type !== "root") {
    throw refuse(`not root metadata (_type ${JSON.stringify(env.signed._type ?? null)})`, undefined);
  }
  try {
    await verifyEnvelope(env, env.signed as unknown as RootKeys, "root", { label: "root" });
  } catch (error) {
    const detail = (error as Error).message.replace(/^Cannot verify root: /, "");
    throw refuse(`not signed by its own root keys (${detail})`, error);
  }
  return bytes;
}

/**
 * Refreshes trust from the repository at `api` with the metadata kept in `tufDir` and returns
 * the verified repository. `TrustError` (exit 3) when no trusted root is provisioned or the
 * metadata does not verify; `TransientError` when the repository cannot be reached.
 *
 * @example
 * ```ts ignore
 * import { openRepository } from "./trust_store.ts";
 * const repo = await openRepository(new URL("http://127.0.0.1:8787/"), "/var/lib/drover/tuf", {
 *   trustedRoot: "/etc/drover/root.json",
 * });
 * console.log(repo.findApp("acme/radio", "main"));
 * ```
 */
export async function openRepository(
  api: URL,
  tufDir: string,
  options: FetchPolicy & { trustedRoot?: string; now?: Date } = {},
): Promise<TrustedRepository> {
  const store = new FsMetadataStore(tufDir);
  let trustedRoot: Uint8Array | undefined;
  if (options.trustedRoot) {
    trustedRoot = await readTrustedRoot(options.trustedRoot, tufDir);
  } else if (!(await store.read("root.json"))) {
    throw new TrustError(`Cannot refresh trust: no trusted root; ${provisioningHint(tufDir)}`);
  }
  return await refreshTrust({
    store,
    trustedRoot,
    now: options.now,
    fetch: (path, maxLength) => {
      if (!/^tuf\/[A-Za-z0-9._-]+\.json$/.test(path)) {
        throw new TrustError(`Cannot fetch metadata: unexpected path ${path}`);
      }
      return fetchBytes(joinUrl(api, path), { ...options, maxLength });
    },
  });
}
