/**
 * `repo add-app`: stream an app release archive into the repository (sha256, sha1 and sha512
 * computed while copying), add it as target `apps/<owner>/<app>/<ref>/<commit>.tar.gz` with
 * serial = previous highest for name and ref + 1, and sign targets, snapshot and timestamp.
 * With `--rollout` the target's `custom.rollout` holds a signed staged rollout (core/rollout) with
 * its own id `<owner>:<app>:<ref>:<serial>:<commit>` (unique per publication: the serial rises).
 * With `--role ROLE` the release is signed into that delegated role (`repo delegate`) instead of
 * top-level targets, with the role's key. The keys and the role's paths are checked before anything is
 * imported; the archive is read as devices read it while it streams (`_archive_scan.ts`: one they cannot
 * read is refused, `UnreadableArchiveError`), and what the run imported is removed again when it fails
 * or is interrupted before its metadata is written (`_run_imports.ts`).
 *
 * @example
 * ```ts ignore
 * import { command } from "./add_app.ts";
 * await command.run(["--repo", "r", "--keys", "k", "--name", "acme/radio", "--ref", "main",
 *   "--commit", "0123abc", "--file", "radio.tar.gz"], { stdout: console.log, stderr: console.error, env: {}, stderrIsTTY: false });
 * ```
 * @module
 */
import semver from "semver";
import {
  type AppCustom,
  appTargetPath,
  isDelegatedRoleName,
  legacyRefusal,
  type RepositoryWriter,
  type TargetInfo,
} from "../../core/trust/mod.ts";
import type { CommandIO } from "../../device/cli/command.ts";
import { assertSegment, isCommit } from "../../core/names/mod.ts";
import { createRollout, formatRolloutSteps } from "../../core/rollout/mod.ts";
import { defineCommand, type Parsed, required } from "../../device/cli/define_command.ts";
import { printResult } from "../../device/cli/print_result.ts";
import { UsageError } from "../../device/cli/usage_error.ts";
import { importTarget } from "./_import_target.ts";
import { ArchiveScanner, archiveWarnings } from "./_archive_scan.ts";
import { chunksWanted, writeChunkedForm } from "./_chunked_form.ts";
import { openRepo } from "./_open.ts";
import { assertRolePaths } from "./_role_paths.ts";
import { RunImports } from "./_run_imports.ts";
import { stagedOrPublished } from "./_staged_note.ts";
import { UnreadableArchiveError } from "./unreadable_archive_error.ts";
import { publishedRelease } from "./_published_release.ts";
import { archiveExt } from "./_archive_ext.ts";
import { REPO_CLI } from "./_cli.ts";
import { rolloutOptions } from "./_rollout_options.ts";

