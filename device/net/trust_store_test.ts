import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { TrustError } from "../../core/errors.ts";
import { FsMetadataStore, openRepository } from "./trust_store.ts";

Deno.test("FsMetadataStore reads, writes and removes only the four TUF role files", async () => {
  const dir = await mkdtemp(join(tmpdir(), "drover-tuf-"));
  try {
    const store = new FsMetadataStore(join(dir, "tuf"));
    assert.equal(await store.read("root.json"), undefined);
    await store.write("root.json", new Uint8Array([1, 2]));
    assert.deepEqual(await store.read("root.json"), new Uint8Array([1, 2]));
    await store.remove("root.json");
    await store.remove("root.json");
    await assert.rejects(store.read("../secret.json"), TypeError);
    await assert.rejects(store.write("1.root.json", new Uint8Array()), TypeError);
  } finally {
    await rm(dir, { recursive: true });
  }
});

Deno.test("FsMetadataStore keeps delegated roles as <role>.json, only under safe role names", async () => {
  const dir = await mkdtemp(join(tmpdir(), "drover-tuf-"));
  try {
    const store = new FsMetadataStore(join(dir, "tuf"));
    await store.write("team-radio.json", new Uint8Array([7]));
    assert.deepEqual(await store.read("team-radio.json"), new Uint8Array([7]));
    await store.write("registry.npmjs.org.json", new Uint8Array([8]));
    assert.deepEqual(await store.read("registry.npmjs.org.json"), new Uint8Array([8]));
    for (
      const bad of [
        "../team.json",
        "a/b.json",
        "a..b.json",
        "1.root.json",
        "Team.json",
        ".json",
        "team",
        "-x.json",
      ]
    ) {
      await assert.rejects(store.write(bad, new Uint8Array()), TypeError, bad);
    }
  } finally {
    await rm(dir, { recursive: true });
  }
});

Deno.test("openRepository() refuses without a trusted root and says how to provision one", async () => {
  const dir = await mkdtemp(join(tmpdir(), "drover-tuf-"));
  try {
    const api = pathToFileURL(join(dir, "repo/"));
    await assert.rejects(
      openRepository(api, join(dir, "tuf")),
      (e) => e instanceof TrustError && /cp <repo>\/tuf\/1\.root\.json .*tuf\/root\.json/.test(e.message),
    );
    await assert.rejects(
      openRepository(api, join(dir, "tuf"), { trustedRoot: join(dir, "missing.json") }),
      (e) => e instanceof TrustError && /Cannot read trusted root/.test(e.message),
    );
  } finally {
    await rm(dir, { recursive: true });
  }
});

Deno.test("openRepository() refuses a --trusted-root that is not a self-signed root, before any request", async () => {
  const dir = await mkdtemp(join(tmpdir(), "drover-tuf-"));
  try {
    const tuf = join(dir, "tuf");
    await mkdir(tuf);
    await writeFile(join(tuf, "root.json"), "{}"); // the workspace holds a root: the file is still checked
    const root = { _type: "root", keys: {}, roles: { root: { keyids: [], threshold: 1 } } };
    const cases: Record<string, [string, RegExp]> = {
      "garbage.json": ["not a root\n", /: not TUF metadata \(.*\); provision/],
      "timestamp.json": [
        JSON.stringify({ signed: { _type: "timestamp" }, signatures: [] }),
        /not root metadata/,
      ],
      "unsigned.json": [JSON.stringify({ signed: root, signatures: [] }), /not signed by its own root keys/],
    };
    // an api nobody serves: refused before any request is made
    const api = new URL("http://127.0.0.1:9/");
    for (const [name, [text, detail]] of Object.entries(cases)) {
      await writeFile(join(dir, name), text);
      await assert.rejects(
        openRepository(api, tuf, { trustedRoot: join(dir, name), retries: 0 }),
        (e) =>
          e instanceof TrustError && e.message.startsWith(`Cannot read trusted root ${join(dir, name)}: `) &&
          detail.test(e.message) && !e.message.includes("\n"),
      );
    }
  } finally {
    await rm(dir, { recursive: true });
  }
});
