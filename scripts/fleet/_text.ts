/**
 * Private: text output of `drover-fleet`: device-supplied strings made safe for a terminal,
 * aligned tables, times.
 */

// C0 and C1 controls, DEL, and the Unicode line separators and bidirectional controls that reorder text.
// deno-lint-ignore no-control-regex
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `value` as text that cannot move the cursor, change colours or reorder a line: every control
 * character becomes `\xNN` (or `\u{NNNN}`); `null`/`undefined` become `-`.
 */
export function safe(value: unknown): string {
  if (value === null || value === undefined) return "-";
  return String(value).replace(UNSAFE, (c) => {
    const n = c.codePointAt(0)!;
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, "0")}` : `\\u{${n.toString(16)}}`;
  });
}

/** Rows under a header, columns aligned (cells go through {@linkcode safe}). */
export function table(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = [header.map(String), ...rows.map((row) => row.map(safe))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => [...(row[i] ?? "")].length)));
  return cells.map((row) =>
    row.map((cell, i) => i === row.length - 1 ? cell : cell + " ".repeat(widths[i]! - [...cell].length))
      .join("  ").trimEnd() + "\n"
  ).join("");
}

/** An ISO time as `2026-03-01 12:00:00Z` (`-` when absent, the escaped text when not a time). */
export function time(value: unknown): string {
  if (typeof value !== "string") return "-";
  const ms = Date.parse(value);
  return Number.isNaN(ms)
    ? safe(value)
    : new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

/** A commit shortened to 12 digits, for tables. */
export function short(commit: unknown): string {
  return typeof commit === "string" && commit.length > 12 ? commit.slice(0, 12) : safe(commit);
}

/** `k=v, k2=v2` (`-` when none). */
export function labelsText(labels: unknown): string {
  if (typeof labels !== "object" || labels === null) return "-";
  const pairs = Object.entries(labels as Record<string, unknown>).map(([k, v]) => `${k}=${v}`);
  return pairs.length > 0 ? pairs.join(",") : "-";
}
