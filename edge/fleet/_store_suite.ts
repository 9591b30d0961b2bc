/**
 * The FleetStore test suite, written once and run against every backend: SQLite
 * (`sqlite_fleet_store_test.ts`) and D1 in miniflare (`d1_fleet_store_test.ts`). Each case gets a
 * fresh, empty database from the backend's `StoreTarget`.
 * @module
 */
import type { StoreTarget } from "./_store_fixtures.ts";
import { DEVICE_CASES } from "./_store_cases_devices.ts";
import { FLEET_CASES } from "./_store_cases_fleet.ts";
import { LIMIT_CASES } from "./_store_cases_limits.ts";
import { ROLLOUT_CASES } from "./_store_cases_rollouts.ts";
import { ROLLOUT_SYNC_CASES } from "./_store_cases_rollout_sync.ts";

export type { FreshDatabase, StoreTarget } from "./_store_fixtures.ts";

const CASES = [...DEVICE_CASES, ...FLEET_CASES, ...LIMIT_CASES, ...ROLLOUT_CASES, ...ROLLOUT_SYNC_CASES];

/** Registers every case as a step of `t`, each on a fresh database of `target`. */
export async function runStoreSuite(t: Deno.TestContext, target: StoreTarget): Promise<void> {
  for (const c of CASES) {
    await t.step(c.name, async () => {
      const db = await target.fresh();
      const store = await db.open();
      try {
        await c.run(store, db);
      } finally {
        await store.close();
      }
    });
  }
}
