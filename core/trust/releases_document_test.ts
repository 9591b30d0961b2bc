import assert from "node:assert/strict";
import { createRollout } from "../rollout/mod.ts";
import { releasesDocument } from "./releases_document.ts";
import type { AppCustom, TargetInfo } from "./target_info.ts";

const NOW = new Date("2026-03-01T00:00:00Z");

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
  ], { now: NOW });
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
  const doc = releasesDocument(targets, { now: NOW });
  assert.deepEqual(Object.keys(doc["o/a"]!), ["stable"], "never an older release in the current one's place");
  for (const refs of Object.values(doc)) {
    for (const entry of Object.values(refs)) {
      for (const field of ["file", "sha1", "commit"] as const) assert.equal(typeof entry[field], "string");
    }
  }
  const every = releasesDocument(targets, { legacyOnly: false });
  assert.deepEqual(Object.keys(every["o/a"]!).sort(), ["beta", "main", "stable"]);
  assert.equal(every["o/a"]!.main!.commit, "bbbbbbb");
  assert.deepEqual(
    releasesDocument([app("bbbbbbb", "main", 2)], { now: NOW }),
    {},
    "no refs left: no name either",
  );
});

const SHA1 = { sha1: "1".repeat(40) };
const HOUR = 3_600_000;

/** A legacy-installable release of o/a main with a rollout `steps` published at NOW. */
function staged(commit: string, serial: number, steps: string): TargetInfo {
  const t = app(commit, "main", serial, SHA1);
  const rollout = createRollout({ id: `o:a:main:${serial}:${commit}`, publishedAt: NOW, steps });
  return { ...t, custom: { ...(t.custom as AppCustom), rollout } };
}

Deno.test("releasesDocument() offers legacy clients a staged release only once its signed rollout is at 100%", () => {
  const targets = [app("aaaaaaa", "main", 1, SHA1), staged("bbbbbbb", 2, "10,50@24h,100@48h")];
  const commitAt = (hours: number) =>
    releasesDocument(targets, { now: new Date(NOW.getTime() + hours * HOUR) })["o/a"]?.main?.commit;
  // they have no identity to bucket: 10% of them cannot be chosen, so none gets it before 100%
  assert.equal(commitAt(0), "aaaaaaa", "at 10%: the newest release at 100% (no rollout)");
  assert.equal(commitAt(-5), "aaaaaaa", "before publication: the first step");
  assert.equal(commitAt(47.9), "aaaaaaa", "at 50%");
  assert.equal(commitAt(48), "bbbbbbb", "at 100%");
  assert.equal(
    releasesDocument(targets, { legacyOnly: false })["o/a"]?.main?.commit,
    "bbbbbbb",
    "every current release: rollouts or not",
  );
  assert.deepEqual(
    releasesDocument([staged("bbbbbbb", 2, "10,100@1h")], { now: NOW }),
    {},
    "no older release: the ref is left out",
  );
  assert.equal(
    releasesDocument([staged("bbbbbbb", 2, "100")], { now: NOW })["o/a"]?.main?.commit,
    "bbbbbbb",
    "a rollout at 100% from its first step",
  );
  const stuck = [app("aaaaaaa", "main", 1, SHA1), staged("bbbbbbb", 2, "10,50@1h")];
  const later = new Date(NOW.getTime() + 1000 * HOUR);
  assert.equal(
    releasesDocument(stuck, { now: later })["o/a"]?.main?.commit,
    "aaaaaaa",
    "a rollout that stops below 100%",
  );
});

Deno.test("releasesDocument() passes over every pending release, newest first, to the newest at 100%", () => {
  const targets = [
    staged("aaaaaaa", 1, "100"),
    staged("bbbbbbb", 2, "5,100@24h"),
    staged("ccccccc", 3, "5,100@72h"),
  ];
  const at = (hours: number) =>
    releasesDocument(targets, { now: new Date(NOW.getTime() + hours * HOUR) })["o/a"]?.main?.commit;
  assert.equal(at(1), "aaaaaaa");
  assert.equal(at(24), "bbbbbbb");
  assert.equal(at(72), "ccccccc");
  // a pending release legacy clients could not install does not hide the ref: none of them runs it
  const noSha1 = { ...app("ddddddd", "main", 4), custom: { ...staged("ddddddd", 4, "5,100@96h").custom } };
  assert.equal(
    releasesDocument([...targets, noSha1], { now: new Date(NOW.getTime() + 72 * HOUR) })["o/a"]?.main?.commit,
    "ccccccc",
  );
});

Deno.test("releasesDocument() never offers a release whose rollout the edge holds; at 100% the ref is left out", () => {
  const old = app("aaaaaaa", "main", 1, SHA1);
  const pending = staged("bbbbbbb", 2, "10,100@24h");
  const full = staged("bbbbbbb", 2, "100");
  const id = "o:a:main:2:bbbbbbb";
  const heldTo = (
    targets: TargetInfo[],
    hold: { cap: number | null; state: "running" | "paused" | "halted" | "ended" },
  ) => releasesDocument(targets, { now: NOW, holds: { [id]: hold } })["o/a"]?.main?.commit;
  for (
    const hold of [{ cap: 0, state: "paused" }, { cap: 0, state: "halted" }, {
      cap: 50,
      state: "running",
    }] as const
  ) {
    assert.equal(heldTo([old, pending], hold), "aaaaaaa", `pending and ${hold.state} (cap ${hold.cap})`);
    // at 100% legacy clients may run it: an older release would take them back, so none is offered
    assert.equal(heldTo([old, full], hold), undefined, `at 100% and ${hold.state} (cap ${hold.cap})`);
  }
  assert.equal(
    heldTo([old, full], { cap: null, state: "ended" }),
    "bbbbbbb",
    "ended: the signed percent alone",
  );
  assert.equal(heldTo([old, full], { cap: null, state: "running" }), "bbbbbbb");
  assert.equal(heldTo([old, full], { cap: 100, state: "running" }), "bbbbbbb");
  assert.equal(
    releasesDocument([old, full], { now: NOW, holds: { other: { cap: 0, state: "halted" } } })["o/a"]?.main
      ?.commit,
    "bbbbbbb",
    "another rollout's hold changes nothing",
  );
});

Deno.test("releasesDocument() refuses a legacy view without a valid now", () => {
  assert.throws(
    () => releasesDocument([], { now: new Date(NaN) }),
    /^TypeError: Cannot build the releases document: now/,
  );
  assert.throws(
    () => releasesDocument([], {} as unknown as { now: Date }),
    /^TypeError: Cannot build the releases document: now/,
  );
});
