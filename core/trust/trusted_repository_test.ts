import { TrustError } from "../errors.ts";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { parseDeviceTypesDocument, TrustedRepository } from "./trusted_repository.ts";

const H = (n: number) => n.toString(16).padStart(64, "0");
const app = (commit: string, ref: string, serial: number) => ({
  length: 1,
  hashes: { sha256: H(serial) },
  custom: { kind: "app", name: "acme/radio", ref, commit, serial, updated: "2026-01-01T00:00:00Z" },
});
const image = (deviceType: string, version: string) => ({
  length: 1,
  hashes: { sha256: H(9) },
  custom: { kind: "image", deviceType, version, variant: "prod", prerelease: false },
});
const versions = { root: 1, targets: 1, snapshot: 1, timestamp: 1 };

Deno.test("TrustedRepository.findApp() picks the highest serial of the name and ref", () => {
  const repo = new TrustedRepository({
    targets: {
      "apps/acme/radio/main/ccccccc.tar.gz": app("ccccccc", "main", 2),
      "apps/acme/radio/main/aaaaaaa.tar.gz": app("aaaaaaa", "main", 3),
      "apps/acme/radio/main/bbbbbbb.tar.gz": app("bbbbbbb", "main", 1),
      "apps/acme/radio/beta/ddddddd.tar.gz": app("ddddddd", "beta", 9),
      "foreign.bin": { length: 1, hashes: { sha512: "ab" } },
    },
    versions,
    expires: new Date(),
  });
  assert.equal((repo.findApp("acme/radio", "main")?.custom as { commit: string }).commit, "aaaaaaa");
  assert.equal(repo.findApp("acme/radio", "nope"), undefined);
  assert.equal(repo.findApp("acme/other", "main"), undefined);
  assert.equal(repo.apps().length, 4, "a foreign entry without sha256 is not offered");
});

Deno.test("TrustedRepository refuses the whole metadata when a signed app entry is unsafe or its rollout malformed", () => {
  const unsafe: Record<string, Record<string, unknown>> = {
    "bad path": { "bad/../path": app("eeeeeee", "main", 99) },
    "bad commit": { "apps/acme/radio/main/x.tar.gz": app("../../../etc", "main", 100) },
    "bad name": {
      "apps/acme/radio/main/y.tar.gz": {
        ...app("fffffff", "main", 101),
        custom: { ...app("fffffff", "main", 101).custom, name: "../x" },
      },
    },
    "bad ref": { "apps/acme/radio/main/z.tar.gz": app("fffffff", "../../etc", 102) },
    "name longer than 96 characters (no device could name its files after it)": {
      [`apps/${"o".repeat(48)}/${"a".repeat(48)}/main/fffffff.tar.gz`]: {
        ...app("fffffff", "main", 104),
        custom: { ...app("fffffff", "main", 104).custom, name: `${"o".repeat(48)}/${"a".repeat(48)}` },
      },
    },
    "malformed rollout (never widened to every device)": {
      "apps/acme/radio/main/r.tar.gz": {
        ...app("fffffff", "main", 103),
        custom: {
          ...app("fffffff", "main", 103).custom,
          rollout: { id: "r1", steps: [{ afterHours: 0, percent: 5 }] },
        },
      },
    },
  };
  for (const [label, targets] of Object.entries(unsafe)) {
    assert.throws(
      () =>
        new TrustedRepository({
          targets: { "apps/acme/radio/main/ccccccc.tar.gz": app("ccccccc", "main", 2), ...targets },
          versions,
          expires: new Date(),
        }),
      (e: unknown) => e instanceof TrustError && /Cannot trust targets metadata/.test(e.message),
      label,
    );
  }
});

Deno.test("TrustedRepository refuses a signed app name over 96 characters as unsafe, and accepts 96", () => {
  const entry = (name: string) => ({
    [`apps/${name}/main/fffffff.tar.gz`]: {
      ...app("fffffff", "main", 5),
      custom: { ...app("fffffff", "main", 5).custom, name },
    },
  });
  const longest = `${"o".repeat(48)}/${"a".repeat(47)}`;
  const repo = new TrustedRepository({ targets: entry(longest), versions, expires: new Date() });
  assert.ok(repo.findApp(longest, "main"));
  assert.throws(
    () => new TrustedRepository({ targets: entry(`${longest}a`), versions, expires: new Date() }),
    (e: unknown) =>
      e instanceof TrustError &&
      /is unsafe \(Cannot use app name 'o+\/a+…': longer than 96 characters\)/.test(e.message),
  );
});

Deno.test("TrustedRepository.images() lists a device type's images only; deviceTypes() verifies then parses", () => {
  const doc = new TextEncoder().encode('{"deviceTypes":[{"slug":"rpi4","name":"Pi","aliases":["pi4"]}]}');
  const repo = new TrustedRepository({
    targets: {
      "images/rpi4/1.0.0/prod/os.img": image("rpi4", "1.0.0"),
      "images/rpi3/1.0.0/prod/os.img": image("rpi3", "1.0.0"),
      "images/rpi4/0.9.0/prod/os.img": image("rpi4", "0.9.0"),
      "device-types.json": {
        length: doc.length,
        hashes: { sha256: createHash("sha256").update(doc).digest("hex") },
        custom: { kind: "device-types" },
      },
    },
    versions,
    expires: new Date(),
  });
  assert.deepEqual(repo.images("rpi4").map((t) => (t.custom as { version: string }).version), [
    "0.9.0",
    "1.0.0",
  ]);
  assert.deepEqual(repo.deviceTypes(doc), [{ slug: "rpi4", name: "Pi", aliases: ["pi4"] }]);
  const tampered = doc.slice();
  tampered[20] = tampered[20]! ^ 1;
  assert.throws(() => repo.deviceTypes(tampered), { code: "E_INTEGRITY" });
  assert.throws(() => repo.verifyTarget("nope", doc), { code: "E_NOT_FOUND" });
});

Deno.test("parseDeviceTypesDocument() rejects documents without a deviceTypes array or slugs", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  assert.deepEqual(parseDeviceTypesDocument(enc('{"deviceTypes":[{"slug":"a","aliases":[1,"b"]}]}')), [
    { slug: "a", aliases: ["b"] },
  ]);
  assert.throws(() => parseDeviceTypesDocument(enc("{}")), TypeError);
  assert.throws(() => parseDeviceTypesDocument(enc('{"deviceTypes":[{}]}')), TypeError);
});
