import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import {
  type Abilities,
  getAbilities,
  HASH_ALGORITHMS,
  type HashAlgorithm,
  setAbilities,
  webAbilities,
} from "./abilities.ts";
import { nodeAbilities } from "./node.ts";

const ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

function hex(u8: Uint8Array): string {
  return Array.from(u8, (b) => b.toString(16).padStart(2, "0")).join("");
}

function data(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + (i >> 8)) & 255;
  return out;
}

async function gunzip(abilities: Abilities, gz: Uint8Array, chunk = 1000): Promise<Uint8Array> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < gz.length; i += chunk) controller.enqueue(gz.slice(i, i + chunk));
      controller.close();
    },
  });
  return new Uint8Array(await new Response(source.pipeThrough(abilities.createGunzip())).arrayBuffer());
}

const DIGEST_LENGTH: Record<HashAlgorithm, number> = { sha256: 32, sha1: 20, sha384: 48, sha512: 64 };

for (const abilities of [webAbilities, nodeAbilities]) {
  Deno.test(`${abilities.name} abilities: incremental hashing equals node:crypto one-shot for every algorithm`, () => {
    const input = data(200_003);
    for (const algorithm of HASH_ALGORITHMS) {
      const h = abilities.createHasher(algorithm);
      for (let i = 0; i < input.length; i += 65_521) h.update(input.subarray(i, i + 65_521));
      const digest = h.digest();
      assert.ok(digest instanceof Uint8Array);
      assert.equal(digest.length, DIGEST_LENGTH[algorithm]);
      assert.equal(hex(digest), createHash(algorithm).update(input).digest("hex"), algorithm);
    }
  });

  Deno.test(`${abilities.name} abilities: hashers are independent of each other`, () => {
    const a = abilities.createHasher("sha256");
    const b = abilities.createHasher("sha256");
    a.update(new TextEncoder().encode("abc"));
    b.update(new TextEncoder().encode("xyz"));
    assert.equal(hex(a.digest()), ABC_SHA256);
    assert.notEqual(hex(b.digest()), ABC_SHA256);
  });

  Deno.test(`${abilities.name} abilities: unknown hash algorithms throw`, () => {
    assert.throws(() => abilities.createHasher("no-such-hash" as HashAlgorithm));
  });

  Deno.test(`${abilities.name} abilities: gunzip restores a single-member gzip stream`, async () => {
    const input = data(300_000);
    assert.deepEqual(await gunzip(abilities, gzipSync(input)), input);
  });

  Deno.test(`${abilities.name} abilities: gunzip errors on corrupt input`, async () => {
    const gz = gzipSync(data(50_000));
    gz[gz.length - 6]! ^= 0xff; // CRC32 trailer
    await assert.rejects(gunzip(abilities, gz));
  });
}

Deno.test("node abilities: gunzip handles multi-member gzip (concatenated members)", async () => {
  const a = data(70_000);
  const b = new TextEncoder().encode("second member");
  const gz = new Uint8Array([...gzipSync(a), ...gzipSync(b)]);
  const out = await gunzip(nodeAbilities, gz, 4096);
  assert.deepEqual(out, new Uint8Array([...a, ...b]));
});

Deno.test("web abilities: unknown algorithm is a TypeError naming it", () => {
  assert.throws(() => webAbilities.createHasher("md5" as HashAlgorithm), {
    name: "TypeError",
    message: /'md5'/,
  });
});

Deno.test("getAbilities() defaults to web; setAbilities() swaps and returns the previous ones", () => {
  assert.equal(getAbilities(), webAbilities);
  const previous = setAbilities(nodeAbilities);
  try {
    assert.equal(previous, webAbilities);
    assert.equal(getAbilities(), nodeAbilities);
    assert.equal(getAbilities().name, "node");
  } finally {
    assert.equal(setAbilities(previous), nodeAbilities);
  }
  assert.equal(getAbilities(), webAbilities);
});

Deno.test("node abilities: hashing batches chunks across the 1 MiB boundary without losing or reordering bytes", () => {
  const input = data(3 * 1024 * 1024 + 17);
  // Small, boundary-straddling and larger-than-batch chunks, in one stream.
  const sizes = [1, 65_536, 1024 * 1024 - 3, 7, 2 * 1024 * 1024 + 5, 100];
  const h = nodeAbilities.createHasher("sha256");
  let offset = 0;
  for (let i = 0; offset < input.length; i++) {
    const size = sizes[i % sizes.length]!;
    h.update(input.subarray(offset, offset + size));
    offset += size;
  }
  assert.equal(hex(h.digest()), createHash("sha256").update(input).digest("hex"));
});

Deno.test("node abilities: one-shot hashing (the first chunk unbatched) and then more chunks agree with node:crypto", () => {
  for (const sizes of [[0], [5], [300], [1024 * 1024 + 9], [300, 7, 1024 * 1024, 2]]) {
    const input = data(sizes.reduce((a, b) => a + b, 0));
    const h = nodeAbilities.createHasher("sha256");
    let offset = 0;
    for (const size of sizes) {
      const chunk = input.slice(offset, offset + size);
      h.update(chunk);
      chunk.fill(0); // what was passed is hashed at update time, not kept
      offset += size;
    }
    assert.equal(hex(h.digest()), createHash("sha256").update(input).digest("hex"), String(sizes));
  }
});
