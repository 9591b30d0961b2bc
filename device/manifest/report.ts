/**
 * Private: the report of an install builder, as a JSON-ready object and as text, and the exit code of an
 * outcome (0 complete, 3 anything invalid or corrupt, 1 only missing).
 * @module
 */
import type { InstallBuilder } from "../../core/manifest/install_builder.ts";
import type { ValidationFailure } from "../../core/manifest/reasons.ts";

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
}

/** The report of a built builder. */
export function manifestReport(b: InstallBuilder): ManifestReport {
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
  };
  const mm = b.getMissingManifestId();
  if (mm !== undefined) r.missingManifestId = mm;
  return r;
}

/** Exit code of an outcome: 0 complete, 3 invalid or corrupt, 1 only missing. */
export function reportExitCode(r: ManifestReport): number {
  if (r.complete) return 0;
  return Object.keys(r.invalid).length > 0 ? 3 : 1;
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
  lines.push(r.complete ? "complete: everything is available and valid" : "not complete");
  return lines.join("\n") + "\n";
}
