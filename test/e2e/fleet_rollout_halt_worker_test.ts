/**
 * Staged rollouts on Cloudflare Workers: the Worker bundle in workerd (miniflare) with the
 * repository in R2 and the fleet in D1. 50 enrolled in-process devices; a release whose health
 * check fails everywhere, signed `--rollout 20,100@1h --halt-after 3 --halt-failures 50` and
 * published through the edge, reaches the first 3 devices of its first step and is halted; nobody
 * else installs it; a fixed release with its own rollout then reaches every device
 * (`_fleet_rollout.ts`).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "../harness.ts";
import { FsStorage } from "../../edge/storage/fs_storage.ts";
import { ensureBundles, startFleetWorker, Timer } from "./_fleet_rollback.ts";
import { COMMITS, makeRolloutRepository, RolloutDevice, runRolloutScenario } from "./_fleet_rollout.ts";

const PUBLISH_TOKEN = "publish-token-fleet-rollout";

interface TargetEntry {
  length: number;
  hashes: { sha256: string };
}

Deno.test("50 devices against the Worker in workerd with D1: a bad release halts after 3 reports, a fixed one proceeds", async () => {
  const timer = new Timer();
  await ensureBundles();
  await using dir = await tempDir("drover-fleet-rollout-worker-");
  const repository = await makeRolloutRepository(dir.path);
  const devices = Array.from({ length: 50 }, (_, i) => new RolloutDevice(i, join(dir.path, "devices")));
  const edge = await startFleetWorker(dir.path, { repository, publishToken: PUBLISH_TOKEN });
  timer.lap("set-up (bundle, workerd, R2)");
  try {
    await runRolloutScenario(edge.url, {
      devices,
      trustedRoot: repository.trustedRoot,
      publish: async (n) => {
        // a pipeline signs with its offline key and publishes the artifact and metadata through the edge
        const added = await repository.add(n);
        const auth = { authorization: `Bearer ${PUBLISH_TOKEN}` };
        // every target the new release brought (the archive and its delta index and pack)
        const local = new FsStorage(repository.dir);
        const targetsPath = join(repository.dir, `tuf/${added.versions.targets}.targets.json`);
        const signed = JSON.parse(await Deno.readTextFile(targetsPath)).signed;
        for (const [path, entry] of Object.entries(signed.targets as Record<string, TargetEntry>)) {
          if (!path.includes(COMMITS[n - 1]!)) continue;
          const sha256 = entry.hashes.sha256;
          const slash = path.lastIndexOf("/") + 1;
          const stored = `targets/${path.slice(0, slash)}${sha256}.${path.slice(slash)}`;
          const blob = await local.getBlob(sha256, { path: stored });
          assert.ok(blob, `the repository holds ${path}`);
          const put = await fetch(`${edge.url}/v1/targets/${sha256}`, {
            method: "PUT",
            headers: { ...auth, "content-length": String(entry.length) },
            body: new Uint8Array(await new Response(blob.body).arrayBuffer()),
          });
          assert.ok(
            put.status === 201 || put.status === 200,
            `PUT ${path}: ${put.status} ${await put.text()}`,
          );
        }
        const metadata = await Deno.readFile(
          join(repository.dir, `tuf/${added.versions.targets}.targets.json`),
        );
        const post = await fetch(`${edge.url}/v1/metadata`, {
          method: "POST",
          headers: auth,
          body: metadata,
        });
        assert.ok(post.ok, `POST /v1/metadata: ${post.status} ${await post.text()}`);
        return added;
      },
    });
  } finally {
    await edge.stop();
  }
  console.log(`fleet rollout halt, workerd + D1: ${timer.total()}`);
});
