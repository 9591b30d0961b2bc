/** Private: a stand-in for the edge's fleet API on 127.0.0.1 and a CLI runner, for this folder's tests. */
import { runFleet } from "./main.ts";

/** A device id from a number. */
export const ID = (n: number) => `d_${n.toString(16).padStart(32, "0")}`;
/** The operator token the stub accepts (else 403 E_FORBIDDEN). */
export const TOKEN = "operator-token-123";

/** A device document. */
export function device(n: number, extra: Record<string, unknown> = {}) {
  return {
    id: ID(n),
    state: "accepted",
    deviceType: "rpi4",
    labels: { site: "lab" },
    lastSeen: "2026-03-01T12:00:00.000Z",
    apps: [{ name: "acme/radio", ref: "main", commit: "1a2b3c4d5e6f7a8b9c0d", serial: 3 }],
    lastInstall: null,
    ...extra,
  };
}

/** A stand-in for the edge's fleet API on 127.0.0.1: `answer` decides, every request is recorded. */
export function stubEdge(answer: (url: URL, req: Request) => Response | Promise<Response>) {
  const requests: { url: URL; method: string; auth: string | null }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    requests.push({ url, method: req.method, auth: req.headers.get("authorization") });
    if (req.headers.get("authorization") !== `Bearer ${TOKEN}`) {
      return Response.json({
        error: { code: "E_FORBIDDEN", message: "Cannot read fleet: wrong bearer token" },
      }, {
        status: 403,
      });
    }
    return answer(url, req);
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** Runs `drover-fleet argv` in process, with the right token in the environment unless `env` says otherwise. */
export async function run(argv: string[], env: Record<string, string> = {}) {
  let stdout = "", stderr = "";
  const code = await runFleet(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { DROVER_OPERATOR_TOKEN: TOKEN, ...env },
  });
  return { code, stdout, stderr };
}
