import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NotFoundError } from "../../core/errors.ts";
import { readRegistration, registerApp } from "./registration.ts";

Deno.test("registerApp() writes .drover-app.json once, switches the ref, and refuses what is not its app", async () => {
  const root = await mkdtemp(join(tmpdir(), "drover-reg-"));
  const target = join(root, "target");
  const outside = join(root, "outside");
  try {
    await mkdir(target);
    await mkdir(outside);
    const r1 = await registerApp(target, { name: "acme/radio", ref: "main" });
    assert.deepEqual([r1.dirName, r1.action, r1.previousRef], ["radio", "registered", null]);
    assert.deepEqual(await readRegistration(join(target, "radio")), { name: "acme/radio", ref: "main" });
    assert.equal((await registerApp(target, { name: "acme/radio", ref: "main" })).action, "unchanged");
    const r3 = await registerApp(target, { name: "acme/radio", ref: "beta" });
    assert.deepEqual([r3.action, r3.previousRef], ["ref-changed", "main"]);
    await assert.rejects(
      registerApp(target, { name: "acme/tv", ref: "main", dirName: "radio" }),
      /already holds/,
    );
    // a directory that is a link out of the target is refused, nothing written there
    await symlink(outside, join(target, "escape"));
    await assert.rejects(registerApp(target, { name: "acme/escape", ref: "main" }), /not a directory/);
    assert.deepEqual(await readdir(outside), []);
    for (
      const bad of [{ name: "../x", ref: "main" }, { name: "radio", ref: "main" }, { name: "a", ref: ".." }, {
        name: "a",
        ref: "m",
        dirName: "..",
      }]
    ) {
      await assert.rejects(registerApp(target, bad), TypeError);
    }
    await assert.rejects(registerApp(join(root, "missing"), { name: "acme/a", ref: "main" }), NotFoundError);
    await writeFile(join(target, "radio/.drover-app.json"), "{");
    await assert.rejects(readRegistration(join(target, "radio")), /broken \.drover-app\.json/);
    assert.equal(await readFile(join(target, "radio/.drover-app.json"), "utf8"), "{");
  } finally {
    await rm(root, { recursive: true });
  }
});

Deno.test("registerApp() takes a target that is a symlink to a directory, not a symlink inside it", async () => {
  const root = await mkdtemp(join(tmpdir(), "drover-reg-"));
  try {
    await mkdir(join(root, "data/apps"), { recursive: true });
    await mkdir(join(root, "outside"));
    await symlink("data/apps", join(root, "apps")); // as /opt/apps -> /data/apps
    const r = await registerApp(join(root, "apps"), { name: "acme/radio", ref: "main" });
    assert.equal(r.action, "registered");
    assert.equal(r.dir, join(await realpath(root), "data/apps/radio"));
    assert.deepEqual(await readRegistration(join(root, "data/apps/radio")), {
      name: "acme/radio",
      ref: "main",
    });
    assert.equal(
      (await registerApp(join(root, "apps/"), { name: "acme/radio", ref: "main" })).action,
      "unchanged",
    );
    await symlink(join(root, "outside"), join(root, "data/apps/escape"));
    await assert.rejects(
      registerApp(join(root, "apps"), { name: "acme/escape", ref: "main" }),
      /not a directory/,
    );
    assert.deepEqual(await readdir(join(root, "outside")), []);
    await symlink(join(root, "missing"), join(root, "dangling"));
    await writeFile(join(root, "file"), "");
    for (const target of ["dangling", "file"]) {
      await assert.rejects(registerApp(join(root, target), { name: "acme/a", ref: "main" }), NotFoundError);
    }
  } finally {
    await rm(root, { recursive: true });
  }
});