const help =
  `Usage: drover-repo add-app --repo DIR --keys DIR --name OWNER/APP --ref REF --commit SHA --file ARCHIVE
                           [--version V] [--allow-downgrade] [--no-chunks] [--role ROLE]
                           [--rollout STEPS [--halt-after N] [--halt-failures PERCENT]] [--json]

Add an app release: ARCHIVE (.tar.gz or .tar) is streamed to
targets/apps/<owner>/<app>/<ref>/<sha256>.<commit>.tar.gz and listed in signed targets metadata
with its length, sha256, sha512 and sha1, and a serial one higher than the ref's previous
release (so it becomes the ref's current release, also in releases.json). Signs new targets,
snapshot and timestamp metadata; with fewer targets keys than root's threshold the targets
metadata is staged instead (not published: repo sign). An archive devices cannot read (not gzip
or tar, empty, truncated, corrupt) is refused (exit 1, E_ARCHIVE). Nothing is left in targets/
when it fails or is interrupted (SIGINT, SIGTERM) before the metadata is written.

The ref's newest release added again with the same archive bytes and options (a CI retry) changes
nothing ("already published", exit 0; "alreadyPublished": true in --json); the same bytes with
another --rollout, halt rule, --version or --allow-downgrade, and the same commit with other bytes
(a rebuild that is not reproducible), are refused (exit 1, E_ALREADY_PUBLISHED): a new serial would
start a new rollout the edge has not held back. Publish the fix or rebuild as a new commit, or
resume the rollout (drover-fleet resume ID). An older commit added again is published (the ref goes
back to it).

  --name OWNER/APP     two segments matching ^[A-Za-z0-9][A-Za-z0-9._+-]*$
  --ref REF            branch or channel (one segment)
  --commit SHA         7 to 64 hex digits
  --version V          optional semantic version of the release
  --allow-downgrade    signed permission for devices to install it over a newer release
  --role ROLE          sign the release into delegated role ROLE (repo delegate) with its key
                       (ROLE.json in --keys; with the snapshot and timestamp keys, no targets key)
  --no-chunks          do not write the chunked form (pack + index targets for deltas, linked from
                       custom.delta); env DROVER_REPO_CHUNKS=0 does the same
  --rollout STEPS      staged rollout, signed with the release: PERCENT[@HOURSh],… e.g.
                       5,25@24h,100@72h (5% of devices at publication, 25% from 24 h after it,
                       all from 72 h); whole numbers, hours strictly increase, percents never
                       decrease. Without it the release goes to every device at once. The edge
                       can hold a rollout back, never widen it. Legacy radiodan clients (no
                       identity) get the release only once it is at 100%: releases.json when
                       the repository is signed after that (repo timestamp from cron does)
  --halt-after N       halt rule: judge once N devices finished the install (default 5)
  --halt-failures PCT  halt rule: halt when more than PCT% of them failed, rolled back or went
                       silent (a whole number, default 20)
  --json               print one JSON document: { target, versions, delegatedVersions, published,
                       alreadyPublished, staged, rollout, warnings }

Warns (stderr; "warnings" in --json) when devices refuse to install the archive (an entry outside
the release, a device node, over a cap), and when legacy radiodan clients would not handle the
release: an archive without a .deploy ({"name","ref","commit"}) at its root, or whose .deploy
names another app, ref or commit than --name/--ref/--commit, and an uncompressed .tar (they only
install gzip; releases.json leaves such a release out).
`;

