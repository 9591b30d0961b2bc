/**
 * Attacks on the signed metadata: expired (freeze), unknown signing key, replayed older metadata and a
 * signed downgrade. Each `drover update` must exit 3 and leave the target and the trusted metadata as
 * they were.
 * DEBUG_ATTACKS=1 prints what drover said about each attack.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateKeyPair } from "../../core/trust/mod.ts";
import {
  changedPaths,
  installedScenario,
  resign,
  runDrover,
  type Scenario,
  SCENARIO_APP,
  sha256,
  type Signed,
} from "../harness.ts";

const PAST = "2001-01-01T00:00:00Z";

/** Runs `drover update`; asserts exit 3 and no change of the target, and of tuf/ except `allowed`. */
async function assertRefused(s: Scenario, allowed: string[] = []) {
  const before = await s.snapshot();
  const r = await runDrover(s.device.args("update", s.server.url));
  if (Deno.env.get("DEBUG_ATTACKS")) console.error(r.stderr);
  assert.equal(r.code, 3, `expected exit 3, got ${r.code}\n${r.stderr}`);
  const after = await s.snapshot();
  assert.deepEqual(changedPaths(before.target, after.target), [], "target changed");
  assert.deepEqual(
    changedPaths(before.tuf, after.tuf).filter((p) => !allowed.includes(p)),
    [],
    "trusted metadata changed",
  );
  return r;
}

/** The TUF target path of the app's newest entry in the newest targets metadata. */
async function appTarget(s: Scenario): Promise<{ path: string; entry: Signed }> {
  const tuf = join(s.repo.dir, "tuf");
  const ts = JSON.parse(await readFile(join(tuf, "timestamp.json"), "utf8"));
  const snap = JSON.parse(
    await readFile(join(tuf, `${ts.signed.meta["snapshot.json"].version}.snapshot.json`), "utf8"),
  );
  const targets = JSON.parse(
    await readFile(join(tuf, `${snap.signed.meta["targets.json"].version}.targets.json`), "utf8"),
  );
  const [path, entry] = Object.entries(targets.signed.targets as Record<string, Signed>)
    .filter(([, e]) => e.custom?.name === SCENARIO_APP.name)
    .sort(([, a], [, b]) => b.custom.serial - a.custom.serial)[0]!;
  return { path, entry };
}

