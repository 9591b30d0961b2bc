import assert from "node:assert/strict";
import { Miniflare } from "miniflare";
import { type D1Database, D1FleetStore } from "./d1_fleet_store.ts";
import { runStoreSuite } from "./_store_suite.ts";

const DATABASES = 26;

Deno.test("FleetStore suite on Cloudflare D1 (miniflare, a database per case)", async (t) => {
  const names = Array.from({ length: DATABASES }, (_, i) => `DB${i}`);
  const mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response('') } }",
    d1Databases: names,
  });
  try {
    let next = 0;
    await runStoreSuite(t, {
      async fresh() {
        const name = names[next++];
        assert.ok(name, `more than ${DATABASES} cases: raise DATABASES`);
        const db = await mf.getD1Database(name) as unknown as D1Database;
        return {
          open: () => D1FleetStore.open(db),
          sql: async (sql, params = []) => {
            const statement = db.prepare(sql);
            return (await (params.length > 0 ? statement.bind(...params) : statement).all()).results;
          },
        };
      },
    });
  } finally {
    await mf.dispose();
  }
});
