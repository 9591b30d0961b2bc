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
import { setAbilities } from "../core/abilities.ts";
import { nodeAbilities } from "../core/node.ts";
import { createApp } from "./app.ts";
import { FsStorage } from "./storage/fs_storage.ts";
import { SqliteFleetStore } from "./fleet/sqlite_fleet_store.ts";
import { firstStartNotice, prepareData } from "./_prepare_data.ts";
import { RequestLog } from "./_request_log.ts";
import { configFromEnv } from "./_env_config.ts";

setAbilities(nodeAbilities);
const env = Deno.env.toObject();
// absolute, so that the paths the first-start notice prints work from any directory
const storage = new FsStorage(resolve(env.DROVER_DATA || "./.data"));
const { keys, created } = await prepareData(storage);
const fleet = await SqliteFleetStore.open(join(storage.root, "fleet.sqlite"));
const app = createApp({ storage, keys, fleet, config: { ...configFromEnv(env), reuseResponses: true } });
const encoder = new TextEncoder();
const log = new RequestLog((text) => void Deno.stderr.writeSync(encoder.encode(text)));
const server = Deno.serve({
  hostname: env.HOST || "127.0.0.1",
  port: Number(env.PORT || 8787),
  onListen({ hostname, port }) {
    const url = `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
    console.error(`Drover edge listening on ${url}/ (data: ${storage.root})`);
    if (created) console.error(firstStartNotice(storage.root, url));
  },
}, log.wrap(app.fetch));
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
