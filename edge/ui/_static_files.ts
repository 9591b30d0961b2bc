/**
 * Private: the dashboard's static files (the stylesheet and the icon), each at a path naming a hash
 * of its content, so they are cached for a year and a new version is a new path.
 */
import { STYLE } from "./_style.ts";

const ICON =
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" ` +
  `fill="#2563eb"/><path d="M10 8h6a8 8 0 0 1 0 16h-6z" fill="none" stroke="#fff" stroke-width="3.5"/></svg>`;

/** FNV-1a (32 bits) of `text`, hex: a cache-busting name, not a security measure. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}

/** Where the stylesheet and the icon are served. */
export const STATIC_PATHS = {
  style: `/ui/static/ui.${fnv1a(STYLE)}.css`,
  icon: `/ui/static/icon.${fnv1a(ICON)}.svg`,
} as const;

/** The static files by path: body and content type. */
export const STATIC_FILES: ReadonlyMap<string, { body: string; type: string }> = new Map([
  [STATIC_PATHS.style, { body: STYLE, type: "text/css; charset=utf-8" }],
  [STATIC_PATHS.icon, { body: ICON, type: "image/svg+xml" }],
]);
