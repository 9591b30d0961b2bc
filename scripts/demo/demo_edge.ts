/**
 * The demo's edge, in this process: what `deno task start` does on first start (keys under
 * `<repo>/keys`, a development repository with the given content, the SQLite fleet in
 * `<repo>/fleet.sqlite`, the timestamp renewed every 10 minutes), served on 127.0.0.1 with
 * generated operator and enrolment tokens. Publishing goes through the repository directory
 * (`repo add-app`), which the edge re-reads every second. Device rate limits are raised: simulated
 * devices check in far more often than real ones.
 *
 * @example
 * ```ts ignore
 * import { startDemoEdge } from "./demo_edge.ts";
 * const edge = await startDemoEdge("/tmp/demo/repo", { port: 0, content: DEMO_CONTENT });
 * console.log(edge.url, edge.operatorToken);
 * await edge.close();
 * ```
 * @module
 */
import { join } from "node:path";
import { createApp } from "../../edge/app.ts";
import { createDevRepository, type DevContent, generateKeys } from "../../edge/dev_repository.ts";
import { SqliteFleetStore } from "../../edge/fleet/sqlite_fleet_store.ts";
import { writeKeys } from "../../edge/key_files.ts";
import { FsStorage } from "../../edge/storage/fs_storage.ts";

/** A running demo edge. */
export interface DemoEdge {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  operatorToken: string;
  enrollToken: string;
  /** The repository's first root metadata: the devices' anchor of trust. */
  trustedRoot: string;
  /** The keys directory (`repo add-app --keys`). */
  keysDir: string;
  /** Stops serving (in-flight requests finish), then closes the fleet database. */
  close(): Promise<void>;
}

/** Creates the repository in the empty directory `repoDir` and serves it on 127.0.0.1:`port`. */
export async function startDemoEdge(
  repoDir: string,
  options: { port: number; content: DevContent },
): Promise<DemoEdge> {
  const storage = new FsStorage(repoDir);
  const keys = await generateKeys();
  const keysDir = join(repoDir, "keys");
  await writeKeys(keysDir, keys);
  await createDevRepository(storage, { keys, content: options.content });
  const operatorToken = `operator-${randomHex(16)}`;
  const enrollToken = `enroll-${randomHex(16)}`;
  const fleet = await SqliteFleetStore.open(join(repoDir, "fleet.sqlite"));
  const app = createApp({
    storage,
    keys: { snapshot: keys.snapshot, timestamp: keys.timestamp },
    fleet,
    config: {
      operatorToken,
      enrollToken,
      deviceBurst: 200,
      deviceRatePerMinute: 1200,
      metadataTtlMs: 1000,
      reuseResponses: true,
    },
  });
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({ hostname: "127.0.0.1", port: options.port, onListen() {} }, app.fetch);
  } catch (error) {
    await fleet.close();
    if (error instanceof Deno.errors.AddrInUse) {
      throw new Error(
        `Cannot start the edge: 127.0.0.1:${options.port} is in use (choose another port with --port or PORT)`,
        { cause: error },
      );
    }
    throw new Error(`Cannot start the edge on 127.0.0.1:${options.port}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const renewal = setInterval(
    () => app.renewTimestamp().catch((e) => console.error(`Cannot renew timestamp: ${e?.message}`)),
    600_000,
  );
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    operatorToken,
    enrollToken,
    trustedRoot: join(repoDir, "tuf", "1.root.json"),
    keysDir,
    close() {
      closed ??= (async () => {
        clearInterval(renewal);
        await server.shutdown();
        await fleet.close();
      })();
      return closed;
    },
  };
}

function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
}
