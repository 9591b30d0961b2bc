/**
 * Private: the cross-site check of every dashboard POST, beside the CSRF token: a browser says
 * where a request comes from (`Sec-Fetch-Site`, `Origin`), and a request from another site is
 * refused whatever else it carries. Clients that send neither header (scripts) still need the
 * CSRF token of a valid session.
 */

/** Why a POST with these headers is refused, or `undefined` when it may go on. */
export function crossSiteRefusal(headers: Headers, allowedOrigins: readonly string[]): string | undefined {
  const site = headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin") {
    return `the request comes from ${site.slice(0, 20)} (Sec-Fetch-Site), not from this dashboard`;
  }
  const origin = headers.get("origin");
  if (origin !== null && !allowedOrigins.includes(origin)) {
    return `the request comes from origin ${origin.slice(0, 100)}, not from this dashboard`;
  }
  return undefined;
}
