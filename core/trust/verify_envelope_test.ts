import assert from "node:assert/strict";
import { TrustError } from "../errors.ts";
import { signEnvelope } from "./envelope.ts";
import { generateKeyPair, type KeyPair, keyToTuf } from "./key_pair.ts";
import { type RootKeys, verifyEnvelope } from "./verify_envelope.ts";

function rootOf(roles: Record<string, { keys: KeyPair[]; threshold: number }>): RootKeys {
  const root: RootKeys = { keys: {}, roles: {} };
  for (const [name, { keys, threshold }] of Object.entries(roles)) {
    for (const k of keys) root.keys[k.keyid] = keyToTuf(k);
    root.roles[name] = { keyids: keys.map((k) => k.keyid), threshold };
  }
  return root;
}

Deno.test("verifyEnvelope() meets a 2-of-3 threshold and reports the count", async () => {
  const [a, b, c] = [await generateKeyPair(), await generateKeyPair(), await generateKeyPair()];
  const root = rootOf({ targets: { keys: [a!, b!, c!], threshold: 2 } });
  assert.equal(await verifyEnvelope(await signEnvelope({ v: 1 }, [a!, c!]), root, "targets"), 2);
  await assert.rejects(
    verifyEnvelope(await signEnvelope({ v: 1 }, [b!]), root, "targets"),
    /signed by 1\/2 keys/,
  );
});

Deno.test("verifyEnvelope() counts a repeated keyid once, ignores other roles' and unknown keys and bad signatures", async () => {
  const [t, s, x] = [await generateKeyPair(), await generateKeyPair(), await generateKeyPair()];
  const root = rootOf({ targets: { keys: [t!], threshold: 2 }, snapshot: { keys: [s!], threshold: 1 } });
  const env = await signEnvelope({ v: 1 }, [t!, s!, x!]);
  env.signatures.push({ ...env.signatures[0]! }, { keyid: t!.keyid, sig: "zz" }, {
    keyid: t!.keyid,
    sig: "00".repeat(64),
  });
  await assert.rejects(verifyEnvelope(env, root, "targets"), (e: unknown) => {
    assert.ok(e instanceof TrustError);
    assert.equal(e.message, "Cannot verify targets metadata: signed by 1/2 keys");
    return true;
  });
});

Deno.test("verifyEnvelope() refuses tampered content, non-ed25519 keys and roles the root lacks", async () => {
  const k = await generateKeyPair();
  const root = rootOf({ timestamp: { keys: [k], threshold: 1 } });
  const env = await signEnvelope({ version: 1 }, [k]);
  await assert.rejects(
    verifyEnvelope({ ...env, signed: { version: 2 } }, root, "timestamp"),
    /signed by 0\/1/,
  );
  const rsa = { ...root, keys: { [k.keyid]: { ...root.keys[k.keyid]!, keytype: "rsa" } } };
  await assert.rejects(verifyEnvelope(env, rsa, "timestamp"), /signed by 0\/1/);
  await assert.rejects(verifyEnvelope(env, root, "snapshot"), /no valid 'snapshot' role/);
  const zero = rootOf({ timestamp: { keys: [k], threshold: 0 } });
  await assert.rejects(verifyEnvelope(env, zero, "timestamp"), /no valid 'timestamp' role/);
  const badKey = {
    keys: { [k.keyid]: { keytype: "ed25519", scheme: "ed25519", keyval: { public: "00" } } },
    roles: root.roles,
  };
  await assert.rejects(
    verifyEnvelope(env, badKey, "timestamp", { label: "ts" }),
    /Cannot verify ts: signed by 0\/1/,
  );
});

Deno.test("verifyEnvelope() refuses a signed part that is not canonical JSON (a float) with a TrustError", async () => {
  const k = await generateKeyPair();
  const root = rootOf({ targets: { keys: [k], threshold: 1 } });
  const env = await signEnvelope({ version: 1 }, [k]);
  await assert.rejects(
    verifyEnvelope({ ...env, signed: { version: 1.5 } }, root, "targets"),
    (e) => e instanceof TrustError && /signed part is not canonical JSON/.test(e.message),
  );
});
