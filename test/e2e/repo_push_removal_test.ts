/**
 * End to end: `repo push` from a second copy of a repository (another pipeline) to an edge that
 * serves releases the copy never had. The copy's newer targets would drop them: refused (exit 1,
 * E_WOULD_REMOVE, naming them, nothing sent), and sent with `--allow-removal`, which says what it removed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startDenoEdge } from "../edge/deno_child.ts";
import { copyTree } from "../harness.ts";
import { checkAsDevice, edgeData, makeRepo, push, repo, TOKEN } from "./_repo_push.ts";

Deno.test("repo push refuses to drop releases the edge has from elsewhere unless --allow-removal; E_STALE says what to do", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "repo-push-removal-" });
  try {
    const a = await makeRepo(join(tmp, "a"));
    await a.add("acme/base", 1000);
    const data = await edgeData(tmp, a);
    const edge = await startDenoEdge(data, { DROVER_TOKEN: TOKEN, PORT: "9431" });
    try {
      const b = { dir: join(tmp, "b") }; // the other pipeline: a copy of the repository as it was
      await copyTree(a.dir, b.dir);
      await a.add("acme/radio", 2000); // targets v3 on the edge, published from a
      assert.equal((await push(a.dir, edge.url)).metadata.targets, 3);
      const addToB = (name: string) =>
        repo(
          ...["add-app", "--repo", b.dir, "--keys", a.keys, "--file", join(tmp, "a", "archive-0")],
          ...["--name", name, "--ref", "main", "--commit", "bbbbbb0", "--no-chunks"],
        );
      assert.equal((await addToB("acme/tv")).code, 0); // b's targets v3: other content
      const stale = await repo("push", "--repo", b.dir, "--edge", edge.url, "--json");
      assert.equal(stale.code, 1);
      const staleError = JSON.parse(stale.stdout).errors[0];
      assert.equal(staleError.code, "E_STALE");
      assert.match(
        staleError.message,
        /push from the repository directory that published it, or sign a newer/,
      );
      assert.doesNotMatch(staleError.message, /build on the edge's metadata/);

      const tv2 = await repo(
        ...["add-app", "--repo", b.dir, "--keys", a.keys, "--file", join(tmp, "a", "archive-1")],
        ...["--name", "acme/tv", "--ref", "main", "--commit", "bbbbbb1", "--no-chunks"],
      );
      assert.equal(tv2.code, 0, tv2.stderr); // b's targets v4: newer than the edge's, without acme/radio
      const refused = await repo("push", "--repo", b.dir, "--edge", edge.url, "--json");
      assert.equal(refused.code, 1, refused.stdout);
      const error = JSON.parse(refused.stdout).errors[0];
      assert.equal(error.code, "E_WOULD_REMOVE");
      assert.match(
        error.message,
        /^Cannot push targets v4: the edge would stop serving 1 release this repository never had/,
      );
      assert.match(error.message, /: acme\/radio main aaaaaa1; .*--allow-removal/);
      const health = await (await fetch(`${edge.url}/healthz`)).json();
      assert.equal(health.versions.targets, 3, "nothing published by the refused push");
      await checkAsDevice(edge.url, { dir: a.dir, apps: ["acme/base", "acme/radio"] });

      const allowed = await repo("push", "--repo", b.dir, "--edge", edge.url, "--allow-removal");
      assert.equal(allowed.code, 0, allowed.stderr);
      assert.match(
        allowed.stderr,
        /removed from the edge \(--allow-removal\): 1 releases .*: acme\/radio main aaaaaa1/,
      );
      await checkAsDevice(edge.url, { dir: b.dir, apps: ["acme/base", "acme/tv", "acme/tv"] });

      // a's own later push: a never had acme/tv, so it is refused in turn; nothing it had is counted
      await a.add("acme/radio", 3000);
      await a.add("acme/radio", 4000);
      const back = await repo("push", "--repo", a.dir, "--edge", edge.url, "--json");
      assert.equal(back.code, 1);
      assert.match(
        JSON.parse(back.stdout).errors[0].message,
        /2 releases .*: acme\/tv main bbbbbb0, acme\/tv main bbbbbb1;/,
      );
    } finally {
      await edge.stop();
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
