/**
 * Deno entry (`deno task start`): serves the repository in `DROVER_DATA` (default `./.data`) on
 * `HOST`:`PORT` (default 127.0.0.1:8787); `DROVER_TOKEN` enables publishing; `DROVER_PUBLIC_URL`
 * sets the base of absolute links (more settings: `_env_config.ts`). The fleet database is
 * `DROVER_DATA/fleet.sqlite` (SQLite, WAL; migrations applied on open); reports older than
 * `DROVER_REPORT_RETENTION_DAYS` (default 90) are pruned at start and every hour; running rollouts
 * are judged by their halt rule every 5 minutes (`DROVER_ROLLOUT_TIMEOUT_MINUTES`: silence that counts
 * as a failure). One log line per
 * request on stderr. SIGINT/SIGTERM: in-flight requests finish, then the database is closed.
 * @module
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setAbilities } from "../core/abilities.ts";
import { nodeAbilities } from "../core/node.ts";
import { createApp } from "./app.ts";
import { FsStorage } from "./storage/fs_storage.ts";
import { SqliteFleetStore } from "./fleet/sqlite_fleet_store.ts";
import { firstStartNotice, prepareData } from "./_prepare_data.ts";
import { RequestLog } from "./_request_log.ts";
import { configFromEnv } from "./_env_config.ts";
import { resolveConfig } from "./_config.ts";

/** The Drover checkout this entry runs from. */
const PROJECT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");

/** How to run Deno as it was run here: Deno from npm (`npx -y deno@…`) or an installed `deno`. */
function denoCommand(): string {
  return Deno.execPath().includes("/node_modules/") ? `npx -y deno@${Deno.version.deno}` : "deno";
}

/** A failed start (a bad setting, the port in use, data that cannot be written): one line, exit 1. */
function failStart(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  console.error(message.startsWith("Cannot ") ? message : `Cannot start the Drover edge: ${message}`);
  Deno.exit(1);
}

/** The port in `PORT` (default 8787); `RangeError` for anything else than 0 to 65535. */
function portOf(value: string | undefined): number {
  const port = Number(value || 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`PORT='${value}' is not a port number (0 to 65535)`);
  }
  return port;
}

/** `Deno.serve`, a port in use named in one line (as the demo does). */
function listen(
  options: Deno.ServeTcpOptions & { hostname: string; port: number },
  handler: Deno.ServeHandler,
) {
  try {
    return Deno.serve(options, handler);
  } catch (error) {
    if (!(error instanceof Deno.errors.AddrInUse)) throw error;
    const host = options.hostname.includes(":") ? `[${options.hostname}]` : options.hostname;
    throw new Deno.errors.AddrInUse(
      `Cannot start the Drover edge: ${host}:${options.port} is in use (choose another port with PORT)`,
      { cause: error },
    );
  }
}

setAbilities(nodeAbilities);
const env = Deno.env.toObject();
const encoder = new TextEncoder();
const log = new RequestLog((text) => void Deno.stderr.writeSync(encoder.encode(text)));
const { fleet, app, server } = await (async () => {
  const config = { ...configFromEnv(env), reuseResponses: true };
  resolveConfig(config); // settings are checked before anything is created
  const port = portOf(env.PORT);
  // absolute, so that the paths the first-start notice prints work from any directory
  const storage = new FsStorage(resolve(env.DROVER_DATA || "./.data"));
  const { keys, created } = await prepareData(storage);
  const fleet = await SqliteFleetStore.open(join(storage.root, "fleet.sqlite"));
  const app = createApp({ storage, keys, fleet, config });
  const hostname = env.HOST || "127.0.0.1";
  const server = listen({
    hostname,
    port,
    onListen({ hostname, port }) {
      const url = `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
      console.error(`Drover edge listening on ${url}/ (data: ${storage.root})`);
      if (created) {
        console.error(firstStartNotice(storage.root, url, { project: PROJECT, deno: denoCommand() }));
      }
    },
  }, log.wrap(app.fetch));
  return { fleet, app, server };
})().catch(failStart);
const renewal = setInterval(
  () => app.renewTimestamp().catch((e) => console.error(`Cannot renew timestamp: ${e?.message}`)),
  600_000,
);
let pruned: Promise<unknown> = Promise.resolve();
const prune = () => {
  pruned = pruned.then(() => app.pruneReports())
    .catch((e) => console.error(`Cannot prune fleet reports: ${e?.message}`));
};
const pruning = setInterval(prune, 3600_000);
prune();
// running rollouts are judged after every report batch; this catches devices that went silent
let checked: Promise<unknown> = Promise.resolve();
const rollouts = setInterval(() => {
  checked = checked.then(() => app.checkRollouts())
    .catch((e) => console.error(`Cannot check rollouts: ${e?.message}`));
}, 300_000);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    clearInterval(renewal);
    clearInterval(pruning);
    clearInterval(rollouts);
    log.flush(); // the last lines, then a graceful stop (in-flight requests finish)
    server.shutdown().finally(async () => {
      log.flush();
      await pruned;
      await checked;
      await fleet.close();
    });
  });
}
