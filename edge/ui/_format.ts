/** Private: how the dashboard writes numbers, sizes, times and long device-supplied strings. */

/** `12345` -> `12,345`. */
export function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** A byte count in binary units (`1.5 MiB`). */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** `2026-03-01 12:00 UTC`. */
export function utc(at: Date): string {
  return Number.isNaN(at.getTime()) ? "?" : `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** How long before `now` (`5 min ago`, `3 h ago`, `2 d ago`). */
export function ago(at: Date, now: number): string {
  const s = Math.round((now - at.getTime()) / 1000);
  if (Number.isNaN(s)) return "?";
  if (s < -60) return "in the future";
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 172_800) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** At most `max` characters of `text` (device-supplied strings on list pages). */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A commit as lists show it: its first 12 characters. */
export function shortCommit(commit: string): string {
  return commit.slice(0, 12);
}

/** The width class (`w0`…`w100`) of `part` out of `total`; at least `w1` for any part above 0. */
export function widthClass(part: number, total: number): string {
  if (!(total > 0) || !(part > 0)) return "w0";
  return `w${Math.min(100, Math.max(1, Math.round((part / total) * 100)))}`;
}

/** `part` out of `total` as a percentage (`12.5%`). */
export function percent(part: number, total: number): string {
  if (!(total > 0)) return "0%";
  const p = (part / total) * 100;
  return `${p >= 10 || p === 0 ? Math.round(p) : p.toFixed(1)}%`;
}
