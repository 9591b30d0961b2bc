import assert from "node:assert/strict";
import { type Inventory, MAX_INVENTORY_APPS, parseInventory, trackedRefs } from "./inventory.ts";

const app = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  ref: "main",
  commit: "68200ec",
  serial: 12,
  sha256: "ab".repeat(32),
  releaseId: "20260101T000000-68200ec",
  ...extra,
});
const good = (): Record<string, unknown> => ({
  schema: 1,
  deviceType: "raspberrypi4-64",
  osVersion: "Debian GNU/Linux 12 (bookworm)",
  droverVersion: "0.1.0",
  apps: [app("acme/zeta"), app("acme/alpha", { serial: null, sha256: null, releaseId: null })],
  labels: { site: "north", "hw/rev": "3" },
});

Deno.test("parseInventory() returns a clean copy: apps sorted by name, labels by key, nulls kept", () => {
  const input = good();
  const inventory: Inventory = parseInventory(JSON.parse(JSON.stringify(input)));
  assert.deepEqual(inventory.apps.map((a) => a.name), ["acme/alpha", "acme/zeta"]);
  assert.deepEqual(inventory.apps[0], {
    name: "acme/alpha",
    ref: "main",
    commit: "68200ec",
    serial: null,
    sha256: null,
    releaseId: null,
  });
  assert.deepEqual(Object.keys(inventory.labels), ["hw/rev", "site"]);
  assert.equal(inventory.osVersion, "Debian GNU/Linux 12 (bookworm)");
  const { osVersion: _, ...noOs } = input;
  assert.equal("osVersion" in parseInventory(noOs), false);
  assert.deepEqual(parseInventory({ ...input, apps: [], labels: {} }).apps, []);
});

