import assert from "node:assert/strict";
import { InstallBuilder } from "./install_builder.ts";
import { MemorySource } from "./memory_source.ts";
import { CompositeSource } from "./composite_source.ts";
import type { ArtifactSource } from "./source.ts";
import type { ValidationCode } from "./reasons.ts";
import { bytesOf, entryOf, manifestOf, testSigning } from "./_test_signing.ts";

const T = await testSigning();
const NOW = new Date("2026-06-01T00:00:00Z");

const A = bytesOf(1, 200_000);
const B = bytesOf(2, 1000);
const C = bytesOf(3, 70_000);
const EA = await entryOf("a.bin", A);
const EB = await entryOf("b.bin", B);
const EC = await entryOf("c.bin", C);

function builder(extra: Partial<ConstructorParameters<typeof InstallBuilder>[0]> = {}) {
  return new InstallBuilder({ verify: T.verify, now: NOW, deviceType: "rpi4", ...extra });
}

async function fullSource(name = "usb"): Promise<MemorySource> {
  const s = new MemorySource(name);
  s.put("base", "manifest", await T.sign(manifestOf("base", { nodes: { primary: [EA] } })));
  s.put(
    "app",
    "manifest",
    await T.sign(manifestOf("app", { extends: "base", nodes: { primary: [EB], n2: [EC] } })),
  );
  s.put("a.bin", "artifact", A).put("b.bin", "artifact", B).put("c.bin", "artifact", C);
  s.put("extra.bin", "artifact", bytesOf(9, 10));
  return s;
}

Deno.test("InstallBuilder resolves a two-manifest chain and reports every artifact available", async () => {
  const b = builder().setManifestId("app").addSource(await fullSource());
  await b.build();
  assert.equal(b.isChainComplete(), true);
  assert.deepEqual(b.getManifestChain().map((m) => m.id), ["app", "base"]);
  assert.deepEqual(
    b.getRequiredArtifacts(),
    ["app", "base", "a.bin", "c.bin", "b.bin"],
    "ancestors first, nodes by name",
  );
  assert.equal(b.isComplete(), true);
  assert.deepEqual(b.getMissing(), []);
  assert.equal(b.getFirstMissing(), undefined);
  assert.equal(b.getMissingManifestId(), undefined);
  assert.deepEqual(b.getCorrupt(), []);
  assert.equal(b.getInvalid().size, 0);
  assert.deepEqual(b.getAvailable(), ["app", "base", "a.bin", "c.bin", "b.bin"]);
  assert.equal(b.getManifestArtifact("c.bin")?.nodes[0], "n2");
  assert.equal(b.getManifestArtifact("a.bin")?.manifest, "base");
  assert.equal(b.getManifestArtifact("app"), undefined, "manifests are not manifest artifacts");
  assert.equal(b.getManifestArtifact("extra.bin"), undefined, "sources may hold more than needed");
  assert.equal(b.getArtifact("b.bin")?.source, "usb");
  assert.equal(b.getArtifact("extra.bin"), undefined);
});

Deno.test("InstallBuilder.setManifest() uses a manifest that is in no source", async () => {
  const s = await fullSource();
  s.delete("app", "manifest");
  const bytes = await T.sign(manifestOf("app", { extends: "base", nodes: { primary: [EB] } }));
  const b = builder().setManifestId("ignored").setManifest(bytes).addSource(s);
  await b.build();
  assert.equal(b.isComplete(), true);
  assert.equal(b.getInitialManifestId(), "app");
  assert.equal(b.getArtifact("app")?.source, "given");
});

Deno.test("InstallBuilder reports a missing parent manifest and stops the chain there", async () => {
  const s = await fullSource();
  s.delete("base", "manifest");
  const b = builder().setManifestId("app").addSource(s);
  await b.build();
  assert.equal(b.isChainComplete(), false);
  assert.equal(b.getMissingManifestId(), "base");
  assert.equal(b.getFirstMissing(), "base");
  assert.deepEqual(b.getManifestChain().map((m) => m.id), ["app"]);
  assert.equal(b.isComplete(), false);
});

Deno.test("InstallBuilder lists missing artifacts in order and getFirstMissing() names the first", async () => {
  const s = await fullSource();
  s.delete("b.bin", "artifact");
  s.delete("c.bin", "artifact");
  const b = builder().setManifestId("app").addSource(s);
  await b.build();
  assert.equal(b.isChainComplete(), true);
  assert.deepEqual(b.getMissing(), ["c.bin", "b.bin"]);
  assert.equal(b.getFirstMissing(), "c.bin");
  assert.equal(b.isComplete(), false);
  assert.deepEqual(b.getAvailable(), ["app", "base", "a.bin"]);
});

