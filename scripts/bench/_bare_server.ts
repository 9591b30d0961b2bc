/**
 * Private to scripts/bench (the edge benchmark): a bare `Deno.serve` in its own process on 127.0.0.1,
 * answering every request with one constant response: the baseline the edge is measured against.
 * @module
 */
import { type ListeningChild, startListening } from "./_listening_child.ts";

/** What a bare server answers: `new Response(body, { status, headers })`, built per request. */
export interface BareSpec {
  body: string | null;
  status?: number;
  headers?: Record<string, string>;
}

/**
 * The bare server's source: the response described by its JSON argument. A handler that takes no
 * argument lets Deno skip creating the `Request` object.
 */
const BARE =
  `const s = JSON.parse(Deno.args[0]); const init = { status: s.status ?? 200, headers: s.headers }; ` +
  `Deno.serve({ hostname: "127.0.0.1", port: 0, ` +
  `onListen: ({ port }) => console.error("listening on http://127.0.0.1:" + port + "/") }, ` +
  `s.headers ? () => new Response(s.body, init) : () => new Response(s.body));`;

/** Starts a bare server answering `spec`; resolves once it listens, with its URL, pid and `stop()`. */
export function startBare(spec: BareSpec): Promise<ListeningChild> {
  return startListening(["eval", BARE, JSON.stringify(spec)], { what: "bare server" });
}
