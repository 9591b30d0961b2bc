/**
 * `repo add-image`: stream an OS image into the repository as target
 * `images/<slug>/<version>/<variant>/<basename>` for a known device type (slug or alias,
 * stored canonical), and sign targets, snapshot and timestamp.
 *
 * @example
 * ```ts ignore
 * import { command } from "./add_image.ts";
 * await command.run(["--repo", "r", "--keys", "k", "--device-type", "rpi4", "--version", "1.2.0",
 *   "--file", "os.img.gz"], { stdout: console.log, stderr: console.error, env: {}, stderrIsTTY: false });
 * ```
 * @module
 */
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import semver from "semver";
import { type ImageCustom, imageTargetPath } from "../../core/trust/mod.ts";
import { assertSegment } from "../../core/names/mod.ts";
import { defineCommand, required } from "../../device/cli/define_command.ts";
import { printResult } from "../../device/cli/print_result.ts";
import { UsageError } from "../../device/cli/usage_error.ts";
import { canonicalSlug, currentDeviceTypes } from "./_device_types.ts";
import { importTarget } from "./_import_target.ts";
import { chunksWanted, writeChunkedForm } from "./_chunked_form.ts";
import { openRepo } from "./_open.ts";
import { RunImports } from "./_run_imports.ts";
import { stagedOrPublished } from "./_staged_note.ts";
import { REPO_CLI } from "./_cli.ts";

const help = `Usage: drover-repo add-image --repo DIR --keys DIR --device-type SLUG --version V --file IMAGE
                             [--variant prod|dev] [--prerelease] [--recommended] [--no-chunks] [--json]

Add an OS image for a device type already added with add-device-type (slug or alias; stored
under the canonical slug). IMAGE is streamed to targets/images/<slug>/<version>/<variant>/
<sha256>.<basename> and listed in signed targets metadata. Re-adding the same version, variant
and file name with other content is refused (exit 1). Signs new targets, snapshot and
timestamp metadata (staged instead, not published, with fewer targets keys than root's threshold:
repo sign). Nothing is left in targets/ when it fails or is interrupted (SIGINT, SIGTERM) before
the metadata is written.

  --version V       semantic version (a leading v and +build metadata are kept as given)
  --variant         prod (default) or dev
  --prerelease      mark as a pre-release (implied when the version has a pre-release part)
  --recommended     what \`recommended\` and \`default\` resolve to (the newest image so marked; never a
                    pre-release, so with one it is a usage error)
  --no-chunks       do not write the chunked form (pack + index targets for deltas); env
                    DROVER_REPO_CHUNKS=0 does the same
  --json            print one JSON document: { target, versions, published, staged }
`;

/** The `add-image` subcommand. */
export const command = defineCommand({
  cli: REPO_CLI,
  name: "add-image",
  summary: "add an OS image (device type, version, variant)",
  help,
  options: {
    "device-type": { type: "string" },
    version: { type: "string" },
    variant: { type: "string" },
    prerelease: { type: "boolean" },
    recommended: { type: "boolean" },
    "no-chunks": { type: "boolean" },
    file: { type: "string" },
  },
  async run(parsed, io) {
    const v = parsed.values;
    const asked = required(parsed, "device-type");
    const version = required(parsed, "version");
    const file = required(parsed, "file");
    const variant = (v.variant as string | undefined) ?? "prod";
    if (variant !== "prod" && variant !== "dev") {
      throw new UsageError(`Cannot add image: --variant must be prod or dev`);
    }
    UsageError.check(() => assertSegment(version, "version"));
    const semantic = semver.parse(version.replace(/^v/, ""));
    if (!semantic) throw new UsageError(`Cannot add image: '${version}' is not a semantic version`);
    if (v.recommended && (v.prerelease || semantic.prerelease.length > 0)) {
      throw new UsageError(`Cannot add image: a pre-release (${version}) is never recommended`);
    }
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw new UsageError(`Cannot add image: --file ${file} is not a readable file`);
    await using repo = await openRepo(parsed, io, { publishes: "add image" });
    const { store, writer } = repo;
    const slug = canonicalSlug(await currentDeviceTypes(store, writer), asked);
    if (!slug) {
      throw new UsageError(`Cannot add image: unknown device type '${asked}' (add it with add-device-type)`);
    }
    const path = UsageError.check(() =>
      imageTargetPath({ deviceType: slug, version, variant, basename: basename(file) })
    );
    io.stderr(`importing ${file}\n`);
    // what this run imports is removed again unless it is published or staged (failure, SIGINT, SIGTERM)
    await using imports = new RunImports({ action: "add image", signal: io.signal, lock: repo.lock });
    const imported = await importTarget(store, path, file, { imports });
    const existing = writer.targets().get(path);
    if (existing && existing.hashes.sha256 !== imported.hashes.sha256) {
      throw new Error(`Cannot add image: ${path} already exists with other content (images are immutable)`);
    }
    const custom: ImageCustom = {
      kind: "image",
      deviceType: slug,
      version,
      variant,
      prerelease: Boolean(v.prerelease) || semantic.prerelease.length > 0,
    };
    if (v.recommended) custom.recommended = true;
    if (chunksWanted(v["no-chunks"], io.env)) {
      Object.assign(custom, {
        delta: await writeChunkedForm({ store, writer }, { path, file, gzip: false, imports }),
      });
    }
    writer.setTarget(path, { length: imported.length, hashes: imported.hashes, custom });
    const { versions, staged } = await imports.commit(writer);
    printResult(io, parsed, {
      doc: {
        target: writer.targets().get(path),
        versions,
        published: staged === undefined,
        staged: staged ?? null,
      },
      text: `${path}: ${imported.url} (${stagedOrPublished(versions, staged)})`,
    });
    return 0;
  },
});
