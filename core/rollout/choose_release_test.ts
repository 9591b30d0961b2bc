import assert from "node:assert/strict";
import { chooseRelease } from "./choose_release.ts";
import { createRollout, type Rollout } from "./rollout.ts";
import { rolloutBucket } from "./rollout_bucket.ts";

const PUBLISHED = new Date("2026-03-01T12:00:00Z");
const NOW = new Date("2026-03-01T13:00:00Z");
const at5 = (id: string): Rollout => createRollout({ id, publishedAt: PUBLISHED, steps: "5,100@72h" });
const everyone = (id: string): Rollout => createRollout({ id, publishedAt: PUBLISHED, steps: "100" });
/** A device outside the first 5% of every rollout named. */
const late = (...ids: string[]) =>
  Array.from({ length: 1000 }, (_, i) => `d_${i}`).find((d) => ids.every((id) => rolloutBucket(id, d) >= 5))!;

Deno.test("chooseRelease() takes the newest release whose rollout includes the device", () => {
  const device = late("r3");
  const candidates = [
    { serial: 3, rollout: at5("r3") },
    { serial: 2, rollout: everyone("r2") },
    { serial: 1 },
  ];
  const choice = chooseRelease(candidates, { deviceId: device, now: NOW });
  assert.equal(choice.chosen?.serial, 2, "not left waiting because the newest is at 5%");
  assert.equal(choice.decision?.rolloutId, "r2");
  assert.deepEqual(choice.skipped.map((s) => [s.candidate.serial, s.withdrawn, s.decision.included]), [[
    3,
    false,
    false,
  ]]);
  const canary = chooseRelease(candidates, { deviceId: device, now: NOW, cohort: "canary" });
  assert.equal(canary.chosen?.serial, 3);
  assert.equal(
    chooseRelease(candidates, { deviceId: device, now: new Date("2026-03-04T12:00:00Z") }).chosen?.serial,
    3,
  );
});

Deno.test("chooseRelease() gives every device a release without a rollout, and nothing when none includes it", () => {
  const device = late("r2", "r1");
  assert.equal(
    chooseRelease([{ serial: 2 }, { serial: 1 }], { deviceId: device, now: NOW }).chosen?.serial,
    2,
  );
  const none = chooseRelease([{ serial: 2, rollout: at5("r2") }, { serial: 1, rollout: at5("r1") }], {
    deviceId: device,
    now: NOW,
  });
  assert.equal(none.chosen, undefined);
  assert.equal(none.decision, undefined);
  assert.equal(none.skipped.length, 2);
  assert.equal(chooseRelease([], { deviceId: device, now: NOW }).chosen, undefined);
});

Deno.test("chooseRelease() keeps the release the device runs, never reaching past it to an older one", () => {
  const device = late("r3");
  const candidates = [{ serial: 3, rollout: at5("r3"), current: true }, {
    serial: 2,
    rollout: everyone("r2"),
  }];
  const kept = chooseRelease(candidates, {
    deviceId: device,
    now: NOW,
    holds: { r3: { cap: 0, state: "halted" } },
  });
  assert.equal(kept.chosen?.serial, 3, "withdrawn, yet installed: no downgrade");
  assert.equal(kept.decision?.included, false);
  const newer = chooseRelease([{ serial: 4 }, ...candidates], { deviceId: device, now: NOW });
  assert.equal(newer.chosen?.serial, 4);
});

Deno.test("chooseRelease() skips a withdrawn release (halted, cap 0) and lets the edge's caps hold back", () => {
  const candidates = [{ serial: 3, rollout: everyone("r3") }, { serial: 2, rollout: everyone("r2") }, {
    serial: 1,
  }];
  const withdrawn = chooseRelease(candidates, {
    deviceId: "d_1",
    now: NOW,
    cohort: "canary",
    holds: { r3: { cap: 0, state: "halted" } },
  });
  assert.equal(withdrawn.chosen?.serial, 2);
  assert.deepEqual(withdrawn.skipped.map((s) => s.withdrawn), [true]);
  const paused = chooseRelease(candidates, {
    deviceId: "d_1",
    now: NOW,
    holds: { r3: { cap: 0, state: "paused" }, r2: { cap: 0, state: "halted" } },
  });
  assert.equal(paused.chosen?.serial, 1);
  assert.deepEqual(paused.skipped.map((s) => [s.candidate.serial, s.withdrawn]), [[3, false], [2, true]]);
  const ignored = chooseRelease(candidates, {
    deviceId: "d_1",
    now: NOW,
    holds: JSON.parse('{"toString": {"cap": 0}}'),
  });
  assert.equal(ignored.chosen?.serial, 3, "holds are looked up by own keys only");
  const uncapped = chooseRelease(candidates, {
    deviceId: "d_1",
    now: NOW,
    holds: { r3: { cap: null, state: "running" } },
  });
  assert.equal(uncapped.chosen?.serial, 3);
  assert.equal(uncapped.decision?.cap, null);
});
