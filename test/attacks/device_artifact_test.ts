/**
 * Attacks on the artifact bytes (the metadata is genuine): tampered archive, wrong length, endless body.
 * Each `drover update` must exit 3 and leave the target and the workspace (but status.json) as they were.
 *
 * Before each attack the device has already refreshed the genuine metadata of release two (a `check`
 * while the archive answered 404), so that the metadata it legitimately trusts is not a difference.
 * DEBUG_ATTACKS=1 prints what drover said about each attack.
 */
import assert from "node:assert/strict";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  changedPaths,
  endlessBody,
  installedScenario,
  runDrover,
  type Scenario,
  SCENARIO_APP,
} from "../harness.ts";

/** `s` reset, with release two published and its metadata already trusted by the device. */
async function prepared(s: Scenario): Promise<{ path: string; archive: Uint8Array }> {
  await s.reset();
  await s.repo.addApp({ ...SCENARIO_APP, commit: s.commits.two, file: s.archives.two });
  const doc = JSON.parse(await readFile(join(s.repo.dir, "releases.json"), "utf8"));
  const path = "/" + doc[SCENARIO_APP.name][SCENARIO_APP.ref].file.replace(/^\//, "");
  s.server.intercept = (p) => (p === path ? new Response("gone", { status: 404 }) : undefined);
  const check = await runDrover(s.device.args("check", s.server.url));
  assert.notEqual(check.code, 0, "check must fail while the archive is 404");
  s.server.intercept = undefined;
  return { path, archive: await readFile(s.archives.two) };
}

/** Runs `drover update` against `respond`; asserts exit 3 and no change on disk except `allowed`. */
async function assertRefused(
  s: Scenario,
  path: string,
  respond: (request: Request) => Response,
  allowed: RegExp = /^$/,
) {
  const before = await s.snapshot();
  s.server.intercept = (p, request) => (p === path ? respond(request) : undefined);
  const r = await runDrover(s.device.args("update", s.server.url), { timeoutMs: 60_000 });
  s.server.intercept = undefined;
  if (Deno.env.get("DEBUG_ATTACKS")) console.error(r.stderr);
  assert.equal(r.code, 3, `expected exit 3, got ${r.code}\n${r.stderr}`);
  const after = await s.snapshot();
  assert.deepEqual(changedPaths(before.target, after.target), [], "target changed");
  assert.deepEqual(changedPaths(before.workspace, after.workspace).filter((p) => !allowed.test(p)), []);
  return r;
}

Deno.test("device refuses attacks on the artifact bytes with exit 3 and no change on disk", async (t) => {
  const s = await installedScenario();
  try {
    await t.step(
      "update refuses a tampered archive (one byte changed on the server after signing): exit 3, nothing changed",
      async () => {
        const { path, archive } = await prepared(s);
        const bad = archive.slice();
        bad[bad.length >> 1]! ^= 0xff;
        await assertRefused(s, path, () => new Response(bad));
      },
    );

    await t.step(
      "update refuses an archive whose gzip header or trailer is corrupt (zlib fails mid-write): exit 3",
      async () => {
        for (const at of [3, -6]) {
          const { path, archive } = await prepared(s);
          const bad = archive.slice();
          bad[at < 0 ? bad.length + at : at]! ^= 0xff;
          await assertRefused(s, path, () => new Response(bad));
        }
      },
    );

    await t.step(
      "update refuses an archive longer than signed (other bytes, more of them): exit 3, nothing changed",
      async () => {
        const { path, archive } = await prepared(s);
        const longer = new Uint8Array(archive.length + 4096);
        longer.set(archive, 4096); // junk first: the signed-length prefix does not verify
        await assertRefused(s, path, () => new Response(longer));
      },
    );

    await t.step(
      "update refuses an archive shorter than signed (the server always ends early): exit 3, target unchanged",
      async () => {
        const { path, archive } = await prepared(s);
        const half = archive.slice(0, archive.length >> 1);
        await assertRefused(s, path, (request) => {
          const m = /^bytes=(\d+)-/.exec(request.headers.get("range") ?? "");
          const start = m ? Number(m[1]) : 0;
          if (start >= half.length) {
            return new Response(null, {
              status: 416,
              headers: { "content-range": `bytes */${half.length}` },
            });
          }
          const headers = m
            ? { "content-range": `bytes ${start}-${half.length - 1}/${half.length}` }
            : undefined;
          return new Response(half.slice(start), { status: m ? 206 : 200, headers });
        }, /\.part$/); // a partial download may be kept for a later resume; nothing is installed or trusted
      },
    );

    await t.step(
      "update stops reading an endless body at the signed length and refuses it: exit 3, nothing changed",
      async () => {
        const { path, archive } = await prepared(s);
        let sent = 0;
        const junk = new Uint8Array(65_536).fill(0x5a);
        await assertRefused(s, path, () => {
          const body = endlessBody(junk).pipeThrough(
            new TransformStream<Uint8Array, Uint8Array>({
              transform(chunk, controller) {
                sent += chunk.length;
                controller.enqueue(chunk);
              },
            }),
          );
          return new Response(body); // chunked, no length: only the signed length can stop it
        });
        // It stopped: at most the signed length plus what socket buffers hold was ever produced.
        assert.ok(sent < archive.length + (64 << 20), `server produced ${sent} bytes`);
        const parts = await readdir(join(s.device.workspace, "downloads")).catch(() => [] as string[]);
        for (const name of parts) {
          const size = (await stat(join(s.device.workspace, "downloads", name))).size;
          assert.ok(
            size <= archive.length,
            `${name} grew to ${size} bytes past the signed ${archive.length}`,
          );
        }
      },
    );
  } finally {
    await s.close();
  }
});
