/**
 * Private to test/ (re-exported by `harness.ts`): a Range-capable static server whose responses a
 * test can replace, and response bodies that are slow or never end.
 * @module
 */
import { type LoggedRequest, serveStatic } from "./e2e/static_server.ts";

/** Replaces the response for a path; `undefined` serves the file as usual. */
export type Intercept = (
  path: string,
  request: Request,
) => Response | undefined | Promise<Response | undefined>;

/** A static server on 127.0.0.1 (port 0); `await using` shuts it down. */
export interface TestServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  /** Every request, in order (method, path, range, status). */
  readonly requests: LoggedRequest[];
  /** Set or clear at any time to alter what is served. */
  intercept?: Intercept;
  close(): Promise<void>;
}

/**
 * Serves `root` with the e2e suite's static server (Range requests, 404s, request log) and lets a test
 * replace any response at any time through `intercept`.
 */
export function serveDir(root: string, intercept?: Intercept): TestServer {
  const state: { intercept?: Intercept } = { intercept };
  const server = serveStatic(root, { intercept: (request, path) => state.intercept?.(path, request) });
  return {
    url: server.url.href.replace(/\/$/, ""),
    requests: server.requests,
    get intercept() {
      return state.intercept;
    },
    set intercept(value) {
      state.intercept = value;
    },
    close: () => server.close(),
    [Symbol.asyncDispose]: () => server.close(),
  };
}

/** A body that yields `bytes` in `chunkSize` pieces, `delayMs` apart (for kills mid-download). */
export function slowBody(bytes: Uint8Array, options: { chunkSize?: number; delayMs?: number } = {}) {
  const size = options.chunkSize ?? 16_384;
  let offset = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      return new Promise<void>((done) => {
        timer = setTimeout(() => {
          timer = undefined;
          controller.enqueue(bytes.slice(offset, offset + size));
          offset += size;
          done();
        }, options.delayMs ?? 20);
      });
    },
    cancel() {
      clearTimeout(timer);
    },
  });
}

/** A body that never ends (`prefix`, then zeros for ever), produced only as fast as it is read. */
export function endlessBody(prefix: Uint8Array = new Uint8Array()): ReadableStream<Uint8Array> {
  let first = true;
  const zeros = new Uint8Array(65_536);
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(first && prefix.length ? prefix : zeros);
      first = false;
    },
  });
}
