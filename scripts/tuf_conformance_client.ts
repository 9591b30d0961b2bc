/**
 * The client-under-test CLI of the tuf-conformance suite (its CLIENT-CLI.md), on core/trust:
 *
 * ```
 * tuf_conformance_client --metadata-dir DIR init TRUSTED_ROOT
 * tuf_conformance_client --metadata-dir DIR --metadata-url URL refresh
 * tuf_conformance_client --metadata-dir DIR --metadata-url URL --target-name PATH [--target-name PATH …]
 *                        --target-base-url URL --target-dir DIR download
 * ```
 *
 * `init` only copies the trusted root to `DIR/root.json` (no request); `refresh` runs the TUF client
 * workflow (`refreshTrust`) and keeps trusted metadata in DIR under unversioned names; `download`
 * refreshes, then fetches each target (in order; the first failure stops) from
 * `--target-base-url`, verifies length and hashes and stores it in `--target-dir` under its
 * URL-encoded path, not fetching again a target already stored with matching hashes.
 * Exit code 0 on success, 1 on any failure (the message on stderr).
 *
 * @example
 * ```sh
 * deno run -A scripts/tuf_conformance_client.ts --metadata-dir /tmp/md init ./root.json
 * ```
 * @module
 */
import { mkdir, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { setAbilities } from "../core/abilities.ts";
import { nodeAbilities } from "../core/node.ts";
import {
  type MetadataStore,
  refreshTrust,
  type TrustedRepository,
  verifyTargetBytes,
} from "../core/trust/mod.ts";
import { writeFileAtomic } from "../device/fs/atomic_file.ts";

/** Where the CLI writes. */
export interface ConformanceIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Run the client on `argv` (without the program name); resolves to the exit code (0 or 1). */
export async function runConformanceClient(argv: string[], io: ConformanceIO): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        "metadata-dir": { type: "string" },
        "metadata-url": { type: "string" },
        "target-name": { type: "string", multiple: true },
        "target-base-url": { type: "string" },
        "target-dir": { type: "string" },
        verbose: { type: "boolean", short: "v", multiple: true },
      },
    });
    const need = (name: keyof typeof values): string => {
      const v = values[name];
      if (typeof v !== "string" || v === "") throw new Error(`Cannot run: --${name} is required`);
      return v;
    };
    const [command, ...rest] = positionals;
    const store = new DirStore(need("metadata-dir"));
    if (command === "init" && rest.length === 1) {
      await store.write("root.json", new Uint8Array(await readFile(rest[0]!)));
      io.stdout(`initialised ${need("metadata-dir")}\n`);
    } else if (command === "refresh" && rest.length === 0) {
      const repo = await refresh(store, need("metadata-url"));
      io.stdout(`refreshed: ${JSON.stringify(repo.versions)}\n`);
    } else if (command === "download" && rest.length === 0) {
      const names = values["target-name"] ?? [];
      if (names.length === 0) throw new Error("Cannot run: --target-name is required");
      const base = need("target-base-url");
      const dir = need("target-dir");
      const repo = await refresh(store, need("metadata-url"));
      for (const name of names) io.stdout(`${await download(repo, name, { base, dir })}\n`);
    } else {
      throw new Error(
        `Cannot run: expected 'init TRUSTED_ROOT', 'refresh' or 'download', got '${positionals.join(" ")}'`,
      );
    }
    return 0;
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

/** Trusted metadata in a directory, under unversioned names (`root.json`, `<role>.json`). */
class DirStore implements MetadataStore {
  #dir: string;
  constructor(dir: string) {
    this.#dir = dir;
  }
  async read(name: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.#path(name)));
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return undefined;
      throw error;
    }
  }
  async write(name: string, bytes: Uint8Array): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    await writeFileAtomic(this.#path(name), bytes);
  }
  async remove(name: string): Promise<void> {
    await unlink(this.#path(name)).catch((e) => {
      if (e.code !== "ENOENT") throw e;
    });
  }
  #path(name: string): string {
    return join(this.#dir, encodeURIComponent(name));
  }
}

function refresh(store: DirStore, metadataUrl: string): Promise<TrustedRepository> {
  return refreshTrust({
    store,
    // core asks for repository paths ("tuf/2.root.json"); --metadata-url is that tuf/ directory
    fetch: (path, maxLength) => get(join2(metadataUrl, path.replace(/^tuf\//, "")), maxLength),
  });
}

async function download(
  repo: TrustedRepository,
  name: string,
  options: { base: string; dir: string },
): Promise<string> {
  const target = repo.targets.get(name);
  if (!target) throw new Error(`Cannot download ${name}: not a target this client can verify`);
  const file = join(options.dir, encodeURIComponent(name));
  const cached = await readFile(file).catch(() => undefined);
  if (cached) {
    try {
      verifyTargetBytes(target, cached);
      return `${name}: cached ${file}`;
    } catch {
      // changed since: fetch it again
    }
  }
  const rel = target.url.replace(/^targets\//, "");
  const bytes = await get(join2(options.base, rel), target.length);
  if (!bytes) throw new Error(`Cannot download ${name}: ${rel} not found`);
  verifyTargetBytes(target, bytes);
  await mkdir(options.dir, { recursive: true });
  await writeFileAtomic(file, bytes);
  return `${name}: ${file}`;
}

function join2(base: string, rel: string): string {
  return `${base.replace(/\/+$/, "")}/${rel.split("/").map(encodeURIComponent).join("/")}`;
}

/** GET `url`, reading at most `maxLength` bytes (one more is an error); `undefined` for 404. */
async function get(url: string, maxLength: number): Promise<Uint8Array | undefined> {
  const res = await fetch(url);
  if (res.status === 404 || res.status === 403) {
    await res.body?.cancel();
    return undefined;
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new Error(`Cannot fetch ${url}: HTTP ${res.status}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.length;
    // leaving the loop cancels the body
    if (size > maxLength) throw new Error(`Cannot fetch ${url}: more than ${maxLength} bytes`);
    chunks.push(chunk);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) out.set(c, (at += c.length) - c.length);
  return out;
}

if (import.meta.main) {
  setAbilities(nodeAbilities);
  process.exitCode = await runConformanceClient(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
