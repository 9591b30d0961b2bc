import assert from "node:assert/strict";
import { UntarStream } from "../core/archive/mod.ts";
import { releasesDocument, targetInfoFromTuf } from "../core/trust/mod.ts";
import { createDevRepository, DEMO_CONTENT } from "./dev_repository.ts";
import { FsStorage } from "./storage/fs_storage.ts";

Deno.test("the demo app's archive carries the .deploy legacy radiodan clients need, and is listed for them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "dev-repo-" });
  try {
    const storage = new FsStorage(dir);
    await createDevRepository(storage, { content: DEMO_CONTENT });
    const targets =
      JSON.parse(new TextDecoder().decode(await storage.get("tuf/2.targets.json"))).signed.targets;
    const infos = Object.entries(targets).map(([p, e]) => targetInfoFromTuf(p, e as Record<string, unknown>));
    const app = infos.find((t) => t.custom.kind === "app")!;
    const read = await storage.getBlob(app.hashes.sha256!, { path: app.url });
    let deploy: unknown;
    for await (const entry of read!.body.pipeThrough(new UntarStream())) {
      if (entry.path === ".deploy") deploy = JSON.parse(await new Response(entry.body).text());
      else await entry.body?.cancel();
    }
    const demo = DEMO_CONTENT.apps[0]!;
    assert.deepEqual(deploy, { name: demo.name, ref: demo.ref, commit: demo.commit });
    assert.equal(
      releasesDocument(infos, { now: new Date() })[demo.name]?.[demo.ref]?.commit,
      demo.commit,
      "sha1 and gzip: listed",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
