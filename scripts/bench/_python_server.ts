/**
 * Private to scripts/bench (the install benchmark): Python's static file server (`http.server`,
 * threaded) on 127.0.0.1, port 0, in its own process, so the server does not compete with the measured
 * process. It exits when its stdin closes, so it never outlives this process, however that ends.
 * @module
 */
import { spawn } from "node:child_process";

const SERVER_PY = `
import functools, http.server, sys, threading
http.server.SimpleHTTPRequestHandler.log_message = lambda *args: None
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
print("port", server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
`;

/** Serves `dir`; resolves once it listens, with its URL (no trailing slash) and `close()`. */
export function startServer(dir: string): Promise<{ url: string; close(): void }> {
  const child = spawn("python3", ["-u", "-c", SERVER_PY, dir], { stdio: ["pipe", "pipe", "ignore"] });
  return new Promise((ok, fail) => {
    let out = "";
    child.on("error", fail);
    child.stdout.on("data", (d: Uint8Array) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) ok({ url: `http://127.0.0.1:${m[1]}`, close: () => child.stdin.end() });
    });
    child.on("exit", (code) => fail(new Error(`Cannot serve ${dir}: python3 exited ${code}`)));
  });
}
