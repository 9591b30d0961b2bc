import assert from "node:assert/strict";
import { releasesDocument } from "./releases_document.ts";
import type { TargetInfo } from "./target_info.ts";

function app(
  commit: string,
  ref: string,
  serial: number,
  extra: Partial<TargetInfo["hashes"]> = {},
  ext = ".tar.gz",
): TargetInfo {
  return {
    path: `apps/o/a/${ref}/${commit}${ext}`,
    length: serial * 10,
    hashes: { sha256: commit.padEnd(64, "0"), ...extra },
    url: `targets/apps/o/a/${ref}/${commit.padEnd(64, "0")}.${commit}.tar.gz`,
    custom: { kind: "app", name: "o/a", ref, commit, serial, updated: "2026-01-01T00:00:00Z" },
  };
}

Deno.test("releasesDocument() gives each name and ref its highest-serial release in the radiodan shape", () => {
  const doc = releasesDocument([
    app("bbbbbbb", "main", 2, { sha1: "1".repeat(40) }),
    app("aaaaaaa", "main", 1),
    app("ccccccc", "beta", 5, { sha1: "2".repeat(40) }),
    {
      path: "device-types.json",
      length: 1,
      hashes: { sha256: "0".repeat(64) },
      url: "x",
      custom: { kind: "device-types" },
    },
  ]);
  assert.deepEqual(Object.keys(doc), ["o/a"]);
  assert.deepEqual(doc["o/a"]!.main, {
    commit: "bbbbbbb",
    file: `targets/apps/o/a/main/${"bbbbbbb".padEnd(64, "0")}.bbbbbbb.tar.gz`,
    sha1: "1".repeat(40),
    sha256: "bbbbbbb".padEnd(64, "0"),
    size: 20,
    updated: "2026-01-01T00:00:00Z",
    serial: 2,
  });
  assert.equal(doc["o/a"]!.beta!.commit, "ccccccc");
});

Deno.test("releasesDocument() leaves out a ref whose current release legacy clients cannot install", () => {
  const sha1 = { sha1: "1".repeat(40) };
  const targets = [
    app("aaaaaaa", "main", 1, sha1),
    app("bbbbbbb", "main", 2), // sha256 only: the original radiodan updater panics on an entry without sha1
    app("ccccccc", "beta", 1, sha1, ".tar"), // uncompressed: they run tar -xzf
    app("ddddddd", "stable", 3, sha1),
  ];
  const doc = releasesDocument(targets);
  assert.deepEqual(Object.keys(doc["o/a"]!), ["stable"], "never an older release in the current one's place");
  for (const refs of Object.values(doc)) {
    for (const entry of Object.values(refs)) {
      for (const field of ["file", "sha1", "commit"] as const) assert.equal(typeof entry[field], "string");
    }
  }
  const every = releasesDocument(targets, { legacyOnly: false });
  assert.deepEqual(Object.keys(every["o/a"]!).sort(), ["beta", "main", "stable"]);
  assert.equal(every["o/a"]!.main!.commit, "bbbbbbb");
  assert.deepEqual(releasesDocument([app("bbbbbbb", "main", 2)]), {}, "no refs left: no name either");
});
