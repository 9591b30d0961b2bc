/**
 * `drover manifest plan|install`: resolve a device manifest chain from ordered sources (directories, USB
 * mounts, HTTP repositories; what is installed first), report what is available, missing, corrupt or invalid,
 * and install it atomically.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { command } from "./manifest.ts";
 * const out: string[] = [];
 * await command.run(["--help"], { stdout: (t) => out.push(t), stderr: () => {}, env: {}, stderrIsTTY: false });
 * assert.ok(out.join("").startsWith("Usage: drover manifest"));
 * ```
 * @module
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { TrustError } from "../../core/errors.ts";
import { InstallBuilder, type SignedManifest } from "../../core/manifest/mod.ts";
import { type RootKeys, verifyEnvelope } from "../../core/trust/mod.ts";
import type { CommandIO } from "../cli/command.ts";
import { defineCommand, numberOption, optional, type Parsed } from "../cli/define_command.ts";
import { installManifest } from "../manifest/install_manifest.ts";
import { InstalledSource, openSource } from "../manifest/sources.ts";
import { printResult } from "../cli/print_result.ts";
import { ProgressBar } from "../cli/progress.ts";
import { provisioningHint } from "../net/trust_store.ts";
import { UsageError } from "../cli/usage_error.ts";
import { manifestReport, reportExitCode, reportText } from "../manifest/report.ts";

const help = `Usage: drover manifest plan    (--id ID | --file FILE) --source DIR|URL [--source …] [options]
       drover manifest install (--id ID | --file FILE) --source DIR|URL [--source …] --install-dir DIR [options]

Resolve a device install manifest and the chain it extends from sources in priority order: a
directory or USB mount, an HTTP(S) repository (a Drover repository or a bundle of manifests/<id>.json
and artifacts/<id>), and, first, what --install-dir already holds (never fetched again).
Manifests are checked against the trusted root's targets keys; artifacts by size and mini-hash
when scanning, by full SHA-256 when installing.

plan      print the report: each required manifest and artifact, available / installed / missing /
          invalid with a reason code (INVALID_DATES, INVALID_MINI_HASH, INVALID_SIGNATURE,
          NO_MANIFEST_JSON, NOT_INSTALL_MANIFEST, NOT_MANIFEST_TYPE, MANIFEST_UNTRUSTED_MODE,
          NOT_DEVICE_MANIFEST, INCOMPATIBLE_DEVICE_TYPE, BLOCKED_MANIFEST, MALFORMED_MANIFEST,
          ID_MISMATCH, CHAIN_CYCLE)
install   plan, then fetch what is missing from the install dir, verify it, and commit it atomically:
          <dir>/artifacts/<id>, other nodes' artifacts staged in <dir>/nodes/<node>/<id>,
          <dir>/manifests/<id>.json, <dir>/installed.json last

Options:
  --id ID                 the manifest to install, looked up in the sources
  --file FILE             the signed manifest file itself (need not be in a source)
  --source DIR|URL        a source; repeat for more, in priority order
  --install-dir DIR       install here (install: required; plan: counts what it holds as installed)
                          env DROVER_INSTALL_DIR
  --node NAME             this device's node (default primary); other nodes' artifacts are staged
  --device-type SLUG      refuse manifests not made for this device type
  --untrusted-device      accept manifests in "untrusted" mode
  --blocked ID            refuse this manifest id (repeatable)
  --wait SECONDS          install: wait this long for the install dir's lock (default 0)
  --trusted-root FILE     root metadata whose targets keys sign manifests (env DROVER_TRUSTED_ROOT;
                          default <workspace>/tuf/root.json, --workspace or env DROVER_WORKSPACE)
  --json                  print one JSON document {command: "manifest", ok, exitCode, …}: the report;
                          install adds "installed"
  -h, --help              show this help

Exit codes: 0 complete (installed), 1 something missing, 2 usage, 3 something invalid or corrupt
(or no trusted root), 75 install dir locked, or something missing while a source could not be
reached (network down, timeout, server error: it may hold it), as the report's sourceErrors say.
`;

async function loadVerifier(p: Parsed, io: CommandIO): Promise<(env: SignedManifest) => Promise<void>> {
  const explicit = optional(p, "trusted-root", { io, envName: "DROVER_TRUSTED_ROOT" });
  const workspace = optional(p, "workspace", { io, envName: "DROVER_WORKSPACE" });
  const file = explicit ?? (workspace ? join(workspace, "tuf", "root.json") : undefined);
  const hint = provisioningHint(join(workspace ?? "<workspace>", "tuf"));
  if (!file) throw new TrustError(`Cannot check manifests: no trusted root; ${hint}`);
  let root: RootKeys;
  try {
    const doc = JSON.parse(await readFile(file, "utf8"));
    root = (doc?.signed ?? doc) as RootKeys;
    if (typeof root?.keys !== "object" || typeof root?.roles !== "object") {
      throw new Error("not root metadata");
    }
  } catch (e) {
    throw new TrustError(`Cannot read trusted root ${file}: ${(e as Error).message}; ${hint}`, { cause: e });
  }
  return async (env) => void (await verifyEnvelope(env, root, "targets", { label: "manifest" }));
}

async function run(p: Parsed, io: CommandIO): Promise<number> {
  const action = p.positionals[0];
  if (action !== "plan" && action !== "install") {
    throw new UsageError(`unknown action '${action}' (plan or install)`);
  }
  const id = optional(p, "id");
  const file = optional(p, "file");
  if ((id === undefined) === (file === undefined)) throw new UsageError("give exactly one of --id or --file");
  const sources = (p.values.source as string[] | undefined) ?? [];
  if (sources.length === 0 && file === undefined) throw new UsageError("missing --source");
  const installDir = optional(p, "install-dir", { io, envName: "DROVER_INSTALL_DIR" });
  if (action === "install" && !installDir) {
    throw new UsageError("missing --install-dir (or env DROVER_INSTALL_DIR)");
  }
  const node = optional(p, "node") ?? "primary";
  const wait = numberOption(p, "wait", { min: 0 }) ?? 0;

  const builder = new InstallBuilder({
    verify: await loadVerifier(p, io),
    deviceType: optional(p, "device-type"),
    deviceMode: p.values["untrusted-device"] ? "untrusted" : "trusted",
    blocked: (p.values.blocked as string[] | undefined) ?? [],
    signal: io.signal,
  });
  if (file !== undefined) {
    try {
      builder.setManifest(new Uint8Array(await readFile(file)));
    } catch (e) {
      throw new UsageError(`cannot read --file ${file}: ${(e as Error).message}`);
    }
  } else builder.setManifestId(id!);
  const opened = sources.map((s) => openSource(s, { signal: io.signal }));
  const installed = installDir ? [new InstalledSource(installDir)] : [];
  for (const s of [...installed, ...opened]) builder.addSource(s);
  await builder.build();
  const report = manifestReport(builder, [...installed, ...opened]);
  const code = reportExitCode(report);
  if (action === "plan" || code !== 0) {
    if (p.json) {
      // named as every command names itself (`image` too), success or failure: `manifest`
      const doc = { command: p.command, ok: code === 0, exitCode: code, ...report };
      io.stdout(JSON.stringify(doc, null, 2) + "\n");
    } else (action === "plan" ? io.stdout : io.stderr)(reportText(report));
    if (action === "install" && !p.json) {
      io.stderr(`drover manifest install: nothing installed${code === 75 ? " (try later)" : ""}\n`);
    }
    return code;
  }
  if (!p.json) {
    for (const e of report.sourceErrors) {
      io.stderr(`drover manifest: warning: source ${e.source} failed (not needed): ${e.message}\n`);
    }
  }

  const bars = new Map<string, ProgressBar>();
  const result = await installManifest(builder, {
    installDir: installDir!,
    node,
    sources: opened,
    waitSeconds: wait,
    signal: io.signal,
    onProgress: (aid, bytes, total) => {
      let bar = bars.get(aid);
      if (!bar) bars.set(aid, bar = new ProgressBar(io, { label: aid, total, json: p.json }));
      bar.update(bytes, total);
      if (bytes >= total) bar.done();
    },
  }).finally(() => bars.forEach((b) => b.done({ ok: false })));
  printResult(io, p, {
    doc: { ...report, installed: result },
    text: `installed ${result.manifest}@${result.manifestVersion} into ${result.installDir}: ` +
      `${result.fetched.length} fetched, ${result.skipped.length} already installed` +
      Object.entries(result.staged).map(([n, ids]) => `, ${ids.length} staged for ${n}`).join(""),
  });
  return 0;
}

/** The `manifest` command. */
export const command = defineCommand({
  name: "manifest",
  summary: "plan or install a device manifest chain from ordered sources",
  help,
  positionals: { min: 1, max: 1 },
  options: {
    id: { type: "string" },
    file: { type: "string" },
    source: { type: "string", multiple: true },
    "install-dir": { type: "string" },
    node: { type: "string" },
    "device-type": { type: "string" },
    "untrusted-device": { type: "boolean" },
    blocked: { type: "string", multiple: true },
    "trusted-root": { type: "string" },
    workspace: { type: "string" },
    wait: { type: "string" },
  },
  run,
});
