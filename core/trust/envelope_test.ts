import assert from "node:assert/strict";
import { decodeMetadata, encodeMetadata, signEnvelope } from "./envelope.ts";
import { generateKeyPair } from "./key_pair.ts";

Deno.test("signEnvelope() signs once per distinct key and encodeMetadata() is canonical and deterministic", async () => {
  const a = await generateKeyPair(), b = await generateKeyPair();
  const env = await signEnvelope({ z: 1, a: [1, 2], _type: "targets" }, [a, b, a]);
  assert.deepEqual(env.signatures.map((s) => s.keyid), [a.keyid, b.keyid]);
  const text = new TextDecoder().decode(encodeMetadata(env));
  assert.ok(text.startsWith('{"signatures":[{"keyid":'));
  assert.ok(text.includes('"signed":{"_type":"targets","a":[1,2],"z":1}'));
  const again = await signEnvelope({ _type: "targets", a: [1, 2], z: 1 }, [a, b]);
  assert.deepEqual(
    encodeMetadata(again),
    encodeMetadata(env),
    "Ed25519 is deterministic; key order irrelevant",
  );
  await assert.rejects(signEnvelope({}, []), TypeError);
});

Deno.test("decodeMetadata() accepts an envelope and rejects non-objects, bad JSON and bad signature lists", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  assert.equal(decodeMetadata(enc('{"signed":{"version":1},"signatures":[]}')).signed.version, 1);
  assert.throws(() => decodeMetadata(enc("[1]")), TypeError);
  assert.throws(() => decodeMetadata(enc("{")), SyntaxError);
  assert.throws(() => decodeMetadata(enc('{"signed":[],"signatures":[]}')), /'signed'/);
  assert.throws(() => decodeMetadata(enc('{"signed":{},"signatures":{}}')), /'signatures'/);
  assert.throws(() => decodeMetadata(enc('{"signed":{},"signatures":[{"keyid":1}]}')), /keyid or sig/);
  assert.throws(() => decodeMetadata(new Uint8Array([0x7b, 0xff, 0x7d])), TypeError, "not UTF-8");
});