Deno.test("parseInventory() refuses wrong types, formats, lengths, counts, duplicates and unknown schemas", () => {
  const cases: [Record<string, unknown>, RegExp, ErrorConstructor][] = [
    [{ schema: 2 }, /\$\.schema is 2: this Drover reads schema 1 only/, RangeError],
    [{ schema: "1" }, /\$\.schema/, RangeError],
    [{ extra: 1 }, /\$ has an unknown field 'extra'/, TypeError],
    [{ deviceType: "../x" }, /\$\.deviceType must be/, TypeError],
    [{ deviceType: "" }, /\$\.deviceType must be 1 to 128/, RangeError],
    [{ deviceType: "a".repeat(129) }, /deviceType must be 1 to 128/, RangeError],
    [{ droverVersion: 1 }, /droverVersion must be a string/, TypeError],
    [{ osVersion: "a\nb" }, /osVersion holds control characters/, TypeError],
    [{ osVersion: "x".repeat(129) }, /osVersion/, RangeError],
    [{ apps: {} }, /\$\.apps must be an array/, TypeError],
    [
      { apps: Array.from({ length: MAX_INVENTORY_APPS + 1 }, (_, i) => app(`a/app${i}`)) },
      /65 entries/,
      RangeError,
    ],
    [{ apps: [app("acme/radio"), app("acme/radio")] }, /\$\.apps\[1\] repeats app 'acme\/radio'/, TypeError],
    [{ apps: [app("radio")] }, /apps\[0\]\.name must be OWNER\/APP/, TypeError],
    [{ apps: [app("acme/../x")] }, /apps\[0\]\.name/, TypeError],
    [{ apps: [app("acme/.hidden")] }, /apps\[0\]\.name/, TypeError],
    [{ apps: [app("a/b", { ref: "../main" })] }, /apps\[0\]\.ref/, TypeError],
    [
      { apps: [app("a/b", { commit: "ABCDEF0" })] },
      /apps\[0\]\.commit must be 7 to 64 lower-case hex/,
      TypeError,
    ],
    [{ apps: [app("a/b", { serial: -1 })] }, /apps\[0\]\.serial must be from 0/, RangeError],
    [{ apps: [app("a/b", { serial: 1.5 })] }, /apps\[0\]\.serial must be an integer/, TypeError],
    [{ apps: [app("a/b", { serial: "3" })] }, /apps\[0\]\.serial must be an integer/, TypeError],
    [{ apps: [app("a/b", { sha256: "AB".repeat(32) })] }, /apps\[0\]\.sha256/, TypeError],
    [{ apps: [app("a/b", { releaseId: "a/b" })] }, /apps\[0\]\.releaseId/, TypeError],
    [{ apps: [app("a/b", { extra: true })] }, /apps\[0\] has an unknown field 'extra'/, TypeError],
    [{ apps: [{ name: "a/b" }] }, /apps\[0\] lacks 'ref'/, TypeError],
    [{ apps: [null] }, /apps\[0\] must be an object/, TypeError],
    [{ tracked: {} }, /\$\.tracked must be an array/, TypeError],
    [{ tracked: [{ name: "a/b" }] }, /tracked\[0\] lacks 'ref'/, TypeError],
    [
      { tracked: [{ name: "a/b", ref: "main", commit: null }] },
      /tracked\[0\] has an unknown field 'commit'/,
      TypeError,
    ],
    [{ tracked: [{ name: "radio", ref: "main" }] }, /tracked\[0\]\.name must be OWNER\/APP/, TypeError],
    [{ tracked: [{ name: "a/b", ref: "../main" }] }, /tracked\[0\]\.ref/, TypeError],
    [
      { tracked: [{ name: "a/b", ref: "main" }, { name: "a/b", ref: "main" }] },
      /\$\.tracked\[1\] repeats app 'a\/b' on ref 'main'/,
      TypeError,
    ],
    [
      {
        tracked: Array.from(
          { length: MAX_INVENTORY_APPS + 1 },
          (_, i) => ({ name: `a/app${i}`, ref: "main" }),
        ),
      },
      /tracked has 65 entries/,
      RangeError,
    ],
    [{ labels: [] }, /labels must be an object/, TypeError],
    [{ labels: { "": "x" } }, /labels key/, RangeError],
    [{ labels: { "-x": "x" } }, /labels key must be a label key/, TypeError],
    [{ labels: { site: 1 } }, /labels\.site must be a string/, TypeError],
    [{ labels: { site: "x".repeat(129) } }, /labels\.site/, RangeError],
    [
      { labels: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, "v"])) },
      /more than 32/,
      RangeError,
    ],
  ];
  for (const [patch, pattern, Kind] of cases) {
    assert.throws(() => parseInventory({ ...good(), ...patch }), (e: unknown) => {
      assert.ok(e instanceof Kind, `${JSON.stringify(patch).slice(0, 60)}: ${e}`);
      assert.match((e as Error).message, /^Cannot read inventory: /);
      assert.match((e as Error).message, pattern);
      return true;
    });
  }
  for (const bad of [null, [], "x", 1]) assert.throws(() => parseInventory(bad), /\$ must be an object/);
  const { apps: _, ...noApps } = good();
  assert.throws(() => parseInventory(noApps), /\$ lacks 'apps'/);
  // A __proto__ key in device JSON is refused, never assigned.
  assert.throws(() => parseInventory({ ...good(), labels: JSON.parse('{"__proto__":{"x":1}}') }), TypeError);
});

Deno.test("parseInventory() reads `tracked` (optional: older devices send none); trackedRefs() joins it with the apps", () => {
  const old = parseInventory(good());
  assert.equal("tracked" in old, false, "an inventory without it stays without it");
  assert.deepEqual(trackedRefs(old), [{ name: "acme/alpha", ref: "main" }, {
    name: "acme/zeta",
    ref: "main",
  }]);
  const inventory = parseInventory({
    ...good(),
    tracked: [{ name: "acme/zeta", ref: "main" }, { name: "acme/zeta", ref: "develop" }, {
      name: "acme/new",
      ref: "main",
    }],
  });
  assert.deepEqual(inventory.tracked, [
    { name: "acme/new", ref: "main" },
    { name: "acme/zeta", ref: "develop" },
    { name: "acme/zeta", ref: "main" },
  ]);
  assert.ok(Object.isFrozen(inventory.tracked) && Object.isFrozen(inventory.tracked![0]));
  assert.deepEqual(trackedRefs(inventory), [
    { name: "acme/alpha", ref: "main" },
    { name: "acme/zeta", ref: "main" },
    { name: "acme/new", ref: "main" },
    { name: "acme/zeta", ref: "develop" },
  ]);
  const fresh = parseInventory({ ...good(), apps: [], tracked: [{ name: "acme/hello", ref: "main" }] });
  assert.deepEqual(
    trackedRefs(fresh),
    [{ name: "acme/hello", ref: "main" }],
    "nothing installed, still tracked",
  );
});
