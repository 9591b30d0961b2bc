/**
 * Private: `repo push`'s client of an edge's publish API and static routes. Reads with the global
 * `fetch` (`GET`/`HEAD` of `/tuf/…` and `/targets/…`); uploads with node:http(s), streaming the file
 * with a `Content-Length` (the Workers edge needs one, and Deno's `fetch` sends a stream chunked
 * whatever the header says), never holding more than a chunk of it. Failures: `TransientError` when
 * the edge cannot be reached or asks to try later (408, 429, 5xx), `IntegrityError` when it refuses an
 * upload's digest (422), `EdgeAnswerError` for other refusals.
 */
import { createReadStream } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { Transform } from "node:stream";
import { IntegrityError, TransientError } from "../../core/errors.ts";
import { joinUrl } from "../../core/url/mod.ts";
import { EdgeAnswerError } from "./edge_answer_error.ts";

const TIMEOUT_MS = 60_000;

/** What the edge answered, read whole (answers are small JSON documents). */
interface Answer {
  status: number;
  text: string;
}

function failureOf(error: unknown): string {
  const cause = (error as { cause?: unknown })?.cause;
  const message = error instanceof Error ? error.message : String(error);
  return cause instanceof Error ? `${message}: ${cause.message}` : message;
}

/** The edge at `base` (its URL; a path prefix is kept), publishing with `token`. */
export class EdgeClient {
  readonly base: URL;
  #token: string;

  constructor(base: URL, token: string) {
    this.base = base;
    this.#token = token;
  }

  /** Bytes at `path` (relative to the edge's root), `undefined` for 404; at most `maxLength` bytes. */
  async get(path: string, maxLength: number): Promise<Uint8Array | undefined> {
    const res = await this.#fetch(`read ${path}`, path, { method: "GET" });
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) throw refusal(`Cannot read ${path}`, { status: res.status, text: await res.text() });
    const declared = Number(res.headers.get("content-length") ?? "0");
    if (declared > maxLength) {
      await res.body?.cancel();
      throw new IntegrityError(`Cannot read ${path}: ${declared} bytes, more than ${maxLength}`);
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length > maxLength) {
      throw new IntegrityError(`Cannot read ${path}: more than ${maxLength} bytes`);
    }
    return bytes;
  }

  /** Whether the edge serves `path` (`HEAD`: 200 yes, 404 no). */
  async has(path: string): Promise<boolean> {
    const res = await this.#fetch(`look up ${path}`, path, { method: "HEAD" });
    await res.body?.cancel();
    if (res.status === 404) return false;
    if (res.ok) return true;
    throw refusal(`Cannot look up ${path}`, { status: res.status, text: "" });
  }

  /**
   * `POST /v1/metadata` of `bytes` (with `?role=ROLE` when `role` is given): signed targets metadata,
   * a delegated role's, root's, or a metadata set; `what` names it in errors. The edge's JSON answer.
   */
  async postMetadata(
    bytes: Uint8Array,
    options: { role?: string; what: string },
  ): Promise<Record<string, unknown>> {
    const { role, what } = options;
    const path = role === undefined ? "v1/metadata" : `v1/metadata?role=${encodeURIComponent(role)}`;
    const res = await this.#fetch(`publish ${what}`, path, {
      method: "POST",
      body: bytes as Uint8Array<ArrayBuffer>,
      headers: { authorization: `Bearer ${this.#token}`, "content-type": "application/json" },
    });
    const text = await res.text();
    if (!res.ok) throw refusal(`Cannot publish ${what}`, { status: res.status, text });
    return JSON.parse(text);
  }

  /**
   * `PUT /v1/targets/<sha256>` streaming `file` (`size` bytes); `onProgress` gets the bytes sent so far.
   * Resolves to whether the edge stored it (201) or had it already (200).
   */
  putTarget(
    sha256: string,
    options: { file: string; size: number; onProgress?: (sent: number) => void },
  ): Promise<boolean> {
    const url = joinUrl(this.base, `v1/targets/${sha256}`);
    const request = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise<boolean>((resolve, reject) => {
      let answered = false;
      const req = request(url, {
        method: "PUT",
        headers: {
          authorization: `Bearer ${this.#token}`,
          "content-type": "application/octet-stream",
          "content-length": String(options.size),
        },
      }, (res) => {
        answered = true;
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (text.length < 65536) text += chunk; // an answer is a small JSON document
        });
        res.on("error", (error) => reject(unreachable(`upload ${sha256}`, error)));
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          if (status === 200 || status === 201) return resolve(status === 201);
          reject(refusal(`Cannot upload ${sha256}`, { status, text }));
        });
      });
      req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no progress for ${TIMEOUT_MS / 1000} s`)));
      req.on("error", (error) => {
        if (!answered) reject(unreachable(`upload ${sha256}`, error));
      });
      let sent = 0;
      const count = new Transform({
        transform(chunk: Uint8Array, _encoding, done) {
          sent += chunk.length;
          options.onProgress?.(sent);
          done(null, chunk);
        },
      });
      const source = createReadStream(options.file, { highWaterMark: 1 << 20 });
      source.on("error", (error) => {
        req.destroy(error);
        reject(error);
      });
      source.pipe(count).pipe(req);
    });
  }

  async #fetch(action: string, path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(joinUrl(this.base, path), { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      throw unreachable(action, error);
    }
  }
}

function unreachable(action: string, error: unknown): TransientError {
  return new TransientError(`Cannot ${action}: the edge cannot be reached: ${failureOf(error)}`, {
    cause: error,
  });
}

/** The error for an answer that is not a success. */
function refusal(what: string, answer: Answer): Error {
  let code: string | undefined;
  let message = answer.text.slice(0, 300);
  try {
    const doc = JSON.parse(answer.text);
    if (typeof doc?.error?.code === "string") code = doc.error.code;
    if (typeof doc?.error?.message === "string") message = doc.error.message;
  } catch { /* not the edge's JSON error */ }
  const detail = `${what}: the edge answered ${answer.status}${code ? ` ${code}` : ""}${
    message ? `: ${message}` : ""
  }`;
  const { status } = answer;
  if (status === 408 || status === 429 || status >= 500) return new TransientError(detail);
  if (status === 422) return new IntegrityError(detail);
  return new EdgeAnswerError(detail, { status, code });
}
