/**
 * End to end: `repo push` of what changes trust, to `deno task start` and to the Worker in workerd:
 * delegated roles (`repo delegate`, `add-app --role`) and new root versions (`repo rotate-key`). A new
 * delegation goes with the targets naming it as one metadata set, a role's next version alone
 * (`?role=ROLE`), a root rotation alone (`?role=root`), a rotated targets key with its targets; a
 * second push sends nothing; a root naming online keys the edge lacks is refused. Devices (Drover's
 * refreshTrust and tuf-js) that trusted the previous root walk the chain to the new one.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Updater } from "tuf-js";
import { MemoryStore } from "../../core/trust/mod.ts";
import { startDenoEdge } from "../edge/deno_child.ts";
import { copyTree } from "../harness.ts";
import {
  checkAsDevice,
  edgeData,
  makeRepo,
  paths,
  push,
  repo,
  startPushWorker,
  TOKEN,
} from "./_repo_push.ts";

type Role = { name: string; version: number; published: boolean };

/** A tuf-js client of `edge` trusting `dir`'s tuf/1.root.json, its metadata kept in `client`. */
async function tufJs(edge: string, options: { client: string; dir: string }) {
  const { client, dir } = options;
  await Deno.mkdir(join(client, "targets"), { recursive: true });
  await Deno.copyFile(join(dir, "tuf/1.root.json"), join(client, "root.json"));
  return async () => {
    const updater = new Updater({
      metadataDir: client,
      metadataBaseUrl: `${edge}/tuf`,
      targetDir: join(client, "targets"),
      targetBaseUrl: `${edge}/targets`,
    });
    await updater.refresh();
    return JSON.parse(await Deno.readTextFile(join(client, "root.json"))).signed.version as number;
  };
}

