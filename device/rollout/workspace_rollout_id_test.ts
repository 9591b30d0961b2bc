import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rolloutPaths } from "./rollout_paths.ts";
import { WORKSPACE_ROLLOUT_ID, workspaceRolloutId } from "./workspace_rollout_id.ts";

async function withWorkspace(fn: (ws: string) => Promise<void>): Promise<void> {
  const ws = await mkdtemp(join(tmpdir(), "rollout-id-test-"));
  try {
    await fn(ws);
  } finally {
    await rm(ws, { recursive: true, force: true });
  }
}

Deno.test("workspaceRolloutId() creates the id once; creators racing end up with the same one", async () => {
  await withWorkspace(async (ws) => {
    const all = await Promise.all(Array.from({ length: 8 }, () => workspaceRolloutId(ws)));
    const ids = new Set(all.map((r) => r.id));
    assert.equal(ids.size, 1, "one id for the workspace");
    assert.equal(all.filter((r) => r.created).length, 1, "created by exactly one");
    const [id] = ids;
    assert.match(id!, WORKSPACE_ROLLOUT_ID);
    assert.equal(await readFile(rolloutPaths(ws).deviceId, "utf8"), `${id}\n`);
    assert.deepEqual(await workspaceRolloutId(ws), { id, created: false });
  });
});

Deno.test("workspaceRolloutId() draws a fresh random id per workspace", async () => {
  const ids = new Set<string>();
  for (let i = 0; i < 5; i++) {
    await withWorkspace(async (ws) => void ids.add((await workspaceRolloutId(ws)).id));
  }
  assert.equal(ids.size, 5);
});

Deno.test("workspaceRolloutId() replaces a damaged id file, and says so", async () => {
  await withWorkspace(async (ws) => {
    const first = await workspaceRolloutId(ws);
    await writeFile(rolloutPaths(ws).deviceId, "not an id\n");
    const told: string[] = [];
    const next = await workspaceRolloutId(ws, { onReplaced: (t) => told.push(t) });
    assert.equal(next.created, true);
    assert.notEqual(next.id, first.id);
    assert.match(
      told.join(""),
      /^Cannot use rollout id .*device-id: not an r_<32 hex> id; a new one replaces it$/,
    );
    assert.equal((await workspaceRolloutId(ws)).id, next.id);
  });
});
