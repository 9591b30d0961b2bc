/**
 * Private: whether `repo add-app` publishes anything. The newest release of an app and ref (in the
 * metadata this run signs: top-level targets, or the role with `--role`) is published once: the same
 * commit with the same archive bytes and signed options again (a CI retry) is a no-op; the same
 * bytes with another `--rollout`, halt rule, `--version` or `--allow-downgrade`, and the same commit
 * with other bytes (a rebuild that is not reproducible), are refused (`AlreadyPublishedError`),
 * because a new serial means a new rollout id, one the edge has never held back, and a release to
 * every device at once without `--rollout`: either would get around a halt. Whether it has a chunked
 * form (`--no-chunks`) does not count: it does not change who gets it. An older commit added again is
 * published as before (the ref goes back to it: a deliberate promotion).
 */
import type { AppCustom, TargetInfo } from "../../core/trust/mod.ts";
import { createRollout, formatRolloutSteps, type Rollout } from "../../core/rollout/mod.ts";
import type { RolloutHalt, RolloutStep } from "../../core/rollout/mod.ts";
import { AlreadyPublishedError } from "./already_published_error.ts";

/** What this run would sign for the commit. */
export interface WantedRelease {
  name: string;
  ref: string;
  commit: string;
  path: string;
  length: number;
  sha256: string;
  version?: string;
  allowDowngrade: boolean;
  rollout?: { steps: RolloutStep[]; halt: Partial<RolloutHalt> };
}

/**
 * The target already publishing `wanted` as it is (the run is then a no-op), or `undefined` when the
 * commit is not the ref's newest release; `AlreadyPublishedError` when it is, with other bytes or
 * other options.
 */
export function publishedRelease(
  targets: Map<string, TargetInfo>,
  wanted: WantedRelease,
): TargetInfo | undefined {
  const { name, ref, commit } = wanted;
  // the ref's newest release: only re-running that one is a retry; an older commit published again
  // is a deliberate promotion (it becomes the newest again, as before)
  let listed: TargetInfo | undefined;
  for (const t of targets.values()) {
    const c = t.custom as Partial<AppCustom>;
    if (c.kind !== "app" || c.name !== name || c.ref !== ref) continue;
    if (!listed || (c.serial ?? 0) > ((listed.custom as Partial<AppCustom>).serial ?? 0)) listed = t;
  }
  if (!listed || (listed.custom as AppCustom).commit !== commit) return undefined;
  const c = listed.custom as AppCustom;
  const what = `${name} ${ref} ${commit} is already published (serial ${c.serial}, ${listed.path})`;
  const refuse = (detail: string, change: string) =>
    new AlreadyPublishedError(
      `Cannot add app: ${what} ${detail}; a commit is published once: publish the ${change} as a new commit` +
        (c.rollout ? `, or resume its rollout on the edge (drover-fleet resume ${c.rollout.id})` : ""),
    );
  // other bytes under the commit (a build that is not reproducible) would be a new serial too
  if (
    listed.path !== wanted.path || listed.hashes.sha256 !== wanted.sha256 || listed.length !== wanted.length
  ) {
    throw refuse(
      `with other bytes (sha256 ${shortHash(listed.hashes.sha256)}…, ${listed.length} bytes; ` +
        `this archive sha256 ${shortHash(wanted.sha256)}…, ${wanted.length} bytes)`,
      "rebuild",
    );
  }
  const differences: string[] = [];
  if ((c.version ?? undefined) !== wanted.version) {
    differences.push(`--version ${c.version ?? "(none)"}, not ${wanted.version ?? "(none)"}`);
  }
  if ((c.allowDowngrade === true) !== wanted.allowDowngrade) {
    differences.push(c.allowDowngrade ? "with --allow-downgrade" : "without --allow-downgrade");
  }
  const had = rolloutText(c.rollout);
  const asked = rolloutText(
    wanted.rollout &&
      createRollout({
        id: "x",
        publishedAt: new Date(0),
        steps: wanted.rollout.steps,
        halt: wanted.rollout.halt,
      }),
  );
  if (had !== asked) differences.push(`${had}, not ${asked}`);
  if (differences.length > 0) throw refuse(`with other options: ${differences.join("; ")}`, "fix");
  return listed;
}

function shortHash(sha256: string | undefined): string {
  return (sha256 ?? "(none)").slice(0, 12);
}

function rolloutText(rollout: Rollout | undefined): string {
  if (!rollout) return "no --rollout";
  const { halt } = rollout;
  return `--rollout ${formatRolloutSteps(rollout.steps)} --halt-after ${halt.minDevices} ` +
    `--halt-failures ${halt.maxFailurePercent}`;
}
