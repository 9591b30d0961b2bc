/**
 * `repo add-image`: stream an OS image into the repository as target
 * `images/<slug>/<version>/<variant>/<basename>` for a known device type (slug or alias,
 * stored canonical), and sign targets, snapshot and timestamp.
 *
 * @example
 * ```ts ignore
 * import { command } from "./add_image.ts";
 * await command.run(["--repo", "r", "--keys", "k", "--device-type", "rpi4", "--version", "1.2.0",
 *   "--file", "os.img.gz"], { stdout: console.log, stderr: console.error, env: {} });
 * ```
 * @module
 */
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import semver from "semver";
import { assertSegment, type ImageCustom, imageTargetPath } from "../../core/trust/mod.ts";
import { need, parse, report, UsageError } from "./_args.ts";
import { canonicalSlug, currentDeviceTypes } from "./_device_types.ts";
import { importTarget } from "./_import_target.ts";
import { openRepo } from "./_open.ts";
import type { RepoCommand } from "./command.ts";

const help = `Usage: repo add-image --repo DIR --keys DIR --device-type SLUG --version V --file IMAGE
                      [--variant prod|dev] [--prerelease] [--recommended] [--json]

Add an OS image for a device type already added with add-device-type (slug or alias; stored
under the canonical slug). IMAGE is streamed to targets/images/<slug>/<version>/<variant>/
<sha256>.<basename> and listed in signed targets metadata. Re-adding the same version, variant
and file name with other content is refused (exit 1). Signs new targets, snapshot and
timestamp metadata.

  --version V       semantic version (a leading v and +build metadata are kept as given)
  --variant         prod (default) or dev
  --prerelease      mark as a pre-release (implied when the version has a pre-release part)
  --recommended     mark as recommended
  --json            print one JSON document: { target, versions }
`;

/** The `add-image` subcommand. */
export const command: RepoCommand = {
  name: "add-image",
  summary: "add an OS image (device type, version, variant)",
  help,
  async run(argv, io) {
    const v = parse(argv, {
      "device-type": { type: "string" },
      version: { type: "string" },
      variant: { type: "string" },
      prerelease: { type: "boolean" },
      recommended: { type: "boolean" },
      file: { type: "string" },
    });
    if (v.help) return (io.stdout(help), 0);
    const asked = need(v, "device-type");
    const version = need(v, "version");
    const file = need(v, "file");
    const variant = (v.variant as string | undefined) ?? "prod";
    if (variant !== "prod" && variant !== "dev") {
      throw new UsageError(`Cannot add image: --variant must be prod or dev`);
    }
    assertSegment(version, "version");
    const parsed = semver.parse(version.replace(/^v/, ""));
    if (!parsed) throw new UsageError(`Cannot add image: '${version}' is not a semantic version`);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw new UsageError(`Cannot add image: --file ${file} is not a readable file`);
    const { store, writer } = await openRepo(v);
    const slug = canonicalSlug(await currentDeviceTypes(store, writer), asked);
    if (!slug) {
      throw new UsageError(`Cannot add image: unknown device type '${asked}' (add it with add-device-type)`);
    }
    const path = imageTargetPath({ deviceType: slug, version, variant, basename: basename(file) });
    io.stderr(`importing ${file}\n`);
    const imported = await importTarget(store, path, file);
    const existing = writer.targets().get(path);
    if (existing && existing.hashes.sha256 !== imported.hashes.sha256) {
      throw new Error(`Cannot add image: ${path} already exists with other content (images are immutable)`);
    }
    const custom: ImageCustom = {
      kind: "image",
      deviceType: slug,
      version,
      variant,
      prerelease: Boolean(v.prerelease) || parsed.prerelease.length > 0,
    };
    if (v.recommended) custom.recommended = true;
    writer.setTarget(path, { length: imported.length, hashes: imported.hashes, custom });
    const { versions } = await writer.commit();
    report(
      io,
      v.json,
      { target: writer.targets().get(path), versions },
      `${path}: ${imported.url} (targets v${versions.targets})`,
    );
    return 0;
  },
};
