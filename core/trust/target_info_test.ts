import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  type AppCustom,
  targetDigest,
  targetInfoFromTuf,
  targetInfoToTuf,
  verifyTargetBytes,
} from "./target_info.ts";

const sha = (alg: string, b: Uint8Array) => createHash(alg).update(b).digest("hex");

Deno.test("targetInfoToTuf() lists only sha256 in TUF hashes and targetInfoFromTuf() restores sha512/sha1", () => {
  const bytes = new TextEncoder().encode("hello");
  const hashes = { sha256: sha("sha256", bytes), sha512: sha("sha512", bytes), sha1: sha("sha1", bytes) };
  const custom = { kind: "device-types" as const };
  const entry = targetInfoToTuf({ length: 5, hashes, custom });
  assert.deepEqual(Object.keys(entry.hashes), ["sha256"]);
  const info = targetInfoFromTuf("device-types.json", JSON.parse(JSON.stringify(entry)));
  assert.deepEqual(info.hashes, hashes);
  assert.deepEqual(info.custom, custom, "extraHashes is not part of custom");
  assert.equal(info.url, `targets/${hashes.sha256}.device-types.json`);
  verifyTargetBytes(info, bytes);
});

Deno.test("targetInfoFromTuf() offers a target listing only sha512 or sha384, named and verified by it", () => {
  const bytes = new TextEncoder().encode("target file contents");
  const only512 = targetInfoFromTuf("dir/file.txt", {
    length: bytes.length,
    hashes: { sha512: sha("sha512", bytes) },
  });
  assert.equal(only512.url, `targets/dir/${sha("sha512", bytes)}.file.txt`);
  assert.deepEqual(targetDigest(only512.hashes), { algorithm: "sha512", hex: sha("sha512", bytes) });
  verifyTargetBytes(only512, bytes);
  assert.throws(
    () => verifyTargetBytes(only512, new TextEncoder().encode("target file contentz")),
    /sha512 mismatch/,
  );
  const both = targetInfoFromTuf("f", {
    length: bytes.length,
    hashes: { sha384: sha("sha384", bytes), "blake9": "00", sha512: "00".repeat(64) },
  });
  assert.throws(() => verifyTargetBytes(both, bytes), /sha512 mismatch/, "every listed hash must match");
  assert.deepEqual(targetInfoToTuf(only512).hashes, { sha512: sha("sha512", bytes) });
});

Deno.test("targetInfoFromTuf() refuses hashes it cannot verify; consistentSnapshot: false drops the prefix", () => {
  const hex = "ab".repeat(32);
  assert.throws(() => targetInfoFromTuf("a", { length: 1, hashes: { "unknown-hash": hex } }), {
    code: "E_TRUST",
    message: /no hash Drover can verify \(listed: unknown-hash;/,
  });
  assert.throws(() => targetInfoFromTuf("a", { length: 1, hashes: { md5: "00".repeat(16) } }), {
    code: "E_TRUST",
  });
  assert.throws(
    () => targetInfoFromTuf("a", { length: 1, hashes: { sha256: "AB".repeat(32) } }),
    /malformed sha256/,
  );
  assert.throws(() => targetInfoFromTuf("a", { length: 1, hashes: { sha512: hex } }), /malformed sha512/);
  const plain = targetInfoFromTuf("a/b.txt", { length: 1, hashes: { sha256: hex } }, {
    consistentSnapshot: false,
  });
  assert.equal(plain.url, "targets/a/b.txt");
});

Deno.test("targetInfoFromTuf() refuses entries without a hash, with bad lengths or unsafe paths", () => {
  const h = { sha256: "00".repeat(32) };
  assert.throws(() => targetInfoFromTuf("a", { length: 1, hashes: {} }), { code: "E_TRUST" });
  assert.throws(() => targetInfoFromTuf("a", { length: -1, hashes: h }), { code: "E_TRUST" });
  assert.throws(() => targetInfoFromTuf("a", { length: 1.5, hashes: h }), { code: "E_TRUST" });
  assert.throws(() => targetInfoFromTuf("../a", { length: 1, hashes: h }), { code: "E_TRUST" });
  assert.equal(targetInfoFromTuf("a", { length: 1, hashes: h }).custom.kind, "unknown" as never);
});

Deno.test("verifyTargetBytes() refuses wrong length, sha256 or sha512 with IntegrityError", () => {
  const bytes = new Uint8Array([1, 2, 3]);
  const good = targetInfoFromTuf("x", {
    length: 3,
    hashes: { sha256: sha("sha256", bytes), sha512: sha("sha512", bytes) },
  });
  verifyTargetBytes(good, bytes);
  assert.throws(() => verifyTargetBytes(good, new Uint8Array([1, 2])), /length 2, expected 3/);
  assert.throws(() => verifyTargetBytes(good, new Uint8Array([1, 2, 4])), /sha256 mismatch/);
  const bad512 = { ...good, hashes: { ...good.hashes, sha512: "00".repeat(64) } };
  assert.throws(() => verifyTargetBytes(bad512, bytes), { code: "E_INTEGRITY", message: /sha512 mismatch/ });
});

Deno.test("targetInfoFromTuf() checks an app's signed rollout: kept when well formed, else TrustError", () => {
  const h = { sha256: "00".repeat(32) };
  const custom = {
    kind: "app",
    name: "a/b",
    ref: "main",
    commit: "abcdef0",
    serial: 1,
    updated: "2026-01-01T00:00:00Z",
  };
  const rollout = {
    id: "a:b:main:1:abcdef0",
    publishedAt: "2026-01-01T00:00:00Z",
    steps: [{ afterHours: 0, percent: 5 }, { afterHours: 24, percent: 100 }],
    halt: { minDevices: 5, maxFailurePercent: 20 },
  };
  const info = targetInfoFromTuf("a", { length: 1, hashes: h, custom: { ...custom, rollout } });
  assert.deepEqual((info.custom as AppCustom).rollout, rollout);
  assert.ok(Object.isFrozen((info.custom as AppCustom).rollout));
  const noHalt = { ...rollout, halt: undefined };
  const unknownField = { ...rollout, labels: {} };
  const malformed = [null, { ...rollout, steps: [] }, noHalt, unknownField];
  for (const bad of malformed) {
    assert.throws(
      () =>
        targetInfoFromTuf("apps/a/b/main/abcdef0.tar.gz", {
          length: 1,
          hashes: h,
          custom: { ...custom, rollout: bad },
        }),
      {
        code: "E_TRUST",
        message: /^Cannot use target 'apps\/a\/b\/main\/abcdef0.tar.gz': malformed rollout: /,
      },
      JSON.stringify(bad),
    );
  }
  const other = targetInfoFromTuf("m", {
    length: 1,
    hashes: h,
    custom: { kind: "manifest", id: "m", rollout: 5 },
  });
  assert.equal((other.custom as Record<string, unknown>).rollout, 5, "only app targets have rollouts");
});
