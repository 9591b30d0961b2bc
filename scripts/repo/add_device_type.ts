/**
 * `repo add-device-type`: add or update a device type (slug, name, aliases) in the signed
 * `device-types.json` target, then sign targets, snapshot and timestamp.
 *
 * @example
 * ```ts ignore
 * import { command } from "./add_device_type.ts";
 * await command.run(["--repo", "r", "--keys", "k", "--slug", "raspberrypi4-64", "--alias", "rpi4"], { stdout: console.log, stderr: console.error, env: {}, stderrIsTTY: false });
 * ```
 * @module
 */
import { DEVICE_TYPES_PATH, type DeviceTypeEntry } from "../../core/trust/mod.ts";
import { assertDeviceType } from "../../core/names/mod.ts";
import { defineCommand, required } from "../../device/cli/define_command.ts";
import { printResult } from "../../device/cli/print_result.ts";
import { UsageError } from "../../device/cli/usage_error.ts";
import { currentDeviceTypes } from "./_device_types.ts";
import { putTargetBytes } from "./_import_target.ts";
import { openRepo } from "./_open.ts";
import { RunImports } from "./_run_imports.ts";
import { stagedOrPublished } from "./_staged_note.ts";
import { REPO_CLI } from "./_cli.ts";

const help =
  `Usage: drover-repo add-device-type --repo DIR --keys DIR --slug SLUG [--name NAME] [--alias A]... [--json]

Add a device type to the signed device-types.json target, or update it (name replaced if given,
aliases added). Slugs and aliases match ^[A-Za-z0-9][A-Za-z0-9._+-]*$ and an alias may not
name another device type. Signs new targets, snapshot and timestamp metadata.

  --json   print one JSON document: { deviceType, deviceTypes, versions, published, staged }
`;

/** The `add-device-type` subcommand. */
export const command = defineCommand({
  cli: REPO_CLI,
  name: "add-device-type",
  summary: "add or update a device type (slug, name, aliases)",
  help,
  options: {
    slug: { type: "string" },
    name: { type: "string" },
    alias: { type: "string", multiple: true },
  },
  async run(parsed, io) {
    const v = parsed.values;
    const slug = required(parsed, "slug");
    UsageError.check(() => assertDeviceType(slug, { what: "slug" }));
    const aliases = (v.alias as string[] | undefined) ?? [];
    for (const a of aliases) UsageError.check(() => assertDeviceType(a, { what: "alias" }));
    await using repo = await openRepo(parsed, io, { publishes: "add device type" });
    const { store, writer } = repo;
    const list = await currentDeviceTypes(store, writer);
    for (const d of list) {
      if (
        d.slug !== slug &&
        (d.aliases.includes(slug) || aliases.some((a) => a === d.slug || d.aliases.includes(a)))
      ) {
        throw new UsageError(`Cannot add device type ${slug}: its slug or an alias already names ${d.slug}`);
      }
    }
    if (aliases.includes(slug)) throw new UsageError(`Cannot add device type ${slug}: alias equals the slug`);
    let entry = list.find((d) => d.slug === slug);
    if (!entry) list.push(entry = { slug, aliases: [] });
    if (typeof v.name === "string") entry.name = v.name;
    entry.aliases = [...new Set([...entry.aliases, ...aliases])].sort();
    list.sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
    const doc: { deviceTypes: DeviceTypeEntry[] } = { deviceTypes: list };
    const bytes = new TextEncoder().encode(JSON.stringify(doc, null, 2) + "\n");
    await using imports = new RunImports({ action: "add device type", signal: io.signal, lock: repo.lock });
    const imported = await putTargetBytes(store, DEVICE_TYPES_PATH, bytes, { imports });
    writer.setTarget(DEVICE_TYPES_PATH, {
      length: imported.length,
      hashes: { sha256: imported.hashes.sha256, sha512: imported.hashes.sha512 },
      custom: { kind: "device-types" },
    });
    const { versions, staged } = await imports.commit(writer);
    printResult(io, parsed, {
      doc: {
        deviceType: entry,
        deviceTypes: list,
        versions,
        published: staged === undefined,
        staged: staged ?? null,
      },
      text: `device type ${slug}: ${stagedOrPublished(versions, staged)}`,
    });
    return 0;
  },
});