Deno.test("InstallBuilder takes a good copy from a later source when an earlier one is corrupt", async () => {
  const bad = new MemorySource("bad");
  const flipped = A.slice();
  flipped[A.length - 1]! ^= 1; // tail damage: the mini-hash sees it
  bad.put("a.bin", "artifact", flipped).put("b.bin", "artifact", B.subarray(1));
  const b = builder().setManifestId("app").addSource(bad).addSource(await fullSource("good"));
  await b.build();
  assert.equal(b.isComplete(), true);
  assert.equal(b.getArtifact("a.bin")?.source, "good");
  assert.equal(b.getArtifact("b.bin")?.source, "good");
});

Deno.test("InstallBuilder lists an artifact with only damaged copies as corrupt and invalid", async () => {
  const s = await fullSource();
  const flipped = A.slice();
  flipped[10]! ^= 0xff;
  s.put("a.bin", "artifact", flipped);
  s.put("b.bin", "artifact", bytesOf(7, 1000)); // same size, other bytes
  const b = builder().setManifestId("app").addSource(s);
  await b.build();
  assert.deepEqual(b.getCorrupt(), ["a.bin", "b.bin"]);
  assert.equal(b.getInvalid().get("a.bin")?.code, "INVALID_MINI_HASH");
  assert.equal(b.getInvalid().get("a.bin")?.source, "usb");
  assert.equal(b.isComplete(), false);
  assert.deepEqual(b.getMissing(), []);
  assert.equal(b.getArtifact("a.bin"), undefined);
});

Deno.test("InstallBuilder skips a source that fails and uses the next one", async () => {
  const failing: ArtifactSource = {
    name: "down",
    list: () => Promise.reject(new Error("EIO")),
    get: () => Promise.reject(new Error("EIO")),
  };
  const b = builder().setManifestId("app").addSource(failing).addSource(await fullSource());
  await b.build();
  assert.equal(b.isComplete(), true);
});

Deno.test("InstallBuilder prefers what is installed and marks it so (nothing to fetch)", async () => {
  const installed = new MemorySource("installed", { installed: true }).put("a.bin", "artifact", A);
  const b = builder().setManifestId("app").addSource(installed).addSource(await fullSource());
  await b.build();
  assert.equal(b.getArtifact("a.bin")?.installed, true);
  assert.equal(b.getArtifact("b.bin")?.installed, false);
});

Deno.test("InstallBuilder works through a CompositeSource, including past a corrupt member copy", async () => {
  const bad = new MemorySource("bad").put("a.bin", "artifact", bytesOf(5, A.length));
  const b = builder().setManifestId("app").addSource(new CompositeSource([bad, await fullSource("good")]));
  await b.build();
  assert.equal(b.isComplete(), true);
  assert.equal(b.getArtifact("a.bin")?.source, "good");
});

Deno.test("InstallBuilder detects a cycle in the chain", async () => {
  const s = new MemorySource("usb");
  s.put("x", "manifest", await T.sign(manifestOf("x", { extends: "y" })));
  s.put("y", "manifest", await T.sign(manifestOf("y", { extends: "x" })));
  const b = builder().setManifestId("x").addSource(s);
  await b.build();
  assert.equal(b.isChainComplete(), false);
  assert.equal(b.getInvalid().get("x")?.code, "CHAIN_CYCLE");
});

Deno.test("InstallBuilder lets the nearer manifest override an artifact of its parent", async () => {
  const s = await fullSource();
  const A2 = bytesOf(11, 500);
  s.put("a.bin", "artifact", A2);
  const EA2 = await entryOf("a.bin", A2);
  s.put("app", "manifest", await T.sign(manifestOf("app", { extends: "base", nodes: { primary: [EA2] } })));
  const b = builder().setManifestId("app").addSource(s);
  await b.build();
  assert.equal(b.isComplete(), true);
  assert.equal(b.getManifestArtifact("a.bin")?.sha256, EA2.sha256);
  assert.equal(b.getManifestArtifact("a.bin")?.manifest, "app");
});

Deno.test("InstallBuilder refuses to report before build() and to build without a manifest", async () => {
  const b = builder();
  assert.throws(() => b.isComplete(), TypeError);
  await assert.rejects(() => b.build(), TypeError);
});

