/**
 * The rule on what a server says about an artifact's size: it must be the signed length, or the bytes
 * are not the signed ones.
 * @module
 */
import { IntegrityError } from "../../core/errors.ts";

/** What {@linkcode checkDeclaredLength} reads of a response. */
export interface DeclaredLength {
  status: number;
  contentRange: string | null;
  /** Content-Length of the response, when the server sent one. */
  contentLength: number | undefined;
}

/** The server announced another size than the signed one (see {@linkcode checkDeclaredLength}). */
export class DeclaredLengthError extends IntegrityError {}

/**
 * Checks what a response says about the artifact's full size against the signed `length`:
 * the Content-Length of a 200, the total of a 206's Content-Range (and that its Content-Length
 * matches the range), or the `bytes *\/N` of a 416. A server that announces another size is
 * sending other bytes: `DeclaredLengthError` (an `IntegrityError`) at once (retrying would not help). Silent when the
 * response does not say, or when `length` is unknown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkDeclaredLength } from "./declared_length.ts";
 * const opened = { status: 200, contentRange: null, contentLength: 10 };
 * try {
 *   checkDeclaredLength(opened, { length: 12, offset: 0, name: "a.tar.gz" });
 *   assert.ok(false);
 * } catch (e) {
 *   assert.equal((e as { code?: string }).code, "E_INTEGRITY");
 * }
 * ```
 */
export function checkDeclaredLength(
  opened: DeclaredLength,
  options: { length: number | undefined; offset: number; name: string },
): void {
  const { length, offset, name } = options;
  if (length === undefined) return;
  const refuse = (detail: string) => {
    throw new DeclaredLengthError(`Cannot verify ${name}: the server ${detail}, signed length is ${length}`);
  };
  if (opened.status === 200) {
    if (opened.contentLength !== undefined && opened.contentLength !== length) {
      refuse(`sends ${opened.contentLength} bytes`);
    }
  } else if (opened.status === 206) {
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(opened.contentRange?.trim() ?? "");
    if (!m || m[3] === "*") return;
    const [first, last, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (total !== length) refuse(`says the artifact has ${total} bytes`);
    if (opened.contentLength !== undefined && opened.contentLength !== last - first + 1) {
      refuse(`sends ${opened.contentLength} bytes for range ${first}-${last}`);
    }
  } else if (opened.status === 416) {
    const m = /^bytes \*\/(\d+)$/.exec(opened.contentRange?.trim() ?? "");
    if (m && Number(m[1]) !== length) refuse(`says the artifact has ${m[1]} bytes (from byte ${offset})`);
  }
}
