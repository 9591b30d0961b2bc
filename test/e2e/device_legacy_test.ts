import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { serveStatic } from "./static_server.ts";
import { DeviceFixture, drover, jsonOf, makeArchive } from "./device_fixture.ts";

const sha1 = async (path: string) => createHash("sha1").update(await Deno.readFile(path)).digest("hex");

Deno.test("--insecure-legacy installs from an original radiodan releases document, verifying sha1, and warns", async () => {
  await using fx = await DeviceFixture.create({ provision: false });
  const site = join(fx.dir, "site");
  await Deno.mkdir(join(site, "dl"), { recursive: true });
  await using server = serveStatic(site);
  const archive = await makeArchive(join(site, "dl/magic-button-master-68200e.tar.gz"), {
    "main.js": "v2\n",
  });
  const doc = {
    "radiodan/magic-button": {
      master: {
        commit: "68200ec154d6dbdcc648e5706bb860c57b7fb621",
        file: new URL("dl/magic-button-master-68200e.tar.gz", server.url).href,
        sha1: await sha1(archive),
        updated: "2014-10-29T19:30:54.095Z",
      },
    },
  };
  await Deno.writeTextFile(join(site, "releases"), JSON.stringify(doc));
  await fx.installApp("magic-button", {
    name: "radiodan/magic-button",
    ref: "master",
    commit: "d0ab003502b32510f8acd1c94b4b41664be6884",
  });

  // without the flag, a device without a trusted root refuses (exit 3) and says how to provision
  const refused = await drover(["update", ...fx.args(), "--api", server.url.href]);
  assert.equal(refused.code, 3);
  assert.match(refused.stderr, /no trusted root.*cp <repo>\/tuf\/1\.root\.json .*root\.json/);

  const r = await drover(["update", ...fx.args(), "--api", server.url.href, "--insecure-legacy", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /WARNING: --insecure-legacy: .*NOT signed/);
  assert.equal(jsonOf(r).check.mode, "insecure-legacy");
  assert.equal(await fx.currentCommit("magic-button"), "68200ec154d6dbdcc648e5706bb860c57b7fb621");
  assert.equal(await fx.link("magic-button", "current"), "releases/20141029T193054Z-68200ec154d6");
  assert.equal(await Deno.readTextFile(join(fx.target, "magic-button/current/main.js")), "v2\n");

  // an older `updated` is refused as a downgrade (exit 3), nothing changes
  doc["radiodan/magic-button"].master.commit = "1111111";
  doc["radiodan/magic-button"].master.updated = "2014-01-01T00:00:00.000Z";
  await Deno.writeTextFile(join(site, "releases"), JSON.stringify(doc));
  const older = await drover(["update", ...fx.args(), "--api", server.url.href, "--insecure-legacy"]);
  assert.equal(older.code, 3, older.stderr);
  assert.match(older.stderr, /older than the installed/);
  assert.equal(await fx.currentCommit("magic-button"), "68200ec154d6dbdcc648e5706bb860c57b7fb621");
});

Deno.test("--insecure-legacy refuses a download whose sha1 does not match (exit 3, nothing kept)", async () => {
  await using fx = await DeviceFixture.create({ provision: false });
  const site = join(fx.dir, "site");
  await Deno.mkdir(site);
  await using server = serveStatic(site);
  await makeArchive(join(site, "app.tar.gz"), { "main.js": "evil\n" });
  await Deno.writeTextFile(
    join(site, "releases"),
    JSON.stringify({
      "acme/radio": { main: { commit: "abcdef1", file: "app.tar.gz", sha1: "0".repeat(40) } },
    }),
  );
  await fx.installApp("radio", { name: "acme/radio", ref: "main", commit: "0000000" });
  const r = await drover([
    "update",
    ...fx.args(),
    "--api",
    new URL("releases", server.url).href,
    "--insecure-legacy",
  ]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /sha1 mismatch/);
  assert.equal(await fx.currentCommit("radio"), "0000000");
  assert.deepEqual([...Deno.readDirSync(join(fx.ws, "downloads"))], []);
  assert.deepEqual([...Deno.readDirSync(join(fx.ws, "manifests"))], []);
});

Deno.test("--insecure-legacy reads Drover's own releases.json (relative file, sha256) from a file:// repository", async () => {
  await using fx = await DeviceFixture.create({ provision: false });
  await fx.installApp("radio", { name: "acme/radio", ref: "main", commit: "0000000" });
  await fx.publish("acme/radio", "main", "aaaaaaa1", { VERSION: "1\n" });
  const r = await drover(["update", ...fx.args(), "--api", fx.fileApi(), "--insecure-legacy"], {
    runtime: "node",
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /WARNING/);
  assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");
  const deploy = JSON.parse(await Deno.readTextFile(join(fx.target, "radio/current/.deploy")));
  assert.equal(deploy.source, "insecure-legacy");
  assert.match(deploy.sha256, /^[0-9a-f]{64}$/);
});
