/**
 * What the demo publishes, and when (by update round): `drover/hello` 1.0.0 comes with the
 * repository; 1.1.0 before round 3, whose health check fails on board rev-a (a fifth of the
 * devices roll back); 1.2.0 before round 7, the fix, as a signed staged rollout (25% of the devices
 * at once, half after an hour, everyone after two: signed steps are whole hours); then from round
 * 20, every 12 rounds, a patch release to everyone whose check fails on about one device in ten,
 * so the dashboard keeps moving.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FIRST_RELEASE, releaseBefore } from "./demo_plan.ts";
 * assert.equal(FIRST_RELEASE.version, "1.0.0");
 * assert.equal(releaseBefore(3)?.version, "1.1.0");
 * assert.equal(releaseBefore(4), undefined);
 * assert.equal(releaseBefore(32)?.version, "1.2.2");
 * ```
 * @module
 */
import { type DemoRelease, demoRelease } from "./demo_release.ts";

/** The release the repository starts with. */
export const FIRST_RELEASE: DemoRelease = demoRelease("1.0.0", {
  story: "the first release",
  fails: () => false,
});

const SCRIPTED: Record<number, DemoRelease> = {
  3: demoRelease("1.1.0", {
    story: "its new sensor driver does not start on board rev-a",
    fails: (device) => device.labels.board === "rev-a",
  }),
  7: demoRelease("1.2.0", {
    story: "the fix for board rev-a",
    rollout: "25,50@1h,100@2h",
    fails: () => false,
  }),
};

const PATCHES_FROM = 20;
const PATCH_EVERY = 12;

/** The release to publish before update round `round` (from 1), if any. */
export function releaseBefore(round: number): DemoRelease | undefined {
  const scripted = SCRIPTED[round];
  if (scripted) return scripted;
  if (round < PATCHES_FROM || (round - PATCHES_FROM) % PATCH_EVERY !== 0) return undefined;
  const patch = (round - PATCHES_FROM) / PATCH_EVERY + 1;
  return demoRelease(`1.2.${patch}`, {
    story: "a flaky start on about one device in ten",
    fails: (device) => (device.index * 7 + patch * 3) % 10 === 0,
  });
}

/** How a release is rolled out, in words. */
export function rolloutText(release: DemoRelease): string {
  if (!release.rollout) return "to every device at once";
  const steps = release.rollout.split(",").map((step) => {
    const [percent, at] = step.split("@");
    if (at === undefined) return `${percent}% at once`;
    const after = `after ${at.replace(/h$/, " h")}`;
    return Number(percent) >= 100 ? `everyone ${after}` : `${percent}% ${after}`;
  });
  return `staged rollout: ${steps.join(", ")}`;
}
