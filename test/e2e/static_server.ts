/**
 * A tiny static file server for tests: serves a directory on 127.0.0.1 (port 0) with single
 * Range requests (206 + Content-Range, 416), streaming bodies (never buffered), and hooks to
 * misbehave: ignore Range, fail the first requests, cut a body short, or answer anything else.
 * Every request is logged.
 *
 * @example
 * ```ts ignore
 * import { serveStatic } from "./static_server.ts";
 * await using server = serveStatic("./repo");
 * const res = await fetch(new URL("tuf/timestamp.json", server.url));
 * await res.body?.cancel();
 * ```
 * @module
 */
import { join, normalize } from "node:path";

/** One logged request. */
export interface LoggedRequest {
  method: string;
  path: string;
  range: string | null;
  status: number;
}

/** Options of {@linkcode serveStatic}. */
export interface StaticServerOptions {
  /** Answer Range requests with the whole file (200), like some servers do. */
  ignoreRange?: boolean;
  /** Answer this many requests (matching `failPattern`, default all) with 503 first. */
  failFirst?: number;
  failPattern?: RegExp;
  /** Retry-After sent with those 503s (seconds). */
  retryAfter?: number;
  /** End file bodies matching `cutPattern` after this many bytes (the connection drops). */
  cutAfter?: number;
  cutPattern?: RegExp;
  /** Anything else: return a Response to answer instead of the file, or undefined to go on. */
  intercept?: (req: Request, path: string) => Response | undefined | Promise<Response | undefined>;
}

/** A running server. */
export interface StaticServer {
  /** `http://127.0.0.1:<port>/` */
  readonly url: URL;
  readonly requests: LoggedRequest[];
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function parseRange(
  header: string,
  size: number,
): { start: number; end: number } | "unsatisfiable" | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  let start: number;
  let end: number;
  if (m[1] === "") {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return "unsatisfiable";
  return { start, end };
}

function fileBody(file: Deno.FsFile, length: number, cut: number | undefined): ReadableStream<Uint8Array> {
  let left = length;
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (left <= 0) {
        file.close();
        controller.close();
        return;
      }
      if (cut !== undefined && sent >= cut) {
        file.close();
        controller.close(); // shorter than content-length: the connection is dropped
        return;
      }
      const want = Math.min(64 * 1024, left, cut !== undefined ? cut - sent : Infinity);
      const buf = new Uint8Array(want);
      const n = await file.read(buf);
      if (n === null || n === 0) {
        file.close();
        controller.close();
        return;
      }
      left -= n;
      sent += n;
      controller.enqueue(buf.subarray(0, n));
    },
    cancel() {
      file.close();
    },
  });
}

/** Serves `root` on 127.0.0.1 (a free port) until `close()`. */
export function serveStatic(root: string, options: StaticServerOptions = {}): StaticServer {
  const requests: LoggedRequest[] = [];
  let failures = 0;
  const handle = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const path = decodeURIComponent(url.pathname);
    const range = req.headers.get("range");
    const log = (res: Response) => {
      requests.push({ method: req.method, path, range, status: res.status });
      return res;
    };
    const intercepted = await options.intercept?.(req, path);
    if (intercepted) return log(intercepted);
    if (options.failFirst && failures < options.failFirst && (options.failPattern?.test(path) ?? true)) {
      failures++;
      const headers: Record<string, string> = {};
      if (options.retryAfter !== undefined) headers["retry-after"] = String(options.retryAfter);
      return log(new Response("try later\n", { status: 503, headers }));
    }
    const rel = normalize(path).replace(/^\/+/, "");
    if (rel.startsWith("..")) return log(new Response("no\n", { status: 403 }));
    const full = join(root, rel);
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(full);
    } catch {
      return log(new Response("not found\n", { status: 404 }));
    }
    if (!info.isFile) return log(new Response("not found\n", { status: 404 }));
    const size = info.size;
    const cut = options.cutPattern?.test(path) ?? true ? options.cutAfter : undefined;
    const r = range && !options.ignoreRange ? parseRange(range, size) : undefined;
    if (r === "unsatisfiable") {
      return log(new Response(null, { status: 416, headers: { "content-range": `bytes */${size}` } }));
    }
    const file = await Deno.open(full, { read: true });
    const headers: Record<string, string> = {
      "accept-ranges": "bytes",
      "content-type": "application/octet-stream",
    };
    if (req.method === "HEAD") {
      file.close();
      return log(
        new Response(null, { status: 200, headers: { ...headers, "content-length": String(size) } }),
      );
    }
    if (r) {
      await file.seek(r.start, Deno.SeekMode.Start);
      const length = r.end - r.start + 1;
      return log(
        new Response(fileBody(file, length, cut), {
          status: 206,
          headers: {
            ...headers,
            "content-range": `bytes ${r.start}-${r.end}/${size}`,
            "content-length": String(length),
          },
        }),
      );
    }
    return log(
      new Response(fileBody(file, size, cut), {
        status: 200,
        headers: { ...headers, "content-length": String(size) },
      }),
    );
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handle);
  const url = new URL(`http://127.0.0.1:${server.addr.port}/`);
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= server.shutdown());
  return { url, requests, close, [Symbol.asyncDispose]: close };
}
