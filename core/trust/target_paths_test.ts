import assert from "node:assert/strict";
import { appTargetPath, assertTargetPath, imageTargetPath, targetUrl } from "./target_paths.ts";

Deno.test("appTargetPath()/imageTargetPath() build the documented names and reject bad parts", () => {
  assert.equal(
    appTargetPath({ name: "acme/radio", ref: "main", commit: "0123abc" }),
    "apps/acme/radio/main/0123abc.tar.gz",
  );
  assert.equal(
    appTargetPath({ name: "a/b", ref: "r", commit: "f".repeat(64), ext: ".tar" }),
    `apps/a/b/r/${"f".repeat(64)}.tar`,
  );
  assert.throws(() => appTargetPath({ name: "acme", ref: "main", commit: "0123abc" }), /OWNER\/APP/);
  assert.throws(() => appTargetPath({ name: "a/b", ref: "main", commit: "0123ABC" }), /hex/);
  assert.throws(() => appTargetPath({ name: "a/b", ref: "main", commit: "012345" }), /hex/);
  assert.throws(() => appTargetPath({ name: "a/b", ref: "main", commit: "0".repeat(65) }), /hex/);
  assert.throws(
    () => appTargetPath({ name: "a/b", ref: "main", commit: "0123abc", ext: ".zip" as ".tar" }),
    TypeError,
  );
  assert.equal(
    imageTargetPath({ deviceType: "rpi4", version: "2.88.4+rev2", variant: "dev", basename: "os.img.gz" }),
    "images/rpi4/2.88.4+rev2/dev/os.img.gz",
  );
  assert.throws(
    () => imageTargetPath({ deviceType: "rpi4", version: "1.0.0", variant: "beta" as "dev", basename: "a" }),
    /variant/,
  );
  assert.throws(
    () => imageTargetPath({ deviceType: "rpi4", version: "1.0.0", variant: "dev", basename: "../a" }),
    TypeError,
  );
});

Deno.test("targetUrl() puts the sha256 before the basename, in the target's directory", () => {
  const h = "ab".repeat(32);
  assert.equal(targetUrl("apps/a/b/main/0123abc.tar.gz", h), `targets/apps/a/b/main/${h}.0123abc.tar.gz`);
  assert.equal(targetUrl("device-types.json", h), `targets/${h}.device-types.json`);
  assert.throws(() => targetUrl("a//b", h), TypeError);
  assert.throws(() => targetUrl("/etc/passwd", h), TypeError);
  assert.throws(() => targetUrl("a", "AB".repeat(32)), TypeError);
  assert.throws(() => assertTargetPath(""), TypeError);
});