/** The `add-app` subcommand. */
export const command = defineCommand({
  cli: REPO_CLI,
  name: "add-app",
  summary: "add an app release archive (name, ref, commit)",
  help,
  options: {
    name: { type: "string" },
    ref: { type: "string" },
    commit: { type: "string" },
    file: { type: "string" },
    version: { type: "string" },
    "allow-downgrade": { type: "boolean" },
    "no-chunks": { type: "boolean" },
    role: { type: "string" },
    rollout: { type: "string" },
    "halt-after": { type: "string" },
    "halt-failures": { type: "string" },
  },
  async run(parsed, io) {
    const v = parsed.values;
    const name = required(parsed, "name");
    const ref = required(parsed, "ref");
    const typed = required(parsed, "commit");
    const commit = typed.toLowerCase();
    if (!isCommit(commit)) {
      throw new UsageError(`Cannot add app: --commit '${typed}' is not 7 to 64 hex digits`);
    }
    const file = required(parsed, "file");
    const version = v.version as string | undefined;
    if (version !== undefined) {
      UsageError.check(() => assertSegment(version, "version"));
      if (!semver.valid(version.replace(/^v/, ""))) {
        throw new UsageError(`Cannot add app: '${version}' is not a version`);
      }
    }
    const rolloutSpec = rolloutOptions(parsed);
    const ext = await archiveExt(file);
    // the usage line drops `Cannot add app: `, so the rule's own `Cannot use app name '…': …` stays
    const path = UsageError.check(() => {
      try {
        return appTargetPath({ name, ref, commit, ext });
      } catch (error) {
        throw new UsageError(`Cannot add app: ${(error as Error).message}`, { cause: error });
      }
    });
    const role = v.role as string | undefined;
    if (role !== undefined && !isDelegatedRoleName(role)) {
      throw new UsageError(`Cannot add app: --role '${role}' is not a role name`);
    }
    const chunks = chunksWanted(v["no-chunks"], io.env);
    await using repo = await openRepo(parsed, io, { role, publishes: "add app" });
    const { store, writer } = repo;
    if (role !== undefined) {
      const parts: { path: string; what?: string }[] = [{ path }];
      const what = "the chunked form (--no-chunks leaves it out)";
      if (chunks) parts.push({ path: `${path}.cpack`, what }, { path: `${path}.cidx`, what });
      assertRolePaths(writer, parts, { action: "add app" });
    }
    let serial = 0;
    for (const t of [...writer.targets().values(), ...writer.resolvedTargets().values()]) {
      const c = t.custom as AppCustom;
      if (c.kind === "app" && c.name === name && c.ref === ref && c.serial > serial) serial = c.serial;
    }
    io.stderr(`importing ${file}\n`);
    // what this run imports is removed again unless it is published or staged (failure, SIGINT, SIGTERM)
    await using imports = new RunImports({ action: "add app", signal: io.signal, lock: repo.lock });
    const scanner = new ArchiveScanner();
    const imported = await importTarget(store, path, file, {
      observe: (chunk) => scanner.push(chunk),
      imports,
    });
    const scan = await scanner.finish();
    if (scan.unreadable) {
      throw new UnreadableArchiveError(
        `Cannot add app: ${file} is not a readable tar or tar.gz archive (${scan.unreadable})`,
      );
    }
    const warnings = archiveWarnings(scan, { name, ref, commit });
    const published = publishedRelease(writer.targets(), {
      name,
      ref,
      commit,
      path,
      length: imported.length,
      sha256: imported.hashes.sha256,
      version,
      allowDowngrade: v["allow-downgrade"] === true,
      rollout: rolloutSpec,
    });
    if (published) return alreadyPublished(io, { parsed, writer, target: published, warnings });
    const now = new Date();
    const custom: AppCustom = { kind: "app", name, ref, commit, serial: serial + 1, updated: isoOf(now) };
    if (version) custom.version = version;
    if (v["allow-downgrade"]) custom.allowDowngrade = true;
    if (rolloutSpec) {
      const id = `${name.replace("/", ":")}:${ref}:${custom.serial}:${commit}`;
      const { steps, halt } = rolloutSpec;
      custom.rollout = createRollout({ id, publishedAt: now, steps, halt });
    }
    if (chunks) {
      const delta = await writeChunkedForm({ store, writer }, {
        path,
        file,
        gzip: ext === ".tar.gz",
        imports,
      });
      Object.assign(custom, { delta });
    }
    writer.setTarget(path, { length: imported.length, hashes: imported.hashes, custom });
    const committed = await imports.commit(writer);
    const { versions } = committed;
    const target = writer.targets().get(path);
    const legacy = target && legacyRefusal(target);
    if (legacy) warnings.push(`not offered to legacy radiodan clients (releases.json): ${legacy}`);
    if (!parsed.json) { for (const warning of warnings) io.stderr(`warning: ${warning}\n`); }
    const rollout = custom.rollout;
    const signedIn = role
      ? `role ${role} v${writer.delegatedVersions[role]}`
      : stagedOrPublished(versions, committed.staged);
    const rolloutText = rollout
      ? `\nrollout ${rollout.id}: ${formatRolloutSteps(rollout.steps)} from ${rollout.publishedAt}, ` +
        `halt once ${rollout.halt.minDevices} devices finished if more than ${rollout.halt.maxFailurePercent}% failed`
      : "";
    printResult(io, parsed, {
      doc: {
        target,
        versions,
        delegatedVersions: writer.delegatedVersions,
        published: committed.staged === undefined,
        alreadyPublished: false,
        staged: committed.staged ?? null,
        rollout: rollout ?? null,
        warnings,
      },
      text: `${path} serial ${custom.serial}: ${imported.url} (${signedIn})${rolloutText}`,
    });
    return 0;
  },
});

/** The no-op of a run publishing what is published already (a CI retry): says so, exit 0. */
function alreadyPublished(
  io: CommandIO,
  context: { parsed: Parsed; writer: RepositoryWriter; target: TargetInfo; warnings: string[] },
): number {
  const { parsed, writer, target, warnings } = context;
  const c = target.custom as AppCustom;
  if (!parsed.json) { for (const warning of warnings) io.stderr(`warning: ${warning}\n`); }
  printResult(io, parsed, {
    doc: {
      target,
      versions: writer.versions,
      delegatedVersions: writer.delegatedVersions,
      published: true,
      alreadyPublished: true,
      staged: null,
      rollout: c.rollout ?? null,
      warnings,
    },
    text: `${target.path} serial ${c.serial}: already published (${target.url}); nothing changed`,
  });
  return 0;
}

function isoOf(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, "Z");
}
