/**
 * One log line per request (`METHOD path status ms`, whole milliseconds), batched so logging does not dominate a
 * hot server: lines are joined and written at most every `intervalMs` or every 32 KiB.
 * @module
 */

type Handler = (request: Request) => Response | Promise<Response>;

/** A batching request logger around a fetch handler. */
export class RequestLog {
  readonly #write: (text: string) => void;
  readonly #intervalMs: number;
  #buffer = "";
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(write: (text: string) => void, options?: { intervalMs?: number }) {
    this.#write = write;
    this.#intervalMs = options?.intervalMs ?? 100;
  }

  /**
   * `handler`, logging each request once its response head is ready. A synchronous handler stays
   * synchronous (no promise, no closure per request).
   */
  wrap(handler: Handler): Handler {
    return (request) => {
      const started = Date.now(); // performance.now() is an op call: measurably slower per request
      let response: Response | Promise<Response>;
      try {
        response = handler(request);
      } catch (error) {
        this.#record(request, 500, started);
        throw error;
      }
      if (!(response instanceof Promise)) {
        this.#record(request, response.status, started);
        return response;
      }
      return response.then((r) => {
        this.#record(request, r.status, started);
        return r;
      }, (error) => {
        this.#record(request, 500, started);
        throw error;
      });
    };
  }

  #record(request: Request, status: number, started: number): void {
    const url = request.url; // no URL parsing: the path starts at the first "/" after "scheme://"
    const start = url.indexOf("/", url.indexOf("//") + 2);
    const path = start < 0 ? "/" : url.slice(start, start + 300);
    this.line(request.method + " " + path + " " + status + " " + (Date.now() - started) + "ms");
  }

  /** Queues one line. */
  line(text: string): void {
    this.#buffer += text + "\n";
    if (this.#buffer.length >= 32 * 1024) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), this.#intervalMs);
  }

  /** Writes what is queued now. */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#buffer === "") return;
    const text = this.#buffer;
    this.#buffer = "";
    this.#write(text);
  }
}
