import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RolloutHold } from "../../core/rollout/mod.ts";
import { writeEnrollment } from "../fleet/enrollment.ts";
import { fleetPaths } from "../fleet/fleet_paths.ts";
import { openRolloutContext } from "./rollout_context.ts";
import { writeRolloutHolds } from "./rollout_holds_file.ts";
import { rolloutPaths } from "./rollout_paths.ts";

const DEVICE = "d_" + "1".repeat(32);
const HELD: Record<string, RolloutHold> = { "acme:radio:main:2:bbbbbbb": { cap: 0, state: "halted" } };

async function withWorkspace(
  fn: (
    o: {
      ws: string;
      io: { stdout(): void; stderr(t: string): void; env: Record<string, string>; stderrIsTTY: false };
      err: string[];
    },
  ) => Promise<void>,
  options: { labels?: Record<string, string>; enrolled?: boolean } = {},
): Promise<void> {
  const ws = await mkdtemp(join(tmpdir(), "rollout-context-test-"));
  const err: string[] = [];
  try {
    if (options.enrolled ?? true) {
      await mkdir(fleetPaths(ws).identity, { recursive: true });
      await writeEnrollment(fleetPaths(ws).enrollment, {
        version: 1,
        deviceId: DEVICE,
        api: "https://edge.example/",
        state: "accepted",
        labels: options.labels ?? {},
        at: new Date().toISOString(),
      });
    }
    const io = { stdout() {}, stderr: (t: string) => void err.push(t), env: {}, stderrIsTTY: false as const };
    await fn({ ws, io, err });
  } finally {
    await rm(ws, { recursive: true, force: true });
  }
}

Deno.test("openRolloutContext(): an enrolled device buckets by its device id and decides with a fresh check-in", async () => {
  await withWorkspace(async ({ ws, io, err }) => {
    let calls = 0;
    const ctx = await openRolloutContext(ws, { io, checkIn: () => (calls++, Promise.resolve(HELD)) });
    assert.deepEqual([ctx.deviceId, ctx.idSource, ctx.holdsFrom, calls], [DEVICE, "enrollment", "edge", 1]);
    assert.deepEqual(ctx.holds, HELD);
    assert.equal(ctx.cohort, undefined);
    assert.deepEqual(err, []);
  });
});

Deno.test("openRolloutContext(): a failed check-in falls back to the saved holds, else to none", async () => {
  await withWorkspace(async ({ ws, io }) => {
    const failed = () => Promise.resolve(undefined);
    const none = await openRolloutContext(ws, { io, checkIn: failed });
    assert.deepEqual([none.holdsFrom, { ...none.holds }], ["none", {}]);
    await writeRolloutHolds(ws, { deviceId: DEVICE, rollouts: HELD });
    const saved = await openRolloutContext(ws, { io, checkIn: failed });
    assert.deepEqual([saved.holdsFrom, { ...saved.holds }], ["saved", HELD]);
  });
  await withWorkspace(async ({ ws, io, err }) => {
    await mkdir(rolloutPaths(ws).dir, { recursive: true });
    await writeFile(rolloutPaths(ws).holds, "{");
    const damaged = await openRolloutContext(ws, { io });
    assert.equal(damaged.holdsFrom, "none");
    assert.match(
      err.join(""),
      /^drover: rollout: Cannot read rollout holds .*: not JSON; the signed percents alone apply\n$/,
    );
  });
});

Deno.test("openRolloutContext(): a device that is not enrolled uses its workspace id and never checks in", async () => {
  await withWorkspace(async ({ ws, io }) => {
    let calls = 0;
    const a = await openRolloutContext(ws, { io, checkIn: () => (calls++, Promise.resolve(HELD)) });
    const b = await openRolloutContext(ws, { io });
    assert.match(a.deviceId, /^r_[0-9a-f]{32}$/);
    assert.deepEqual([a.idSource, a.holdsFrom, calls], ["workspace", "none", 0]);
    assert.equal(b.deviceId, a.deviceId, "the same place run after run");
  }, { enrolled: false });
});

Deno.test("openRolloutContext(): the cohort is the option's, else the enrollment label cohort=canary", async () => {
  await withWorkspace(async ({ ws, io }) => {
    assert.equal((await openRolloutContext(ws, { io })).cohort, "canary");
    assert.equal((await openRolloutContext(ws, { io, cohort: "none" })).cohort, undefined);
  }, { labels: { cohort: "canary" } });
  await withWorkspace(async ({ ws, io }) => {
    assert.equal((await openRolloutContext(ws, { io })).cohort, undefined);
    assert.equal((await openRolloutContext(ws, { io, cohort: "canary" })).cohort, "canary");
  }, { labels: { cohort: "beta" } });
});

Deno.test("openRolloutContext(): a damaged enrollment is a warning; the device decides as one not enrolled", async () => {
  await withWorkspace(async ({ ws, io, err }) => {
    await writeFile(fleetPaths(ws).enrollment, "{}");
    const ctx = await openRolloutContext(ws, { io, checkIn: () => Promise.resolve(HELD) });
    assert.deepEqual([ctx.idSource, ctx.holdsFrom], ["workspace", "none"]);
    assert.match(
      err.join(""),
      /^drover: rollout: Cannot read enrollment .*; deciding as a device that is not enrolled\n$/,
    );
  });
});
