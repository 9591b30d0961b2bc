/**
 * The edge and delegated targets: a team publishes a new version of its role through
 * `POST /v1/metadata?role=ROLE` (the edge checks it and re-signs snapshot and timestamp), the edge
 * serves `tuf/<N>.<role>.json`, and tuf-js and Drover's refreshTrust resolve the team's target.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Updater } from "tuf-js";
import { decodeMetadata, MemoryStore, refreshTrust, signEnvelope } from "../../core/trust/mod.ts";
import { FsStorage } from "../../edge/storage/fs_storage.ts";
import { delegatedEdge, sha256Hex, TOKEN } from "../edge/fixture.ts";

Deno.test("edge: a team publishes its delegated role with POST /v1/metadata?role=, and tuf-js downloads its target", async () => {
  const dir = await Deno.makeTempDir({ prefix: "edge-delegation-" });
  try {
    const storage = new FsStorage(join(dir, "data"));
    const { keys, team, app } = await delegatedEdge(storage);
    const auth = { authorization: `Bearer ${TOKEN}` };

    const bytes = new TextEncoder().encode("team release\n");
    const sha256 = await sha256Hex(bytes);
    const put = await app.request(`/v1/targets/${sha256}`, { method: "PUT", body: bytes, headers: auth });
    assert.equal(put.status, 201, await put.text());
    const path = "apps/acme/radio/main/abcdef1.tar.gz";
    const sha1 = [...new Uint8Array(await crypto.subtle.digest("SHA-1", bytes))]
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    const custom = {
      kind: "app",
      name: "acme/radio",
      ref: "main",
      commit: "abcdef1",
      serial: 1,
      updated: "2026-06-01T00:00:00Z",
      extraHashes: { sha1 },
    };
    const v1 = decodeMetadata((await storage.get("tuf/1.acme.json"))!).signed;
    const role = (version: number, targets: Record<string, unknown>) => ({ ...v1, version, targets });
    /** Status and parsed body of a publish of `body` as role `name`. */
    const post = async (body: unknown, name = "acme") => {
      const res = await app.request(`/v1/metadata?role=${name}`, {
        method: "POST",
        body: JSON.stringify(body),
        headers: auth,
      });
      return { status: res.status, doc: await res.json() };
    };
    const entry = { [path]: { length: bytes.length, hashes: { sha256 }, custom } };

    assert.equal((await post(await signEnvelope(role(2, entry), [keys.stranger]))).status, 403);
    assert.equal((await post(await signEnvelope(role(2, entry), [team]), "ghost")).status, 404);
    assert.equal((await post(await signEnvelope(role(2, entry), [team]), "../x")).status, 400);
    const outside = {
      "apps/other/radio/main/abcdef1.tar.gz": { length: bytes.length, hashes: { sha256 }, custom },
    };
    assert.equal((await post(await signEnvelope(role(2, outside), [team]))).status, 403);
    const ok = await post(await signEnvelope(role(2, entry), [team]));
    assert.equal(ok.status, 200, JSON.stringify(ok.doc));
    assert.deepEqual(ok.doc.delegatedVersions, { acme: 2 });
    const stale = await post(await signEnvelope(role(2, entry), [team]));
    assert.equal(stale.status, 409);
    assert.equal(stale.doc.error.code, "E_STALE");
    const releases = await (await app.request("/releases")).json();
    assert.equal(
      releases["acme/radio"]?.main?.commit,
      "abcdef1",
      "the edge's view resolves delegated targets",
    );
    for (
      const [file, status] of [["2.acme.json", 200], ["2.Acme.json", 404], ["2.timestamp.json", 404]] as const
    ) {
      const res = await app.request(`/tuf/${file}`);
      await res.body?.cancel();
      assert.equal(res.status, status, file);
    }

    const trusted = await refreshTrust({
      fetch: async (p) => {
        const res = await app.request(`/${p}`);
        return res.ok ? new Uint8Array(await res.arrayBuffer()) : undefined;
      },
      store: new MemoryStore(),
      trustedRoot: (await storage.get("tuf/1.root.json"))!,
    });
    assert.equal(trusted.findApp("acme/radio", "main")?.path, path);

    await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
    const base = `http://127.0.0.1:${server.addr.port}`;
    await Deno.mkdir(join(dir, "client/targets"), { recursive: true });
    await Deno.writeFile(join(dir, "client/root.json"), (await storage.get("tuf/1.root.json"))!);
    const updater = new Updater({
      metadataDir: join(dir, "client"),
      metadataBaseUrl: `${base}/tuf`,
      targetDir: join(dir, "client/targets"),
      targetBaseUrl: `${base}/targets`,
    });
    await updater.refresh();
    const info = await updater.getTargetInfo(path);
    assert.ok(info, "tuf-js resolves the team's target through the edge");
    const file = await updater.downloadTarget(info, join(dir, "client/targets/radio.tar.gz"));
    assert.deepEqual(await Deno.readFile(file), bytes);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
