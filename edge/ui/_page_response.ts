/**
 * Private: how every dashboard response is sent. Pages are HTML, never stored by caches (they hold
 * fleet data), and carry a strict Content-Security-Policy: nothing but our own stylesheet and
 * images loads, no script at all, forms post only to this origin, no framing. `Referrer-Policy:
 * same-origin` rather than `no-referrer`: under `no-referrer` a browser sends `Origin: null` with
 * same-origin form posts, which the POST check could not tell from a foreign one.
 */

/** The policy of every dashboard response. */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'self'; img-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Headers every dashboard response carries (pages, redirects, errors, the stylesheet). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

/** An HTML response of a rendered page (`node` is what Hono's JSX returns). */
export async function pageResponse(node: unknown, status = 200): Promise<Response> {
  const body = `<!doctype html>${String(await node)}`;
  return new Response(body, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });
}