Deno.test("repo push to `deno task start` sends delegated roles and root rotations; devices follow the root chain", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "repo-push-trust-deno-" });
  try {
    const r = await makeRepo(tmp);
    await r.add("acme/first", 1000);
    const edge = await startDenoEdge(await edgeData(tmp, r), { DROVER_TOKEN: TOKEN });
    let log = "";
    try {
      const device = new MemoryStore();
      const tuf = await tufJs(edge.url, { client: join(tmp, "tuf-js"), dir: r.dir });
      await checkAsDevice(edge.url, { dir: r.dir, apps: ["acme/first"], device });
      assert.equal(await tuf(), 1);

      // a new delegation and the role's next version: one metadata set with the targets naming it
      const delegate = await repo(
        ...["delegate", "--repo", r.dir, "--keys", r.keys, "--name", "team", "--paths", "apps/team/*/*/*"],
        "--generate",
      );
      assert.equal(delegate.code, 0, delegate.stderr);
      await r.add("team/radio", 2000, { role: "team" });
      const first = await push(r.dir, edge.url);
      assert.deepEqual(paths(first.uploaded), ["apps/team/radio/main/aaaaaa1.tar"]);
      assert.equal(first.metadata.published, true);
      assert.deepEqual(first.metadata.roles, [{ name: "team", version: 2, published: true }]);
      assert.deepEqual(first.verified.roles, { team: 2 });
      assert.equal(first.verified.offered, 2);
      const trusted = await checkAsDevice(edge.url, {
        dir: r.dir,
        apps: ["acme/first", "team/radio"],
        device,
      });
      assert.equal(trusted.signerOf("apps/team/radio/main/aaaaaa1.tar"), "team");

      const again = await push(r.dir, edge.url);
      assert.deepEqual(again.uploaded, [], "a second push sends nothing");
      assert.equal(again.metadata.published, false);
      assert.deepEqual(again.metadata.roots, []);
      assert.deepEqual(again.metadata.roles.map((x: Role) => x.published), [false]);

      // the role alone, then root alone (text output names each)
      await r.add("team/tv", 3000, { role: "team" });
      const role = await push(r.dir, edge.url);
      assert.equal(role.metadata.published, false);
      assert.deepEqual(role.metadata.roles, [{ name: "team", version: 3, published: true }]);
      assert.equal((await repo("rotate-key", "--repo", r.dir, "--keys", r.keys, "--role", "root")).code, 0);
      const text = await repo("push", "--repo", r.dir, "--edge", edge.url);
      assert.equal(text.code, 0, text.stdout + text.stderr);
      assert.match(text.stdout, /^published root v2$/m);
      assert.match(text.stdout, /^targets v3 on the edge already$/m);
      assert.match(text.stdout, /^published no roles, 1 on the edge already$/m);
      assert.match(text.stdout, /offers all 3 targets of targets v3 \(root v2, 1 delegated roles\)$/m);
      assert.equal(
        (await checkAsDevice(edge.url, { dir: r.dir, apps: ["acme/first", "team/radio", "team/tv"], device }))
          .versions.root,
        2,
        "the device that trusted root v1 walked to v2",
      );
      assert.equal(await tuf(), 2, "and so did tuf-js");

      // a rotated targets key: root v3 and the targets it signs, at once
      assert.equal(
        (await repo("rotate-key", "--repo", r.dir, "--keys", r.keys, "--role", "targets")).code,
        0,
      );
      const rotated = await push(r.dir, edge.url);
      assert.deepEqual(rotated.metadata.roots, [3]);
      assert.equal(rotated.metadata.published, true);
      assert.equal(rotated.verified.root, 3);
      assert.equal(
        (await checkAsDevice(edge.url, { dir: r.dir, apps: ["acme/first", "team/radio", "team/tv"], device }))
          .versions.root,
        3,
      );
      assert.equal(await tuf(), 3);

      // a new snapshot key the edge does not hold: refused, the edge unchanged
      assert.equal(
        (await repo("rotate-key", "--repo", r.dir, "--keys", r.keys, "--role", "snapshot")).code,
        0,
      );
      const refused = await repo("push", "--repo", r.dir, "--edge", edge.url, "--json");
      assert.equal(refused.code, 1, refused.stdout);
      const error = JSON.parse(refused.stdout).errors[0];
      assert.equal(error.code, "E_CONFLICT");
      assert.match(error.message, /Cannot publish root v4, targets v5: .*this edge could not sign for it/);
      assert.equal((await (await fetch(`${edge.url}/healthz`)).json()).versions.root, 3);
    } finally {
      log = await edge.stop();
    }
    const posts = log.split("\n").filter((l) => l.startsWith("POST /v1/metadata")).map((l) =>
      l.replace(/ \d+ms$/, "")
    );
    assert.deepEqual(posts, [
      "POST /v1/metadata 200", // the set: targets v3 and role team v2
      "POST /v1/metadata?role=team 200",
      "POST /v1/metadata?role=root 200",
      "POST /v1/metadata 200", // the set: root v3 and targets v4
      "POST /v1/metadata 409",
    ]);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("repo push to the Worker in workerd: a root rotation, a delegation and the role at once, and an edge ahead on a role", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "repo-push-trust-worker-" });
  try {
    const r = await makeRepo(tmp);
    await r.add("acme/radio", 5000);
    const edge = await startPushWorker(tmp, r);
    try {
      const device = new MemoryStore();
      await checkAsDevice(edge.url, { dir: r.dir, apps: ["acme/radio"], device });
      assert.equal((await repo("rotate-key", "--repo", r.dir, "--keys", r.keys, "--role", "root")).code, 0);
      const delegate = await repo(
        ...["delegate", "--repo", r.dir, "--keys", r.keys, "--name", "team", "--paths", "apps/team/*/*/*"],
        "--generate",
      );
      assert.equal(delegate.code, 0, delegate.stderr);
      await r.add("team/tv", 7000, { role: "team" });
      const first = await push(r.dir, edge.url);
      assert.deepEqual(first.metadata.roots, [2]);
      assert.equal(first.metadata.published, true);
      assert.deepEqual(first.metadata.roles, [{ name: "team", version: 2, published: true }]);
      assert.deepEqual([first.verified.root, first.verified.roles], [2, { team: 2 }]);
      const trusted = await checkAsDevice(edge.url, { dir: r.dir, apps: ["acme/radio", "team/tv"], device });
      assert.equal(trusted.versions.root, 2, "the device walked from root v1 to v2");
      const second = await push(r.dir, edge.url);
      assert.deepEqual([second.uploaded, second.metadata.roots, second.metadata.published], [[], [], false]);

      // a copy the edge moves past on the role: refused, nothing sent
      const old = join(tmp, "old");
      await copyTree(r.dir, old);
      await r.add("team/tv", 100, { role: "team" });
      assert.equal((await push(r.dir, edge.url)).metadata.roles[0].version, 3);
      const behind = await repo("push", "--repo", old, "--edge", edge.url, "--json");
      assert.equal(behind.code, 1);
      const error = JSON.parse(behind.stdout).errors[0];
      assert.equal(error.code, "E_STALE");
      assert.match(error.message, /Cannot push role 'team' v2: the edge has role 'team' v3/);
    } finally {
      await edge.stop();
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
