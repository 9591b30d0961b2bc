import assert from "node:assert/strict";
import { generateDeviceKey } from "./device_identity.ts";
import { DeviceKeyCache } from "./device_key_cache.ts";

Deno.test("DeviceKeyCache keeps at most maxEntries keys, the least recently used going first", async () => {
  const cache = new DeviceKeyCache({ maxEntries: 2 });
  const [a, b, c] = await Promise.all([generateDeviceKey(), generateDeviceKey(), generateDeviceKey()]);
  const keyA = await cache.verifyKey(a!.kid, a!.x);
  await cache.verifyKey(b!.kid, b!.x);
  assert.equal(await cache.verifyKey(a!.kid, a!.x), keyA, "a used again: b is now the oldest");
  await cache.verifyKey(c!.kid, c!.x);
  assert.equal(cache.size, 2);
  assert.equal(cache.publicKeyOf(b!.kid), undefined, "b dropped");
  assert.equal(cache.publicKeyOf(a!.kid), a!.x);
  cache.forget(a!.kid);
  assert.equal(cache.publicKeyOf(a!.kid), undefined);
  cache.clear();
  assert.equal(cache.size, 0);
});

Deno.test("DeviceKeyCache never answers with a key other than the stored one; refused keys are not kept", async () => {
  const cache = new DeviceKeyCache();
  const a = await generateDeviceKey(), b = await generateDeviceKey();
  const keyA = await cache.verifyKey(a.kid, a.x);
  // Another stored key for the same id (changed under the cache): checked again, refused, not kept.
  await assert.rejects(cache.verifyKey(a.kid, b.x), { code: "E_SIGNATURE", message: /not d_/ });
  await assert.rejects(cache.verifyKey(a.kid, "AAAA"), { code: "E_SIGNATURE", message: /malformed/ });
  assert.equal(cache.publicKeyOf(a.kid), a.x, "the refused keys replaced nothing");
  assert.equal(await cache.verifyKey(a.kid, a.x), keyA);
  const none = new DeviceKeyCache({ maxEntries: 0 });
  assert.notEqual(await none.verifyKey(a.kid, a.x), await none.verifyKey(a.kid, a.x), "imported each time");
  assert.equal(none.size, 0);
  assert.throws(() => new DeviceKeyCache({ maxEntries: -1 }), RangeError);
});
