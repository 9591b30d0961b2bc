/**
 * `Range: bytes=…` parsing for artifact downloads (single range; RFC 9110 §14).
 * @module
 */

/** A satisfiable byte range: `offset` and `length` within the blob. */
export interface ByteRange {
  offset: number;
  length: number;
}

/**
 * Parses a Range header against a blob of `size` bytes.
 * Returns `undefined` when the whole blob should be sent (no header, another unit, or several
 * ranges, which a server may ignore), a {@linkcode ByteRange}, or `"unsatisfiable"` (416).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRange } from "./_range.ts";
 * assert.equal(JSON.stringify(parseRange("bytes=-2", 10)), '{"offset":8,"length":2}');
 * assert.equal(parseRange("bytes=10-", 10), "unsatisfiable");
 * ```
 */
export function parseRange(
  header: string | null | undefined,
  size: number,
): ByteRange | "unsatisfiable" | undefined {
  if (header == null) return undefined;
  const match = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (!match) return undefined;
  const specs = match[1]!.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (specs.length !== 1) return specs.length === 0 ? "unsatisfiable" : undefined;
  const spec = /^(\d*)-(\d*)$/.exec(specs[0]!);
  if (!spec) return "unsatisfiable";
  const [, first, last] = spec as unknown as [string, string, string];
  if (first === "" && last === "") return "unsatisfiable";
  if (first === "") {
    const suffix = safeInt(last);
    if (suffix === undefined || suffix === 0 || size === 0) return "unsatisfiable";
    const length = Math.min(suffix, size);
    return { offset: size - length, length };
  }
  const start = safeInt(first);
  if (start === undefined || start >= size) return "unsatisfiable";
  let end = last === "" ? size - 1 : safeInt(last);
  if (end === undefined) end = size - 1; // a huge last-pos means "to the end"
  if (end < start) return "unsatisfiable";
  end = Math.min(end, size - 1);
  return { offset: start, length: end - start + 1 };
}

function safeInt(digits: string): number | undefined {
  if (digits.length > 15) return undefined;
  return Number(digits);
}
