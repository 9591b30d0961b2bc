/**
 * Child process of the fleet benchmark: a load generator that sends pre-serialized HTTP/1.1
 * requests over `CONNECTIONS` keep-alive TCP connections to 127.0.0.1:`PORT`, each connection taking
 * the next request when its previous answer is complete (so requests go out in file order, at most
 * `CONNECTIONS` in flight). Raw sockets, no client library: the generator stays cheaper than the
 * servers it measures. The file holds the requests back to back, each after its length as a 4-byte
 * big-endian integer. Prints one JSON line: `{ requests, ms, statuses: {code: n}, p50Ms, p99Ms }`.
 *
 * Usage: deno run -A scripts/bench/_http_load.ts PORT FILE CONNECTIONS
 * @module
 */
import { readFile } from "node:fs/promises";
import process from "node:process";

const [port, file, connections] = process.argv.slice(2);
if (!port || !file || !connections) throw new TypeError("Cannot run: usage PORT FILE CONNECTIONS");

function split(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const n = view.getUint32(at);
    out.push(bytes.subarray(at + 4, at + 4 + n));
    at += 4 + n;
  }
  return out;
}

const CRLF2 = [13, 10, 13, 10];

function indexOf(buf: Uint8Array, end: number, seq: number[], from: number): number {
  outer: for (let i = from; i + seq.length <= end; i++) {
    for (let j = 0; j < seq.length; j++) if (buf[i + j] !== seq[j]) continue outer;
    return i;
  }
  return -1;
}

/** One keep-alive connection reading answers into a growing buffer. */
class Connection {
  #conn: Deno.TcpConn;
  #buf = new Uint8Array(64 * 1024);
  #start = 0;
  #end = 0;
  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  async #fill(): Promise<void> {
    if (this.#start > 0 && this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#end === this.#buf.length) {
      const bigger = new Uint8Array(Math.max(this.#buf.length, (this.#end - this.#start) * 2));
      bigger.set(this.#buf.subarray(this.#start, this.#end));
      this.#end -= this.#start;
      this.#start = 0;
      this.#buf = bigger;
    }
    const n = await this.#conn.read(this.#buf.subarray(this.#end));
    if (n === null) throw new Error("Cannot read answer: connection closed");
    this.#end += n;
  }

  /** Sends one request and reads its answer; resolves to the status. */
  async exchange(request: Uint8Array): Promise<number> {
    for (let written = 0; written < request.length;) {
      written += await this.#conn.write(request.subarray(written));
    }
    let head: number;
    while ((head = indexOf(this.#buf, this.#end, CRLF2, this.#start)) < 0) await this.#fill();
    const text = new TextDecoder().decode(this.#buf.subarray(this.#start, head));
    const status = Number(text.slice(9, 12));
    const length = /\r\ncontent-length: *(\d+)/i.exec(text);
    this.#start = head + 4;
    if (length) {
      const n = Number(length[1]);
      while (this.#end - this.#start < n) await this.#fill();
      this.#start += n;
    } else if (/\r\ntransfer-encoding: *chunked/i.test(text)) {
      for (;;) {
        let line: number;
        while ((line = indexOf(this.#buf, this.#end, [13, 10], this.#start)) < 0) await this.#fill();
        const size = parseInt(new TextDecoder().decode(this.#buf.subarray(this.#start, line)), 16);
        while (this.#end - line - 2 < size + 2) await this.#fill();
        this.#start = line + 2 + size + 2;
        if (size === 0) break;
      }
    } else if (status !== 204 && status !== 304) {
      throw new Error(`Cannot read answer: neither Content-Length nor chunked\n${text}`);
    }
    return status;
  }

  close(): void {
    this.#conn.close();
  }
}

const requests = split(new Uint8Array(await readFile(file)));
const conns = await Promise.all(
  Array.from({ length: Number(connections) }, async () => {
    const c = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
    c.setNoDelay(true);
    return new Connection(c);
  }),
);
const statuses: Record<number, number> = {};
const latencies = new Float64Array(requests.length);
let next = 0;
const start = performance.now();
await Promise.all(conns.map(async (conn) => {
  for (let i = next++; i < requests.length; i = next++) {
    const t0 = performance.now();
    const status = await conn.exchange(requests[i]!);
    latencies[i] = performance.now() - t0;
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
}));
const ms = performance.now() - start;
for (const c of conns) c.close();
latencies.sort();
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0;
console.log(JSON.stringify({ requests: requests.length, ms, statuses, p50Ms: at(0.5), p99Ms: at(0.99) }));
