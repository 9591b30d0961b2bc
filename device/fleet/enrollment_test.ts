import assert from "node:assert/strict";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Enrollment, readEnrollment, writeEnrollment } from "./enrollment.ts";

const RECORD: Enrollment = {
  version: 1,
  deviceId: "d_" + "e".repeat(32),
  api: "https://edge.example/",
  state: "accepted",
  labels: { site: "north" },
  deviceType: "rpi4",
  at: "2026-01-01T00:00:00.000Z",
};

Deno.test("enrollment.json round-trips (mode 0600); none is undefined; a damaged one is refused by name", async () => {
  const dir = await mkdtemp(join(tmpdir(), "enrollment-test-"));
  try {
    const path = join(dir, "enrollment.json");
    assert.equal(await readEnrollment(path), undefined);
    await writeEnrollment(path, RECORD);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await readEnrollment(path), RECORD);
    const bad: [unknown, RegExp][] = [
      ["{", /not JSON/],
      [{ ...RECORD, version: 2 }, /unknown version/],
      [{ ...RECORD, deviceId: "../x" }, /bad deviceId/],
      [{ ...RECORD, api: "file:///x" }, /bad api/],
      [{ ...RECORD, state: "maybe" }, /bad state/],
      [{ ...RECORD, deviceType: "a b" }, /bad deviceType/],
      [{ ...RECORD, labels: { "bad key": "x" } }, /labels/],
    ];
    for (const [doc, message] of bad) {
      await writeFile(path, typeof doc === "string" ? doc : JSON.stringify(doc));
      await assert.rejects(readEnrollment(path), (e: unknown) => {
        assert.ok(e instanceof TypeError);
        assert.match(e.message, /^Cannot read enrollment /);
        assert.match(e.message, message);
        return true;
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
