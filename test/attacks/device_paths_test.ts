/**
 * Attacks through names: signed metadata whose commit, ref or name would lead a path out of the target or
 * the workspace, and genuinely signed archives whose entries escape the release directory (`../`,
 * absolute paths, symlinks and hard links out). Each `drover update` must exit 3, write nothing outside,
 * and leave the target as it was.
 * DEBUG_ATTACKS=1 prints what drover said about each attack.
 */
import assert from "node:assert/strict";
import { lstat, rm } from "node:fs/promises";
import { join } from "node:path";
import {
  changedPaths,
  commitId,
  installedScenario,
  resign,
  runCommand,
  runDrover,
  type Scenario,
  SCENARIO_APP,
  type Signed,
} from "../harness.ts";

/** Runs `drover update`; asserts exit 3, an unchanged target and `outside` paths not created. */
async function assertRefused(s: Scenario, outside: string[] = []) {
  const before = await s.snapshot();
  const r = await runDrover(s.device.args("update", s.server.url));
  try {
    if (Deno.env.get("DEBUG_ATTACKS")) console.error(r.stderr);
    assert.equal(r.code, 3, `expected exit 3, got ${r.code}\n${r.stderr}`);
    const after = await s.snapshot();
    assert.deepEqual(changedPaths(before.target, after.target), [], "target changed");
    // trusted metadata, and the cached chunk list of a seed the device already held (from its own
    // bytes, or from the signed index of the release it came from)
    const stray = changedPaths(before.workspace, after.workspace)
      .filter((p) => !/^tuf(\/|$)/.test(p) && !/^seeds\/(?:[^/]+\/)?[^/]+\.cidx-local$/.test(p));
    assert.deepEqual(stray, [], "workspace changed beyond trusted metadata");
    for (const path of outside) {
      assert.equal(await lstat(path).catch(() => undefined), undefined, `${path} was written`);
    }
  } finally {
    for (const path of outside) await rm(path, { recursive: true, force: true });
  }
  return r;
}

/** Publishes release two genuinely, then re-signs targets with `edit` applied to its entry's custom. */
async function craftedRelease(s: Scenario, edit: (custom: Signed) => void): Promise<void> {
  await s.reset();
  await s.repo.addApp({ ...SCENARIO_APP, commit: s.commits.two, file: s.archives.two });
  await resign(s.repo, {
    targets: (t) => {
      for (const entry of Object.values(t.targets as Record<string, Signed>)) {
        if (entry.custom?.commit === s.commits.two) edit(entry.custom);
      }
    },
  });
}

/** A .tar.gz (python3 tarfile, which writes whatever names it is given) with `ok.txt` and `evil`. */
async function evilArchive(
  out: string,
  evil: { name: string; type: "file" | "symlink" | "hardlink"; link?: string }[],
) {
  const script = `
import io, json, sys, tarfile
entries = json.loads(sys.argv[2])
with tarfile.open(sys.argv[1], "w:gz", format=tarfile.GNU_FORMAT) as t:
    def add(name, kind="file", link=""):
        info = tarfile.TarInfo(name)
        data = b"pwned\\n" if kind == "file" else b""
        info.type = {"file": tarfile.REGTYPE, "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE}[kind]
        info.linkname = link
        info.size = len(data)
        info.mode = 0o644
        t.addfile(info, io.BytesIO(data))
    add("ok.txt")
    for e in entries:
        add(e["name"], e["type"], e.get("link", ""))
`;
  const r = await runCommand("python3", ["-c", script, out, JSON.stringify(evil)]);
  assert.equal(r.code, 0, r.stderr);
}

Deno.test("device refuses signed names that would escape the target or workspace, before any write", async (t) => {
  const s = await installedScenario();
  const marker = `/tmp/drover-escape-${commitId(String(Math.random())).slice(0, 12)}`;
  try {
    await t.step("custom commit '../../..' (signed, matching app and ref): refused", async () => {
      await craftedRelease(s, (c) => (c.commit = `../../../../../..${marker}`));
      await assertRefused(s, [marker]);
    });

    await t.step("custom commit with a slash (signed): refused", async () => {
      await craftedRelease(s, (c) => (c.commit = "abc1234/../../../../etc"));
      await assertRefused(s);
    });

    await t.step("custom ref '../../etc' (signed): refused", async () => {
      await craftedRelease(s, (c) => (c.ref = "../../etc"));
      await assertRefused(s);
    });

    await t.step("custom name '../../etc' (signed): refused", async () => {
      await craftedRelease(s, (c) => (c.name = "../../etc"));
      await assertRefused(s);
    });
  } finally {
    await s.close();
    await rm(marker, { recursive: true, force: true });
  }
});

Deno.test("device refuses genuinely signed archives whose entries escape the release directory", async (t) => {
  const s = await installedScenario();
  const marker = `/tmp/drover-escape-${commitId(String(Math.random())).slice(0, 12)}`;
  const cases: [string, Parameters<typeof evilArchive>[1], string[]][] = [
    ["'../' entry", [{ name: `${"../".repeat(12)}${marker.slice(1)}-dotdot`, type: "file" }], [
      `${marker}-dotdot`,
    ]],
    ["absolute entry", [{ name: `${marker}-abs`, type: "file" }], [`${marker}-abs`]],
    ["symlink out, then a file through it", [
      { name: "lib/out", type: "symlink", link: "/tmp" },
      { name: `lib/out/${marker.split("/").pop()}-sym`, type: "file" },
    ], [`${marker}-sym`]],
    ["relative symlink climbing out, then a file through it", [
      { name: "up", type: "symlink", link: "../../../../../../../../../../tmp" },
      { name: `up/${marker.split("/").pop()}-up`, type: "file" },
    ], [`${marker}-up`]],
    ["symlink to an absolute path outside", [{ name: "passwd", type: "symlink", link: "/etc/passwd" }], []],
    ["hard link to a file outside", [{ name: "shadow", type: "hardlink", link: "/etc/passwd" }], []],
    ["hard link climbing out", [{
      name: "hosts",
      type: "hardlink",
      link: "../../../../../../../../etc/hosts",
    }], []],
  ];
  try {
    for (const [what, entries, outside] of cases) {
      await t.step(
        `archive with a ${what}: exit 3, release dir left clean, nothing written outside`,
        async () => {
          await s.reset();
          const archive = s.tmp.join("evil.tar.gz");
          await evilArchive(archive, entries);
          await s.repo.addApp({ ...SCENARIO_APP, commit: s.commits.two, file: archive });
          await assertRefused(s, outside);
          const releases = await runCommand("ls", ["-A", join(s.device.appDir, "releases")]);
          assert.doesNotMatch(releases.stdout, /^\./m, "staging left behind");
        },
      );
    }
  } finally {
    await s.close();
  }
});
