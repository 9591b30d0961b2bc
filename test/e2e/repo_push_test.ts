/**
 * End to end: `repo push` of a repository built with `repo` to a remote edge, `deno task start` and
 * the Worker in workerd. The edge starts from the repository's tuf/ with its snapshot and timestamp
 * keys (the ones the root names) and a publish token. A push uploads only what the edge lacks, a
 * second push uploads nothing, a push killed mid-upload resumes, and each push ends verified the way
 * a device refreshes (the push checks it; the test checks `/releases` and refreshes too).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runRepo } from "../../scripts/repo/main.ts";
import { startDenoEdge } from "../edge/deno_child.ts";
import { copyTree } from "../harness.ts";
import {
  checkAsDevice,
  edgeData,
  makeRepo,
  paths,
  push,
  repo,
  REPO_TS,
  startPushWorker,
  TOKEN,
} from "./_repo_push.ts";

Deno.test("repo push to `deno task start`: uploads what the edge lacks, then nothing, and a killed push resumes", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "repo-push-deno-" });
  try {
    const r = await makeRepo(tmp);
    const sizes = [await r.add("acme/first", 1000)];
    const data = await edgeData(tmp, r);
    const edge = await startDenoEdge(data, { DROVER_TOKEN: TOKEN });
    try {
      sizes.push(await r.add("acme/a-small", 2000));
      sizes.push(await r.add("acme/b-big", 48 * 1024 * 1024));
      sizes.push(await r.add("acme/c-small", 3000));

      // killed while uploading the big archive: what it finished stays, nothing is published
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", REPO_TS, "push", "--repo", r.dir, "--edge", edge.url],
        env: { DROVER_TOKEN: TOKEN },
        stdout: "null",
        stderr: "piped",
      }).spawn();
      let log = "";
      for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) {
        log += text;
        if (/^uploading apps\/acme\/b-big\//m.test(log)) break;
      }
      child.kill("SIGKILL");
      await child.status;
      const finished = [...log.matchAll(/^uploaded (\S+)/gm)].map((m) => m[1]!);
      assert.ok(finished.includes("apps/acme/a-small/main/aaaaaa1.tar"), log);
      const health = await (await fetch(`${edge.url}/healthz`)).json();
      assert.equal(health.versions.targets, 2, "the interrupted push published no metadata");

      const resumed = await push(r.dir, edge.url);
      const all = ["aaaaaa0", "aaaaaa1", "aaaaaa2", "aaaaaa3"];
      assert.deepEqual(
        paths([...resumed.uploaded, ...resumed.skipped]),
        [
          "apps/acme/a-small/main/aaaaaa1.tar",
          "apps/acme/b-big/main/aaaaaa2.tar",
          "apps/acme/c-small/main/aaaaaa3.tar",
          "apps/acme/first/main/aaaaaa0.tar",
        ],
      );
      for (const path of finished) {
        assert.ok(!paths(resumed.uploaded).includes(path), `${path} uploaded twice`);
      }
      assert.ok(paths(resumed.uploaded).includes("apps/acme/c-small/main/aaaaaa3.tar"));
      assert.ok(
        paths(resumed.uploaded).includes("apps/acme/b-big/main/aaaaaa2.tar"),
        "the cut upload again, whole",
      );
      assert.equal(resumed.metadata.published, true);
      assert.equal(resumed.metadata.targets, 5);
      assert.equal(resumed.verified.offered, all.length);
      assert.equal(resumed.bytes.uploaded + resumed.bytes.skipped, sizes.reduce((a, b) => a + b));

      const again = await push(r.dir, edge.url);
      assert.deepEqual(again.uploaded, [], "a second push uploads nothing");
      assert.equal(again.metadata.published, false);
      assert.equal(again.verified.offered, all.length);
      await checkAsDevice(edge.url, {
        dir: r.dir,
        apps: ["acme/a-small", "acme/b-big", "acme/c-small", "acme/first"],
      });

      // text output: data on stdout, no progress bar off a terminal
      const kib = `${((await r.add("acme/first", 500)) / 1024).toFixed(1)} KiB`;
      const text = await repo("push", "--repo", r.dir, "--edge", edge.url);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, new RegExp(`^uploaded 1 targets \\(${kib}\\), 4 on the edge already`, "m"));
      assert.match(text.stdout, /^published targets v6 /m);
      assert.match(text.stdout, /^verified: .* offers all 5 targets of targets v6/m);
      assert.match(
        text.stderr,
        new RegExp(`^uploading apps/acme/first/main/aaaaaa4\\.tar \\(${kib}\\)$`, "m"),
      );
    } finally {
      await edge.stop();
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("repo push to the Worker in workerd (R2), and the refusals: wrong token, another repository, an edge ahead", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "repo-push-worker-" });
  try {
    const r = await makeRepo(tmp);
    await r.add("acme/radio", 5000);
    const edge = await startPushWorker(tmp, r);
    try {
      await r.add("acme/radio", 7000);
      await r.add("acme/tv", 9000);
      const first = await push(r.dir, edge.url);
      assert.deepEqual(paths(first.uploaded), [
        "apps/acme/radio/main/aaaaaa1.tar",
        "apps/acme/tv/main/aaaaaa2.tar",
      ]);
      assert.deepEqual(paths(first.skipped), ["apps/acme/radio/main/aaaaaa0.tar"]);
      assert.equal(first.metadata.published, true);
      assert.match(
        first.metadata.warnings.join("\n"),
        /acme\/tv main aaaaaa2: not offered to legacy radiodan clients/,
      );
      const second = await push(r.dir, edge.url);
      assert.deepEqual(second.uploaded, []);
      assert.equal(second.metadata.published, false);
      await checkAsDevice(edge.url, { dir: r.dir, apps: ["acme/radio", "acme/radio", "acme/tv"] });

      const wrong = await runRepo(["push", "--repo", r.dir, "--edge", edge.url, "--json"], {
        stdout: () => {},
        stderr: () => {},
        env: { DROVER_TOKEN: "wrong-token-000000" },
      });
      assert.equal(wrong, 0, "nothing to send: the token is not used");
      await r.add("acme/tv", 100);
      let out = "";
      const refused = await runRepo(["push", "--repo", r.dir, "--edge", edge.url, "--json"], {
        stdout: (t) => (out += t),
        stderr: () => {},
        env: { DROVER_TOKEN: "wrong-token-000000" },
      });
      assert.equal(refused, 1);
      assert.equal(JSON.parse(out).errors[0].code, "E_FORBIDDEN");

      const other = await makeRepo(join(tmp, "other"));
      const foreign = await repo("push", "--repo", other.dir, "--edge", edge.url, "--json");
      assert.equal(foreign.code, 1);
      assert.match(JSON.parse(foreign.stdout).errors[0].message, /serves another repository/);

      // a copy of the repository the edge has moved past: refused, nothing sent
      const old = join(tmp, "old");
      await copyTree(r.dir, old);
      await r.add("acme/tv", 200);
      assert.equal((await push(r.dir, edge.url)).metadata.targets, 6);
      const behind = await repo("push", "--repo", old, "--edge", edge.url, "--json");
      assert.equal(behind.code, 1);
      const error = JSON.parse(behind.stdout).errors[0];
      assert.equal(error.code, "E_STALE");
      assert.match(error.message, /Cannot push targets v5: the edge has targets v6/);
    } finally {
      await edge.stop();
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
