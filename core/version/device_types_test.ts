import assert from "node:assert/strict";
import { NotFoundError } from "../errors.ts";
import { type DeviceType, DeviceTypes } from "./device_types.ts";

const LIST: DeviceType[] = [
  { slug: "raspberrypi4-64", name: "Raspberry Pi 4 (64 bit)", aliases: ["rpi4", "raspberrypi4-64"] },
  { slug: "raspberry-pi", aliases: ["raspberrypi", "rpi"] },
  { slug: "intel-nuc" },
];

const RESOLVES: [string, string][] = [
  ["raspberrypi4-64", "raspberrypi4-64"],
  ["rpi4", "raspberrypi4-64"],
  ["RPI4", "raspberrypi4-64"],
  [" rpi ", "raspberry-pi"],
  ["raspberrypi", "raspberry-pi"],
  ["intel-nuc", "intel-nuc"],
];

for (const [asked, slug] of RESOLVES) {
  Deno.test(`DeviceTypes.resolve('${asked}') gives the canonical slug '${slug}'`, () => {
    assert.equal(new DeviceTypes(LIST).resolve(asked).slug, slug);
  });
}

for (const asked of ["raspberrypi5", "", "rpi4 x"]) {
  Deno.test(`DeviceTypes.resolve('${asked}') throws NotFoundError naming the type`, () => {
    assert.throws(() => new DeviceTypes(LIST).resolve(asked), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.equal(err.code, "E_NOT_FOUND");
      assert.ok(err.message.startsWith("Cannot resolve device type: "));
      assert.ok(err.message.includes(`'${asked}'`));
      return true;
    });
  });
}

const BAD_LISTS: [string, unknown, RegExp][] = [
  ["a duplicate slug", [{ slug: "a" }, { slug: "a" }], /'a' names both 'a' and 'a'/],
  ["a slug differing only in case", [{ slug: "a" }, { slug: "A" }], /names both/],
  ["an alias shared by two types", [{ slug: "a", aliases: ["x"] }, { slug: "b", aliases: ["x"] }], /'x'/],
  [
    "an alias equal to another slug",
    [{ slug: "a" }, { slug: "b", aliases: ["a"] }],
    /'a' names both 'a' and 'b'/,
  ],
  ["an empty slug", [{ slug: "" }], /invalid slug/],
  ["a slug with spaces around", [{ slug: " a" }], /invalid slug/],
  ["a non-string alias", [{ slug: "a", aliases: [1] }], /invalid alias/],
  ["aliases that are not an array", [{ slug: "a", aliases: "x" }], /invalid alias/],
  ["a non-string name", [{ slug: "a", name: 3 }], /non-string name/],
  ["an entry that is not an object", [null], /not an object/],
  ["not an array", { deviceTypes: [] }, /expected an array/],
];

for (const [what, list, message] of BAD_LISTS) {
  Deno.test(`new DeviceTypes() rejects ${what} with TypeError`, () => {
    assert.throws(() => new DeviceTypes(list as DeviceType[]), (err: unknown) => {
      assert.ok(err instanceof TypeError);
      assert.match(err.message, /^Cannot list device types: /);
      assert.match(err.message, message);
      return true;
    });
  });
}

Deno.test("DeviceTypes.list() keeps order and gives frozen copies the caller cannot corrupt", () => {
  const input: DeviceType[] = [{ slug: "b", aliases: ["bee"] }, { slug: "a" }];
  const types = new DeviceTypes(input);
  input[0]!.aliases!.push("later");
  const list = types.list();
  assert.deepEqual(list.map((t) => t.slug), ["b", "a"]);
  assert.deepEqual(list[0]!.aliases, ["bee"]);
  assert.deepEqual(list[1]!.aliases, []);
  assert.ok(Object.isFrozen(list[0]) && Object.isFrozen(list[0]!.aliases));
  list.pop();
  assert.equal(types.list().length, 2);
  assert.throws(() => types.resolve("later"), NotFoundError);
  assert.equal(types.resolve("bee"), types.list()[0]);
});

Deno.test("DeviceTypes.resolve() rejects a non-string with TypeError", () => {
  assert.throws(() => new DeviceTypes(LIST).resolve(undefined as unknown as string), TypeError);
});
