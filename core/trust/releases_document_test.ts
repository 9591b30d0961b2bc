import assert from "node:assert/strict";
import { releasesDocument } from "./releases_document.ts";
import type { TargetInfo } from "./target_info.ts";

function app(
  commit: string,
  ref: string,
  serial: number,
  extra: Partial<TargetInfo["hashes"]> = {},
): TargetInfo {
  return {
    path: `apps/o/a/${ref}/${commit}.tar.gz`,
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
    app("ccccccc", "beta", 5),
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
