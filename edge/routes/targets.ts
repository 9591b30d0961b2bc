/**
 * `GET|HEAD /targets/<dir…>/<sha256>.<basename>`: artifact bytes by content address (TUF
 * consistent-snapshot URLs). Strong ETag `"<sha256>"`, `If-None-Match` → 304, single byte ranges
 * (206, 416, `If-Range`), `Cache-Control: public, max-age=31536000, immutable`, never a
 * `Content-Encoding` (clients hash the bytes as sent).
 * @module
 */
import type { Hono } from "hono";
import type { RepoState } from "../repo_state.ts";
import { HttpError } from "../http_error.ts";
import { IMMUTABLE } from "../http.ts";
import { parseRange } from "./_range.ts";
import { isSegment } from "../../core/names/mod.ts";

/** `<sha256>.<name>`: the last segment of a consistent-snapshot URL. */
const FILE = /^([0-9a-f]{64})\.(.+)$/;

/**
 * Registers the artifact route.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createApp } from "../app.ts";
 * import { FsStorage } from "../storage/fs_storage.ts";
 * const dir = await Deno.makeTempDir();
 * const app = createApp({ storage: new FsStorage(dir) });
 * assert.equal((await app.request(`/targets/${"0".repeat(64)}.x.tar`)).status, 404);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function targetsRoutes(app: Hono, state: RepoState): void {
  app.get("/targets/*", async (c) => {
    const { sha256, path } = parseTargetPath(c.req.url);
    const etag = `"${sha256}"`;
    const headers: Record<string, string> = {
      "etag": etag,
      "cache-control": IMMUTABLE,
      "accept-ranges": "bytes",
      "content-type": "application/octet-stream",
      "x-content-type-options": "nosniff",
    };
    const missing = () => new HttpError(404, `Cannot find target: no blob ${sha256}`);
    if (matchesEtag(c.req.header("if-none-match"), sha256)) {
      if (!(await state.storage.headBlob(sha256, { path }))) throw missing();
      return new Response(null, { status: 304, headers: { etag, "cache-control": IMMUTABLE } });
    }
    const head = await state.storage.headBlob(sha256, { path });
    if (!head) throw missing();
    const ifRange = c.req.header("if-range");
    const range = ifRange === undefined || ifRange.trim() === etag
      ? parseRange(c.req.header("range"), head.size)
      : undefined;
    if (range === "unsatisfiable") {
      throw new HttpError(416, `Cannot serve range: blob has ${head.size} bytes`, {
        headers: { "content-range": `bytes */${head.size}`, "accept-ranges": "bytes" },
      });
    }
    const length = range ? range.length : head.size;
    headers["content-length"] = String(length);
    const status = range ? 206 : 200;
    if (range) {
      headers["content-range"] = `bytes ${range.offset}-${range.offset + range.length - 1}/${head.size}`;
    }
    if (c.req.method === "HEAD") return new Response(null, { status, headers });
    const read = await state.storage.getBlob(sha256, { path, range });
    if (!read) throw missing();
    return new Response(read.body, { status, headers });
  });
}

/** Splits and checks `/targets/<dir…>/<sha256>.<basename>`; 404 for anything else. */
function parseTargetPath(url: string): { sha256: string; path: string } {
  const pathname = new URL(url).pathname;
  const segments = pathname.split("/").slice(2); // "", "targets"
  if (segments.length === 0 || segments.length > 16) throw notATarget();
  const decoded: string[] = [];
  for (const raw of segments) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      throw notATarget();
    }
    if (!isSegment(segment, { maxLength: 255 })) throw notATarget();
    decoded.push(segment);
  }
  const match = FILE.exec(decoded[decoded.length - 1]!);
  if (!match || !isSegment(match[2])) throw notATarget();
  return { sha256: match[1]!, path: `targets/${decoded.join("/")}` };
}

function notATarget(): HttpError {
  return new HttpError(404, "Cannot find target: expected /targets/<dir>/<sha256>.<name>");
}

function matchesEtag(header: string | undefined, sha256: string): boolean {
  if (!header) return false;
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t === `"${sha256}"` || t === `W/"${sha256}"`;
  });
}