Deno.test("device refuses attacks on the signed metadata with exit 3 and no change on disk", async (t) => {
  const s = await installedScenario();
  try {
    await t.step("expired timestamp (freeze attack), freshly signed with the real key: refused", async () => {
      await s.reset();
      await s.repo.addApp({ ...SCENARIO_APP, commit: s.commits.two, file: s.archives.two });
      await resign(s.repo, { roles: ["timestamp"], timestamp: (t) => (t.expires = PAST) });
      await assertRefused(s);
    });

    await t.step("expired targets metadata, otherwise genuine: refused", async () => {
      await s.reset();
      await s.repo.addApp({ ...SCENARIO_APP, commit: s.commits.two, file: s.archives.two });
      await resign(s.repo, { targets: (t) => (t.expires = PAST) });
      // TUF persists a verified timestamp and snapshot before it looks at targets.
      await assertRefused(s, ["timestamp.json", "snapshot.json"]);
    });

    await t.step("every role re-signed by a key that root does not know: refused", async () => {
      await s.reset();
      await s.repo.addApp({ ...SCENARIO_APP, commit: s.commits.two, file: s.archives.two });
      const stranger = await generateKeyPair();
      await resign(s.repo, { keys: { targets: [stranger], snapshot: [stranger], timestamp: [stranger] } });
      await assertRefused(s);
    });

    await t.step(
      "targets signed by an unknown key under a genuine snapshot and timestamp: refused",
      async () => {
        await s.reset();
        const stranger = await generateKeyPair();
        await s.repo.addApp({ ...SCENARIO_APP, commit: s.commits.two, file: s.archives.two });
        await resign(s.repo, { keys: { targets: [stranger] } });
        await assertRefused(s, ["timestamp.json", "snapshot.json"]);
      },
    );

    await t.step("replayed older timestamp after the device has seen a newer one: refused", async () => {
      await s.reset();
      const old = await readFile(join(s.repo.dir, "tuf/timestamp.json"));
      await s.repo.addApp({ ...SCENARIO_APP, commit: s.commits.two, file: s.archives.two });
      const update = await runDrover(s.device.args("update", s.server.url));
      assert.equal(update.code, 0, update.stderr);
      await writeFile(join(s.repo.dir, "tuf/timestamp.json"), old);
      await assertRefused(s);
    });

    await t.step("new timestamp pointing at an older snapshot (snapshot rollback): refused", async () => {
      await s.reset();
      const tuf = join(s.repo.dir, "tuf");
      const oldVersion =
        JSON.parse(await readFile(join(tuf, "timestamp.json"), "utf8")).signed.meta["snapshot.json"].version;
      const oldBytes = await readFile(join(tuf, `${oldVersion}.snapshot.json`));
      await s.repo.addApp({ ...SCENARIO_APP, commit: s.commits.two, file: s.archives.two });
      const update = await runDrover(s.device.args("update", s.server.url));
      assert.equal(update.code, 0, update.stderr);
      await resign(s.repo, {
        roles: ["timestamp"],
        timestamp: (
          t,
        ) => (t.meta["snapshot.json"] = {
          version: oldVersion,
          length: oldBytes.length,
          hashes: { sha256: sha256(oldBytes) },
        }),
      });
      await assertRefused(s);
    });

    await t.step(
      "signed downgrade (serial lower than the installed one, no allowDowngrade): refused",
      async () => {
        await s.reset();
        // Publish release two (serial 2) and install it; then sign a targets where only release one remains.
        await s.repo.addApp({ ...SCENARIO_APP, commit: s.commits.two, file: s.archives.two });
        const update = await runDrover(s.device.args("update", s.server.url));
        assert.equal(update.code, 0, update.stderr);
        const two = await appTarget(s);
        assert.equal(two.entry.custom.commit, s.commits.two);
        await resign(s.repo, { targets: (t) => delete t.targets[two.path] });
        const r = await assertRefused(s, ["timestamp.json", "snapshot.json", "targets.json"]);
        assert.match(r.stderr, /downgrade|older/i);
      },
    );

    await t.step(
      "a signed app name over 96 characters (no file name could hold it): the whole metadata refused, exit 3",
      async () => {
        await s.reset();
        await s.repo.addApp({ ...SCENARIO_APP, commit: s.commits.two, file: s.archives.two });
        const two = await appTarget(s);
        const name = `${"o".repeat(128)}/${"a".repeat(128)}`;
        await resign(s.repo, {
          targets: (t) => {
            const entry = structuredClone(two.entry);
            entry.custom.name = name;
            t.targets[`apps/${name}/${entry.custom.ref}/${entry.custom.commit}.tar.gz`] = entry;
          },
        });
        const r = await assertRefused(s, ["timestamp.json", "snapshot.json"]);
        assert.match(r.stderr, /is unsafe \(Cannot use app name 'o+…': longer than 96 characters\)/);
      },
    );

    await t.step(
      "a downgrade the signed metadata allows is installed (control for the step above)",
      async () => {
        await s.reset();
        await s.repo.addApp({ ...SCENARIO_APP, commit: s.commits.two, file: s.archives.two });
        const update = await runDrover(s.device.args("update", s.server.url));
        assert.equal(update.code, 0, update.stderr);
        const two = await appTarget(s);
        await resign(s.repo, {
          targets: (t) => {
            delete t.targets[two.path];
            for (const entry of Object.values(t.targets as Record<string, Signed>)) {
              entry.custom.allowDowngrade = true;
            }
          },
        });
        const r = await runDrover(s.device.args("update", s.server.url));
        assert.equal(r.code, 0, r.stderr);
        const deploy = JSON.parse(await readFile(join(s.device.appDir, "current/.deploy"), "utf8"));
        assert.equal(deploy.commit, s.commits.one);
      },
    );
  } finally {
    await s.close();
  }
});
