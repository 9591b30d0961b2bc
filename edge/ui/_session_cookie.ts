/**
 * Private: the session cookie. HttpOnly and SameSite=Strict always; over HTTPS (the request's
 * URL, or a configured `https:` public URL: a proxy terminating TLS) it is `Secure` and named
 * `__Host-drover_ui` (path `/`, no domain: a sibling subdomain cannot set or shadow it); over plain
 * HTTP (a development edge) it is `drover_ui` with path `/ui`.
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

const NAME = "drover_ui";

/** Reads, writes and clears the session cookie of a request. */
export const sessionCookie = {
  /** True when the dashboard is reached over HTTPS. */
  secure(c: Context, publicUrl: string | undefined): boolean {
    return c.req.url.startsWith("https:") || (publicUrl?.startsWith("https:") ?? false);
  },
  read(c: Context, secure: boolean): string | undefined {
    return secure ? getCookie(c, NAME, "host") : getCookie(c, NAME);
  },
  write(c: Context, value: string, options: { secure: boolean; maxAgeSeconds: number }): void {
    const flags = { httpOnly: true, sameSite: "Strict", maxAge: options.maxAgeSeconds } as const;
    if (options.secure) setCookie(c, NAME, value, { ...flags, prefix: "host" });
    else setCookie(c, NAME, value, { ...flags, path: "/ui" });
  },
  clear(c: Context, secure: boolean): void {
    const flags = { httpOnly: true, sameSite: "Strict" } as const;
    if (secure) deleteCookie(c, NAME, { ...flags, prefix: "host", secure: true });
    else deleteCookie(c, NAME, { ...flags, path: "/ui" });
  },
};
