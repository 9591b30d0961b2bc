/**
 * Private: the report of an install builder, as a JSON-ready object and as text, and the exit code of an
 * outcome (0 complete, 3 anything invalid or corrupt, 75 missing while a source could not be reached, 1
 * only missing).
 * @module
 */
import type { InstallBuilder } from "../../core/manifest/install_builder.ts";
import type { ValidationFailure } from "../../core/manifest/reasons.ts";
import { errorEntry } from "../cli/define_command.ts";
import { ExitCode, exitCodeFor } from "../cli/exit_codes.ts";
import type { DeviceSource } from "./sources.ts";

/** A source that failed while the chain was resolved (its first error): what it holds counted as missing. */
export interface SourceError {
  source: string;
  code: string;
  message: string;
  /** Network down, timeout, 5xx: the source may well hold what is missing (exit 75). */
  transient: boolean;
}

/** One required id in the report. */
export interface ReportEntry {
  id: string;
  kind: "manifest" | "artifact";
  status: "available" | "installed" | "missing" | "invalid";
  size?: number;
  sha256?: string;
  nodes?: string[];
  source?: string;
  reason?: ValidationFailure;
}

/** The whole report (`drover manifest plan --json`). */
export interface ManifestReport {
  manifest: string | undefined;
  chain: { id: string; version: string }[];
  chainComplete: boolean;
  complete: boolean;
  missingManifestId?: string;
  required: string[];
  available: string[];
  missing: string[];
  corrupt: string[];
  invalid: Record<string, ValidationFailure>;
  entries: ReportEntry[];
  /** The sources that failed (unreachable, unreadable), in priority order. */
  sourceErrors: SourceError[];
}

/** The report of a built builder; `sources`: the device sources it was given, for their failures. */
export function manifestReport(b: InstallBuilder, sources: readonly DeviceSource[] = []): ManifestReport {
  const chain = b.getManifestChain();
  const invalid = b.getInvalid();
  const missing = new Set(b.getMissing());
  const manifestIds = new Set([...chain.map((m) => m.id), b.getMissingManifestId(), ...invalid.keys()]);
  const entries: ReportEntry[] = b.getRequiredArtifacts().map((id) => {
    const a = b.getManifestArtifact(id);
    const item = b.getArtifact(id);
    const e: ReportEntry = {
      id,
      kind: a ? "artifact" : manifestIds.has(id) ? "manifest" : "artifact",
      status: missing.has(id)
        ? "missing"
        : invalid.has(id)
        ? "invalid"
        : item?.installed
        ? "installed"
        : "available",
    };
    if (a) Object.assign(e, { size: a.size, sha256: a.sha256, nodes: a.nodes });
    if (item) e.source = item.source;
    if (invalid.has(id)) e.reason = invalid.get(id);
    return e;
  });
  const r: ManifestReport = {
    manifest: b.getInitialManifestId(),
    chain: chain.map((m) => ({ id: m.id, version: m.version })),
    chainComplete: b.isChainComplete(),
    complete: b.isComplete(),
    required: b.getRequiredArtifacts(),
    available: b.getAvailable(),
    missing: b.getMissing(),
    corrupt: b.getCorrupt(),
    invalid: Object.fromEntries(invalid),
    entries,
    sourceErrors: sources.flatMap((s) => {
      const error = s.failures[0];
      if (error === undefined) return [];
      const { code, message } = errorEntry(error);
      return [{ source: s.name, code, message, transient: exitCodeFor(error) === ExitCode.TRY_LATER }];
    }),
  };
  const mm = b.getMissingManifestId();
  if (mm !== undefined) r.missingManifestId = mm;
  return r;
}

/**
 * Exit code of an outcome: 0 complete, 3 invalid or corrupt, 75 missing while a source could not be reached
 * (it may hold it: try later), 1 only missing.
 */
export function reportExitCode(r: ManifestReport): number {
  if (r.complete) return 0;
  if (Object.keys(r.invalid).length > 0) return 3;
  return r.sourceErrors.some((e) => e.transient) ? 75 : 1;
}

const MiB = 1024 * 1024;
const size = (n?: number) => (n === undefined ? "" : n >= MiB ? `${(n / MiB).toFixed(1)} MiB` : `${n} B`);

/** The report as text for a terminal or a log. */
export function reportText(r: ManifestReport): string {
  const lines: string[] = [];
  const chain = r.chain.map((m) => `${m.id}@${m.version}`).join(" <- ");
  lines.push(
    `manifest ${r.manifest ?? "?"}: chain ${chain || "(none)"}${r.chainComplete ? "" : " (incomplete)"}`,
  );
  lines.push(
    `required ${r.required.length}, available ${r.available.length}, missing ${r.missing.length}, ` +
      `invalid ${Object.keys(r.invalid).length} (corrupt ${r.corrupt.length})`,
  );
  const w = Math.max(8, ...r.entries.map((e) => e.id.length));
  for (const e of r.entries) {
    const where = e.source ? ` ${e.source}` : "";
    const why = e.reason
      ? ` ${e.reason.code}: ${e.reason.message}${e.reason.source ? ` (${e.reason.source})` : ""}`
      : "";
    const nodes = e.nodes ? ` [${e.nodes.join(",")}]` : "";
    lines.push(
      `  ${e.id.padEnd(w)}  ${e.kind.padEnd(8)}  ${e.status.padEnd(9)} ${size(e.size)}${nodes}${where}${why}`,
    );
  }
  for (const e of r.sourceErrors) {
    lines.push(`source ${e.source} ${e.transient ? "could not be reached" : "failed"}: ${e.message}`);
  }
  lines.push(
    r.complete
      ? "complete: everything is available and valid"
      : reportExitCode(r) === 75
      ? "not complete: what is missing may be in a source that could not be reached; try later"
      : "not complete",
  );
  return lines.join("\n") + "\n";
}
