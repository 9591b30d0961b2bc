import assert from "node:assert/strict";
import { join } from "node:path";
import { type AppCustom, MemoryStore, refreshTrust } from "../../core/trust/mod.ts";
import { runRepo } from "./main.ts";

async function run(...argv: string[]) {
  let stdout = "", stderr = "";
  const code = await runRepo(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} });
  return { code, stdout, stderr };
}

/** A fresh repository with keys and a small archive; `addApp` runs `add-app` on it for acme/radio main. */
async function withRepo(
  fn: (r: { dir: string; addApp: (...extra: string[]) => ReturnType<typeof run> }) => Promise<void>,
) {
  const tmp = await Deno.makeTempDir({ prefix: "drover-add-app-" });
  try {
    const dir = join(tmp, "repo"), keys = join(tmp, "keys"), file = join(tmp, "radio.tar");
    assert.equal((await run("init", "--repo", dir, "--keys", keys)).code, 0);
    await Deno.writeFile(file, new Uint8Array(1024)); // an empty tar: its two end-of-archive blocks
    let n = 0;
    const addApp = (...extra: string[]) =>
      run(
        "add-app",
        "--repo",
        dir,
        "--keys",
        keys,
        "--file",
        file,
        "--name",
        "acme/radio",
        "--ref",
        "main",
        "--commit",
        `0123ab${n++}`,
        ...extra,
      );
    await fn({ dir, addApp });
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/** The app releases of the repository as a device verifies them (refreshTrust over the files). */
async function signedApps(dir: string): Promise<AppCustom[]> {
  const trusted = await refreshTrust({
    fetch: (path) => Deno.readFile(join(dir, path)).catch(() => undefined),
    store: new MemoryStore(),
    trustedRoot: await Deno.readFile(join(dir, "tuf/1.root.json")),
  });
  return trusted.apps().map((t) => t.custom as AppCustom).sort((a, b) => a.serial - b.serial);
}

Deno.test("repo add-app --rollout signs the rollout into the release's targets metadata; each release its own", async () => {
  await withRepo(async ({ dir, addApp }) => {
    const first = await addApp(
      "--rollout",
      "5,25@24h,100@72h",
      "--halt-after",
      "10",
      "--halt-failures",
      "15%",
      "--json",
    );
    assert.equal(first.code, 0, first.stderr);
    const doc = JSON.parse(first.stdout);
    const second = await addApp("--rollout", "100");
    assert.equal(second.code, 0, second.stderr);
    assert.match(
      second.stdout,
      /\nrollout acme:radio:main:2:0123ab1: 100 from \S+Z, halt once 5 devices finished if more than 20% failed\n$/,
    );

    const [one, two] = await signedApps(dir);
    assert.deepEqual(one?.rollout, {
      id: "acme:radio:main:1:0123ab0",
      publishedAt: one?.updated,
      steps: [{ afterHours: 0, percent: 5 }, { afterHours: 24, percent: 25 }, {
        afterHours: 72,
        percent: 100,
      }],
      halt: { minDevices: 10, maxFailurePercent: 15 },
    });
    assert.deepEqual(doc.rollout, one?.rollout, "--json shows the signed rollout");
    assert.deepEqual(doc.target.custom.rollout, one?.rollout);
    assert.equal(two?.rollout?.id, "acme:radio:main:2:0123ab1", "a newer release starts its own rollout");
    assert.deepEqual(two?.rollout?.halt, { minDevices: 5, maxFailurePercent: 20 }, "the default halt rule");
    assert.deepEqual(two?.rollout?.steps, [{ afterHours: 0, percent: 100 }]);
  });
});

Deno.test("repo add-app without --rollout writes no rollout: the release goes to every device at once", async () => {
  await withRepo(async ({ dir, addApp }) => {
    const res = await addApp("--json");
    assert.equal(res.code, 0, res.stderr);
    assert.equal(JSON.parse(res.stdout).rollout, null);
    const [app] = await signedApps(dir);
    assert.equal(app?.serial, 1);
    assert.equal(Object.hasOwn(app!, "rollout"), false);
  });
});

Deno.test("repo add-app refuses a bad --rollout or halt rule with exit 2, a clear message, and writes nothing", async () => {
  await withRepo(async ({ dir, addApp }) => {
    const cases: [string[], string][] = [
      [["--rollout", "5,25"], "--rollout '5,25': step 2 '25' needs @HOURSh (only the first starts at 0h)"],
      [
        ["--rollout", "5,x@1h"],
        "--rollout '5,x@1h': step 2 'x@1h' is not PERCENT[@HOURSh], e.g. 5,25@24h,100@72h",
      ],
      [
        ["--rollout", "25,5@24h"],
        "--rollout '25,5@24h': step 2 percent 5 is below step 1's 25 (percents never decrease)",
      ],
      [
        ["--rollout", "5,25@24h,50@12h"],
        "--rollout '5,25@24h,50@12h': step 3 at 12h is not after step 2 at 24h (hours strictly increase)",
      ],
      [["--rollout", "0"], "--rollout '0': step 1 percent 0 is not in (0, 100]"],
      [["--rollout", ""], "--rollout '': no steps (PERCENT[@HOURSh], e.g. 5,25@24h,100@72h)"],
      [["--rollout", "5", "--halt-after", "0"], `--halt-after needs a whole number >= 1, not "0"`],
      [["--rollout", "5", "--halt-after", "2.5"], `--halt-after needs a whole number >= 1, not "2.5"`],
      [
        ["--rollout", "5", "--halt-failures", "150"],
        "--halt-failures needs a whole percent from 0 to 100, not '150'",
      ],
      [
        ["--rollout", "5", "--halt-failures", "lots"],
        "--halt-failures needs a whole percent from 0 to 100, not 'lots'",
      ],
      [
        ["--rollout", "5", "--halt-failures", ""],
        "--halt-failures needs a whole percent from 0 to 100, not ''",
      ],
      // fractions: TUF's canonical JSON cannot sign them, so they are usage errors, not a failed signing
      [
        ["--rollout", "5", "--halt-failures", "12.5"],
        "--halt-failures needs a whole percent from 0 to 100, not '12.5'",
      ],
      [["--rollout", "5,50@1.5h"], "--rollout '5,50@1.5h': step 2 at 1.5h is not a whole number of hours"],
      [["--rollout", "2.5,100@24h"], "--rollout '2.5,100@24h': step 1 percent 2.5 is not a whole number"],
      [["--halt-after", "5"], "--halt-after and --halt-failures need --rollout"],
      [["--halt-failures", "5"], "--halt-after and --halt-failures need --rollout"],
    ];
    for (const [flags, message] of cases) {
      const res = await addApp(...flags, "--json");
      assert.equal(res.code, 2, flags.join(" "));
      assert.equal(JSON.parse(res.stdout).errors[0].message, message);
      assert.equal(res.stderr, `drover-repo add-app: ${message}\nTry 'drover-repo add-app --help'.\n`);
    }
    await assert.rejects(Deno.stat(join(dir, "targets")), Deno.errors.NotFound);
    assert.deepEqual(await signedApps(dir), []);
  });
});

Deno.test("repo add-app below the targets threshold says on stdout and in --json that it staged, not published", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "drover-add-app-staged-" });
  try {
    const dir = join(tmp, "repo"), keys = join(tmp, "keys"), file = join(tmp, "radio.tar");
    const init = await run("init", "--repo", dir, "--keys", keys, "--keys-per-role", "3", "--threshold", "2");
    assert.equal(init.code, 0, init.stderr);
    for (const f of ["targets.2.json", "targets.3.json"]) await Deno.remove(join(keys, f)); // other holders
    await Deno.writeFile(file, new Uint8Array(1024));
    const args = ["--repo", dir, "--keys", keys, "--file", file, "--name", "acme/radio", "--ref", "main"];

    const text = await run("add-app", ...args, "--commit", "68200ec");
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /^apps\/acme\/radio\/main\/68200ec\.tar serial 1: \S+ \(staged as targets v2, not published: needs 1 more targets signature \(repo sign\)\)\n$/,
    );
    assert.doesNotMatch(text.stdout, /targets v1/, "the published version is not where the release went");
    assert.match(text.stderr, /targets v2 staged in staged\/targets\.json, not published/);

    const json = await run("add-app", ...args, "--commit", "68200ed", "--json");
    assert.equal(json.code, 0, json.stderr);
    const doc = JSON.parse(json.stdout);
    assert.equal(doc.published, false);
    assert.deepEqual(
      [doc.staged.version, doc.staged.signatures, doc.staged.threshold],
      [2, 1, 2],
      "v2 again: it builds on the staged version",
    );
    assert.equal(doc.versions.targets, 1, "still the published targets version");
    assert.deepEqual(await signedApps(dir), [], "devices see nothing yet");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("repo add-app with the targets threshold met says published in --json", async () => {
  await withRepo(async ({ addApp }) => {
    const res = await addApp("--json");
    assert.equal(res.code, 0, res.stderr);
    const doc = JSON.parse(res.stdout);
    assert.deepEqual([doc.published, doc.staged, doc.versions.targets], [true, null, 2]);
    assert.match((await addApp()).stdout, / \(targets v3\)\n$/);
  });
});

Deno.test("repo add-app refuses an app name longer than 96 characters (devices name files after it): exit 2, nothing written", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "drover-add-app-long-" });
  try {
    const dir = join(tmp, "repo"), keys = join(tmp, "keys"), file = join(tmp, "radio.tar");
    assert.equal((await run("init", "--repo", dir, "--keys", keys)).code, 0);
    await Deno.writeFile(file, new Uint8Array(1024));
    const add = (name: string) =>
      run(
        "add-app",
        "--repo",
        dir,
        "--keys",
        keys,
        "--file",
        file,
        "--name",
        name,
        "--ref",
        "main",
        "--commit",
        "fffffff1",
      );
    for (const name of [`${"o".repeat(48)}/${"a".repeat(48)}`, `${"o".repeat(128)}/${"a".repeat(128)}`]) {
      const res = await add(name);
      assert.equal(res.code, 2, res.stderr);
      assert.match(
        res.stderr,
        /^drover-repo add-app: Cannot use app name 'o+(\/a+)?…': longer than 96 characters\n/,
      );
    }
    await assert.rejects(Deno.stat(join(dir, "targets")), Deno.errors.NotFound);
    assert.deepEqual(await signedApps(dir), []);
    const longest = `${"o".repeat(48)}/${"a".repeat(47)}`;
    assert.equal((await add(longest)).code, 0);
    assert.deepEqual((await signedApps(dir)).map((a) => a.name), [longest]);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