// The ten reasons of the seed: each is produced by one manifest property and reported under the manifest id.
const other = await testSigning();
const REASONS: [ValidationCode, () => Promise<Uint8Array>, Record<string, unknown>?][] = [
  ["INVALID_DATES", () => T.sign(manifestOf("m", { notAfter: "2026-01-01T00:00:00Z" }))],
  ["INVALID_SIGNATURE", () => other.sign(manifestOf("m"))],
  ["NO_MANIFEST_JSON", () => Promise.resolve(new TextEncoder().encode("{not json"))],
  ["NOT_INSTALL_MANIFEST", () => T.sign({ ...manifestOf("m"), kind: "update" })],
  ["NOT_MANIFEST_TYPE", () => T.sign({ ...manifestOf("m"), type: "something-else" })],
  ["MANIFEST_UNTRUSTED_MODE", () => T.sign(manifestOf("m", { mode: "untrusted" }))],
  ["NOT_DEVICE_MANIFEST", () => T.sign({ ...manifestOf("m"), target: "cloud" })],
  ["INCOMPATIBLE_DEVICE_TYPE", () => T.sign(manifestOf("m", { deviceTypes: ["jetson-nano"] }))],
  ["BLOCKED_MANIFEST", () => T.sign(manifestOf("m")), { blocked: ["m"] }],
];

for (const [code, make, opts] of REASONS) {
  Deno.test(`InstallBuilder reports ${code} for the manifest and leaves the chain incomplete`, async () => {
    const s = new MemorySource("usb").put("m", "manifest", await make());
    const b = builder(opts).setManifestId("m").addSource(s);
    await b.build();
    assert.equal(b.isChainComplete(), false);
    assert.equal(b.isComplete(), false);
    assert.equal(b.getInvalid().get("m")?.code, code);
    assert.deepEqual(b.getAvailable(), []);
  });
}

Deno.test("InstallBuilder reports INVALID_MINI_HASH for an artifact whose head, tail or size differ", async () => {
  for (const damage of ["head", "tail", "size"]) {
    const s = await fullSource();
    const a = damage === "size" ? A.subarray(0, A.length - 1) : A.slice();
    if (damage === "head") a[0]! ^= 1;
    if (damage === "tail") a[a.length - 1]! ^= 1;
    s.put("a.bin", "artifact", a);
    const b = builder().setManifestId("app").addSource(s);
    await b.build();
    assert.equal(b.getInvalid().get("a.bin")?.code, "INVALID_MINI_HASH", damage);
  }
});

Deno.test("InstallBuilder reports BLOCKED_MANIFEST when a manifest of the chain revokes another", async () => {
  const s = await fullSource();
  s.put("app", "manifest", await T.sign(manifestOf("app", { extends: "base", blocked: ["base"] })));
  const b = builder().setManifestId("app").addSource(s);
  await b.build();
  assert.equal(b.getInvalid().get("base")?.code, "BLOCKED_MANIFEST");
});

Deno.test("InstallBuilder accepts an untrusted-mode manifest on an untrusted device, dates in window", async () => {
  const m = manifestOf("m", {
    mode: "untrusted",
    notBefore: "2026-01-01T00:00:00Z",
    notAfter: "2027-01-01T00:00:00Z",
  });
  const s = new MemorySource("usb").put("m", "manifest", await T.sign(m));
  const b = builder({ deviceMode: "untrusted" }).setManifestId("m").addSource(s);
  await b.build();
  assert.equal(b.isComplete(), true);
});

Deno.test("InstallBuilder uses a valid copy of a manifest when an earlier source has a forged one", async () => {
  const forged = new MemorySource("forged").put("app", "manifest", await other.sign(manifestOf("app")));
  const b = builder().setManifestId("app").addSource(forged).addSource(await fullSource("good"));
  await b.build();
  assert.equal(b.isComplete(), true);
  assert.equal(b.getArtifact("app")?.source, "good");
});

Deno.test("InstallBuilder reports ID_MISMATCH when a source serves another manifest under the id", async () => {
  const s = new MemorySource("usb").put("m", "manifest", await T.sign(manifestOf("other")));
  const b = builder().setManifestId("m").addSource(s);
  await b.build();
  assert.equal(b.getInvalid().get("m")?.code, "ID_MISMATCH");
  assert.deepEqual(b.getCorrupt(), ["m"]);
});
