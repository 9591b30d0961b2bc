/**
 * `repo add-manifest`: validate a device install manifest, fill in size, sha256 and mini-hash of the
 * artifacts given as files, sign it with the targets key (a detached-from-TUF envelope that verifies offline
 * with the root alone) and add it as target `manifests/<id>.json`; artifact files are added as targets
 * `artifacts/<id>`. Signs new targets, snapshot and timestamp metadata.
 *
 * @example
 * ```ts ignore
 * import { command } from "./add_manifest.ts";
 * await command.run(["--repo", "r", "--keys", "k", "--file", "base.json", "--artifact", "rootfs.img"],
 *   { stdout: console.log, stderr: console.error, env: {}, stderrIsTTY: false });
 * ```
 * @module
 */
import { createHash } from "node:crypto";
import { open, readFile, stat } from "node:fs/promises";
import { basename } from "node:path";
import { type Manifest, miniHash, parseManifest } from "../../core/manifest/mod.ts";
import { encodeMetadata, type ManifestCustom, signEnvelope } from "../../core/trust/mod.ts";
import { defineCommand, required } from "../../device/cli/define_command.ts";
import { printResult } from "../../device/cli/print_result.ts";
import { UsageError } from "../../device/cli/usage_error.ts";
import { importTarget, putTargetBytes } from "./_import_target.ts";
import { readKeys } from "./_keys.ts";
import { openRepo } from "./_open.ts";
import { RunImports } from "./_run_imports.ts";
import { stagedOrPublished } from "./_staged_note.ts";
import { REPO_CLI } from "./_cli.ts";

const help =
  `Usage: drover-repo add-manifest --repo DIR --keys DIR --file MANIFEST.json [--artifact [ID=]FILE]... [--json]

Add a device install manifest (see docs/CONTRACTS.md, "core/manifest"). MANIFEST.json is the
manifest body (or a signed envelope, whose body is re-signed). It is validated, signed with the
targets key and written as target manifests/<id>.json.

  --artifact [ID=]FILE  an artifact of the manifest (ID defaults to the file's name): its size,
                        sha256 and mini-hash are computed and filled in (a sha256 or size already
                        in the manifest must match), and FILE is added as target artifacts/<ID>
                        (streamed, never read whole). Repeatable.
  --json                print one JSON document: { manifest, targets, versions, published, staged }
`;

async function fileFacts(file: string): Promise<{ size: number; sha256: string; miniHash: string }> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`Cannot add manifest: --artifact ${file} is not a readable file`);
  const h = createHash("sha256");
  const fh = await open(file, "r");
  try {
    const buf = new Uint8Array(1 << 20);
    for (let pos = 0;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
    const mh = await miniHash(info.size, async (offset, length) => {
      const b = new Uint8Array(length);
      const { bytesRead } = await fh.read(b, 0, length, offset);
      return b.subarray(0, bytesRead);
    });
    return { size: info.size, sha256: h.digest("hex"), miniHash: mh };
  } finally {
    await fh.close();
  }
}

/** Fill artifact entries from files; returns the manifest body (unvalidated) and the files by id. */
async function fill(body: Record<string, unknown>, specs: string[]): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const spec of specs) {
    const eq = spec.indexOf("=");
    const id = eq > 0 ? spec.slice(0, eq) : basename(spec);
    files.set(id, eq > 0 ? spec.slice(eq + 1) : spec);
  }
  const nodes = (body.nodes ?? {}) as Record<string, Record<string, unknown>[]>;
  const used = new Set<string>();
  for (const list of Object.values(nodes)) {
    if (!Array.isArray(list)) continue;
    for (const a of list) {
      const file = typeof a?.id === "string" ? files.get(a.id) : undefined;
      if (!file) continue;
      used.add(a.id as string);
      const facts = await fileFacts(file);
      for (const k of ["size", "sha256"] as const) {
        if (a[k] !== undefined && a[k] !== facts[k]) {
          throw new Error(
            `Cannot add manifest: artifact '${a.id}' ${k} in the manifest does not match ${file}`,
          );
        }
      }
      Object.assign(a, facts);
    }
  }
  for (const id of files.keys()) {
    if (!used.has(id)) {
      throw new UsageError(`Cannot add manifest: --artifact ${id} is not an artifact of the manifest`);
    }
  }
  return files;
}

/** The `add-manifest` subcommand. */
export const command = defineCommand({
  cli: REPO_CLI,
  name: "add-manifest",
  summary: "add a signed device install manifest (and its artifact files)",
  help,
  options: { file: { type: "string" }, artifact: { type: "string", multiple: true } },
  async run(parsed, io) {
    const v = parsed.values;
    const file = required(parsed, "file");
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(await readFile(file, "utf8"));
    } catch (e) {
      throw new UsageError(`Cannot add manifest: ${file}: ${(e as Error).message}`);
    }
    const body = (typeof doc?.signed === "object" && doc.signed !== null ? doc.signed : doc) as Record<
      string,
      unknown
    >;
    const files = await fill(body, (v.artifact as string[] | undefined) ?? []);
    let manifest: Manifest;
    try {
      manifest = parseManifest(body);
    } catch (e) {
      throw new Error(`Cannot add manifest: ${(e as Error).message.replace(/^Cannot parse manifest: /, "")}`);
    }
    await using repo = await openRepo(parsed, io, { publishes: "add manifest" });
    const { store, writer } = repo;
    const targetsKey = (await readKeys(required(parsed, "keys"))).targets;
    if (!targetsKey) throw new Error("Cannot add manifest: no targets key in --keys");
    // what this run imports is removed again unless it is published or staged (failure, SIGINT, SIGTERM)
    await using imports = new RunImports({ action: "add manifest", signal: io.signal, lock: repo.lock });
    const added: string[] = [];
    for (const [id, path] of files) {
      const target = `artifacts/${id}`;
      io.stderr(`importing ${path}\n`);
      const imported = await importTarget(store, target, path, { imports });
      const custom: ManifestCustom = { kind: "manifest", id: manifest.id, artifact: id };
      writer.setTarget(target, { length: imported.length, hashes: imported.hashes, custom });
      added.push(target);
    }
    const bytes = encodeMetadata(await signEnvelope(manifest, [targetsKey]));
    const path = `manifests/${manifest.id}.json`;
    const put = await putTargetBytes(store, path, bytes, { imports });
    const custom: ManifestCustom = {
      kind: "manifest",
      id: manifest.id,
      version: manifest.version,
      deviceTypes: manifest.deviceTypes,
    };
    if (manifest.extends) custom.extends = manifest.extends;
    writer.setTarget(path, { length: put.length, hashes: put.hashes, custom });
    added.push(path);
    const { versions, staged } = await imports.commit(writer);
    printResult(io, parsed, {
      doc: { manifest, targets: added, versions, published: staged === undefined, staged: staged ?? null },
      text: `${path}: ${put.url} (${stagedOrPublished(versions, staged)})`,
    });
    return 0;
  },
});
