import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import { serveStatic } from "./static_server.ts";
import { DeviceFixture, drover } from "./device_fixture.ts";

for (const runtime of ["node", "deno"] as const) {
  Deno.test(`install (${runtime}) from a stored download the disk corrupted: exit 3 saying so, removed, fetched again by check`, async () => {
    const fx = await DeviceFixture.create();
    await using _fx = fx;
    await fx.installApp("radio", { name: "acme/radio", ref: "main", commit: "0000000" });
    const archive = await fx.publish("acme/radio", "main", "aaaaaaa1", {
      "blob.txt": randomBytes(300_000).toString("base64"),
    });
    const sha256 = createHash("sha256").update(await Deno.readFile(archive)).digest("hex");
    await using server = serveStatic(fx.repo);
    const api = ["--api", server.url.href];
    const checked = await drover(["check", ...fx.args(), ...api], { runtime });
    assert.equal(checked.code, 0, checked.stderr);
    const blob = join(fx.ws, "downloads", `${sha256}.blob`);
    const bytes = await Deno.readFile(blob);
    bytes[200_000] = bytes[200_000]! ^ 0xff; // a flipped bit on the device's disk
    await Deno.writeFile(blob, bytes);

    const failed = await drover(["install", ...fx.args()], { runtime });
    assert.equal(failed.code, 3, failed.stderr);
    assert.match(failed.stderr, /Cannot install acme\/radio aaaaaaa1: its stored download is corrupt \(/);
    assert.match(failed.stderr, /the next check or update downloads it again/);
    await assert.rejects(Deno.stat(blob), Deno.errors.NotFound);
    assert.equal(await fx.currentCommit("radio"), "0000000");

    const again = await drover(["check", ...fx.args(), ...api], { runtime });
    assert.equal(again.code, 0, again.stderr);
    const installed = await drover(["install", ...fx.args()], { runtime });
    assert.equal(installed.code, 0, installed.stderr);
    assert.equal(await fx.currentCommit("radio"), "aaaaaaa1");
  });
}
