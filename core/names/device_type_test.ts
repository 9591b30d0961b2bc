import assert from "node:assert/strict";
import { assertDeviceType, isDeviceType } from "./device_type.ts";
import { HOSTILE } from "./_testing.ts";

Deno.test("isDeviceType() accepts slugs and aliases that are one safe segment", () => {
  for (const ok of ["raspberrypi4-64", "rpi4", "intel-nuc", "RPI4"]) {
    assert.ok(isDeviceType(ok), ok);
    assertDeviceType(ok);
  }
  for (const bad of [...HOSTILE, "Raspberry Pi 4", "rpi4/..", "d".repeat(129)]) {
    assert.equal(isDeviceType(bad), false, JSON.stringify(bad));
    assert.throws(() => assertDeviceType(bad, { what: "alias" }), /Cannot use alias/, JSON.stringify(bad));
  }
});
