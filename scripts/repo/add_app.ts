/**
 * `repo add-app`: stream an app release archive into the repository (sha256, sha1 and sha512
 * computed while copying), add it as target `apps/<owner>/<app>/<ref>/<commit>.tar.gz` with
 * serial = previous highest for name and ref + 1, and sign targets, snapshot and timestamp.
 *
 * @example
 * ```ts ignore
 * import { command } from "./add_app.ts";
 * await command.run(["--repo", "r", "--keys", "k", "--name", "acme/radio", "--ref", "main",
 *   "--commit", "0123abc", "--file", "radio.tar.gz"], { stdout: console.log, stderr: console.error, env: {}, stderrIsTTY: false });
 * ```
 * @module
 */
import { open, stat } from "node:fs/promises";
import semver from "semver";
import { type AppCustom, appTargetPath } from "../../core/trust/mod.ts";
import { assertSegment } from "../../core/names/mod.ts";
import { defineCommand, required } from "../../device/cli/define_command.ts";
import { printResult } from "../../device/cli/print_result.ts";
import { UsageError } from "../../device/cli/usage_error.ts";
import { importTarget } from "./_import_target.ts";
import { openRepo } from "./_open.ts";
import { REPO_CLI } from "./_cli.ts";

const help = `Usage: repo add-app --repo DIR --keys DIR --name OWNER/APP --ref REF --commit SHA --file ARCHIVE
                    [--version V] [--allow-downgrade] [--json]

Add an app release: ARCHIVE (.tar.gz or .tar) is streamed to
targets/apps/<owner>/<app>/<ref>/<sha256>.<commit>.tar.gz and listed in signed targets metadata
with its length, sha256, sha512 and sha1, and a serial one higher than the ref's previous
release (so it becomes the ref's current release, also in releases.json). Signs new targets,
snapshot and timestamp metadata.

  --name OWNER/APP     two segments matching ^[A-Za-z0-9][A-Za-z0-9._+-]*$
  --ref REF            branch or channel (one segment)
  --commit SHA         7 to 64 hex digits
  --version V          optional semantic version of the release
  --allow-downgrade    signed permission for devices to install it over a newer release
  --json               print one JSON document: { target, versions }
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
  },
  async run(parsed, io) {
    const v = parsed.values;
    const name = required(parsed, "name");
    const ref = required(parsed, "ref");
    const commit = required(parsed, "commit").toLowerCase();
    const file = required(parsed, "file");
    const version = v.version as string | undefined;
    if (version !== undefined) {
      UsageError.check(() => assertSegment(version, "version"));
      if (!semver.valid(version.replace(/^v/, ""))) {
        throw new UsageError(`Cannot add app: '${version}' is not a version`);
      }
    }
    const ext = await archiveExt(file);
    const path = UsageError.check(() => appTargetPath({ name, ref, commit, ext }));
    const { store, writer } = await openRepo(parsed);
    let serial = 0;
    for (const t of writer.targets().values()) {
      const c = t.custom as AppCustom;
      if (c.kind === "app" && c.name === name && c.ref === ref && c.serial > serial) serial = c.serial;
    }
    io.stderr(`importing ${file}\n`);
    const imported = await importTarget(store, path, file);
    const custom: AppCustom = { kind: "app", name, ref, commit, serial: serial + 1, updated: isoNow() };
    if (version) custom.version = version;
    if (v["allow-downgrade"]) custom.allowDowngrade = true;
    writer.setTarget(path, { length: imported.length, hashes: imported.hashes, custom });
    const { versions } = await writer.commit();
    const target = writer.targets().get(path);
    printResult(io, parsed, {
      doc: { target, versions },
      text: `${path} serial ${custom.serial}: ${imported.url} (targets v${versions.targets})`,
    });
    return 0;
  },
});

function isoNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** `.tar.gz` or `.tar`, from the name or else the gzip magic bytes. */
async function archiveExt(file: string): Promise<".tar.gz" | ".tar"> {
  const info = await stat(file).catch((e) => {
    throw new UsageError(`Cannot add app: cannot read --file ${file}: ${(e as Error).message}`, { cause: e });
  });
  if (!info.isFile()) throw new UsageError(`Cannot add app: --file ${file} is not a file`);
  if (/\.(tar\.gz|tgz)$/.test(file)) return ".tar.gz";
  if (/\.tar$/.test(file)) return ".tar";
  const fh = await open(file, "r");
  try {
    const head = new Uint8Array(2);
    await fh.read(head, 0, 2, 0);
    return head[0] === 0x1f && head[1] === 0x8b ? ".tar.gz" : ".tar";
  } finally {
    await fh.close();
  }
}
