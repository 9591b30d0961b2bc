/**
 * Staged rollouts against `deno task start`: 50 enrolled in-process devices; a release whose health
 * check fails everywhere, signed `--rollout 20,100@1h --halt-after 3 --halt-failures 50`, reaches
 * the first 3 devices of its first step and is halted by the edge; nobody else installs it, not
 * even a device provisioned after the halt (the 51st); a fixed release with its own rollout then
 * reaches every device (`_fleet_rollout.ts`).
 */
import { join } from "node:path";
import { startDenoEdge } from "../edge/deno_child.ts";
import { tempDir } from "../harness.ts";
import assert from "node:assert/strict";
import { ENROLL_TOKEN, ensureBundles, fleetCli, OPERATOR_TOKEN, Timer } from "./_fleet_rollback.ts";
import { makeRolloutRepository, RolloutDevice, runRolloutScenario } from "./_fleet_rollout.ts";

Deno.test("50 devices against `deno task start`: a bad release halts after 3 reports, a fixed one proceeds", async () => {
  const timer = new Timer();
  await ensureBundles();
  await using dir = await tempDir("drover-fleet-rollout-");
  const repository = await makeRolloutRepository(dir.path);
  const devices = Array.from({ length: 50 }, (_, i) => new RolloutDevice(i, join(dir.path, "devices")));
  const edge = await startDenoEdge(repository.dir, {
    DROVER_OPERATOR_TOKEN: OPERATOR_TOKEN,
    DROVER_ENROLL_TOKEN: ENROLL_TOKEN,
  });
  try {
    const { broken, fixed } = await runRolloutScenario(edge.url, {
      devices,
      trustedRoot: repository.trustedRoot,
      publish: (n) => repository.add(n),
    });
    timer.lap("halted, then fixed");
    // the operator's view and actions through drover-fleet
    const listed = JSON.parse((await fleetCli(edge.url, ["rollouts", "--json"])).stdout);
    assert.deepEqual(listed.map((r: { id: string; state: string }) => [r.id, r.state]), [
      [fixed, "running"],
      [broken, "halted"],
    ]);
    const table = (await fleetCli(edge.url, ["rollouts", "--state", "halted"])).stdout;
    assert.match(table, /^ID +STATE +NOW +CAP +REACH +OK +BAD +REASON$/m);
    assert.match(
      table,
      new RegExp(`^${broken} +halted +20% +0% +0/51 +0 +3 +halt: 3 of 3 .*E_HEALTH 3$`, "m"),
    );
    const shown = (await fleetCli(edge.url, ["rollout", broken])).stdout;
    assert.match(shown, /^top errors +E_HEALTH 3$/m);
    for (const [action, state] of [["pause", "paused"], ["resume", "running"], ["end", "ended"]]) {
      const r = JSON.parse((await fleetCli(edge.url, [action!, fixed, "--json"])).stdout);
      assert.equal(r.state, state, `drover-fleet ${action}`);
    }
    // the fixed release supersedes the broken one: resumed (its hold lifted), it is done, not running
    assert.equal((await fleetCli(edge.url, ["resume", broken])).stdout, `${broken} done\n`);
  } catch (error) {
    console.error(edge.log().slice(-4000));
    throw error;
  } finally {
    await edge.stop();
  }
  console.log(`fleet rollout halt, Deno edge: ${timer.total()}`);
});
