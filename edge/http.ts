/**
 * Small response helpers shared by the routes.
 * @module
 */
import type { ResolvedConfig } from "./_config.ts";

/** Cache-Control of content-addressed, versioned files. */
export const IMMUTABLE = "public, max-age=31536000, immutable";

/** The base URL for absolute links: `publicUrl` when configured, else the request's origin. */
export function baseUrl(requestUrl: string, config: ResolvedConfig): string {
  if (config.publicUrl) return config.publicUrl;
  const start = requestUrl.indexOf("//") + 2;
  const end = requestUrl.indexOf("/", start);
  return end < 0 ? requestUrl : requestUrl.slice(0, end);
}

/** What a cacheable response is made of (the edge builds `Response`s from it; see `RepoState.respond`). */
export interface ResponseSpec {
  body: string | null;
  status?: number;
  headers: Record<string, string>;
}

/** A JSON {@linkcode ResponseSpec}. */
export function jsonSpec(value: unknown, headers: Record<string, string> = {}): ResponseSpec {
  return {
    body: JSON.stringify(value),
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  };
}

/** A JSON response (`value` is serialised unless it is already a string). */
export function jsonResponse(
  value: unknown,
  init?: { status?: number; headers?: Record<string, string> },
): Response {
  const body = typeof value === "string" ? value : JSON.stringify(value);
  // Headers set one by one: a few times cheaper per response than a headers init on Deno.
  const response = new Response(body, { status: init?.status ?? 200 });
  const headers = response.headers;
  headers.set("content-type", "application/json; charset=utf-8");
  const extra = init?.headers ?? {};
  for (const name in extra) headers.set(name, extra[name]!);
  return response;
}
