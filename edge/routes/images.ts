/**
 * OS images by device type (slug or alias):
 * - `GET /v1/images/<deviceType>[?variant=dev]`: `{ deviceType, aliases, versions: [{ version,
 *   prerelease, recommended, variants }] }`, newest first; `recommended` marks what `recommended`
 *   resolves to for the variant (default prod): the newest signed as recommended, else the newest
 *   non-pre-release;
 * - `GET|HEAD /v1/images/<deviceType>/<versionOrRange>[?variant=dev]`: 302 to the artifact's
 *   immutable URL with `X-Drover-Version` and `X-Drover-Sha256`, resolved by core's
 *   `resolveVersion` (exact, range, `latest`, `recommended`, `default`) and cached.
 * @module
 */
import type { Hono } from "hono";
import semver from "semver";
import { resolveVersion } from "../../core/version/mod.ts";
import type { RepoState } from "../repo_state.ts";
import type { ImageEntry, RepoView } from "../repo_view.ts";
import { HttpError } from "../http_error.ts";
import { baseUrl, jsonSpec, type ResponseSpec } from "../http.ts";
import { joinUrl } from "../../core/url/mod.ts";

/**
 * Registers the image routes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createApp } from "../app.ts";
 * import { FsStorage } from "../storage/fs_storage.ts";
 * const dir = await Deno.makeTempDir();
 * const app = createApp({ storage: new FsStorage(dir) });
 * assert.equal((await app.request("/v1/images/no-such-board/latest")).status, 404);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function imagesRoutes(app: Hono, state: RepoState): void {
  app.get("/v1/images/:deviceType", async (c) => {
    const view = await state.view();
    const slug = deviceSlug(view, c.req.param("deviceType"));
    const variant = variantOf(c.req.query("variant"), "list images");
    return state.respondByUrl(
      { view, url: c.req.url },
      () =>
        jsonSpec(listing(view, { slug, variant }), {
          "cache-control": `public, max-age=${state.config.shortMaxAge}`,
        }),
    );
  });

  app.get("/v1/images/:deviceType/:versionOrRange", (c): Response | Promise<Response> => {
    const ask: Ask = {
      deviceType: c.req.param("deviceType"),
      request: c.req.param("versionOrRange"),
      variant: c.req.query("variant"),
      url: c.req.url,
    };
    const view = state.view();
    return view instanceof Promise ? view.then((v) => redirect(v, ask)) : redirect(view, ask);
  });

  // Hot route: synchronous when the view is cached; the whole response is cached by URL.
  const redirect = (view: RepoView, ask: Ask): Response =>
    state.respondByUrl({ view, url: ask.url }, () => resolve(view, ask), {
      ttlMs: state.config.resolutionTtlMs,
    });

  const resolve = (view: RepoView, ask: Ask): ResponseSpec => {
    const slug = deviceSlug(view, ask.deviceType);
    const variant = variantOf(ask.variant, "resolve image");
    const request = ask.request;
    if (request.length > 256) {
      throw new HttpError(400, "Cannot resolve image: request too long");
    }
    let entry: ImageEntry;
    try {
      entry = state.resolveImage(view, { slug, request, variant });
    } catch (error) {
      if (error instanceof SyntaxError || error instanceof TypeError) {
        throw new HttpError(400, `Cannot resolve image: '${request}' is not a version, range or keyword`);
      }
      throw error;
    }
    const target = entry.target;
    return {
      body: null,
      status: 302,
      headers: {
        "location": joinUrl(baseUrl(ask.url, state.config), target.url).href,
        "x-drover-version": entry.version,
        "x-drover-sha256": target.hashes.sha256 ?? "",
        "cache-control": `public, max-age=${state.config.shortMaxAge}`,
      },
    };
  };
}

interface Ask {
  deviceType: string;
  request: string;
  variant: string | undefined;
  url: string;
}

function deviceSlug(view: RepoView, name: string): string {
  try {
    return view.deviceTypes.resolve(name).slug;
  } catch {
    throw new HttpError(404, `Cannot find device type '${name.slice(0, 64)}'`);
  }
}

function variantOf(asked: string | undefined, action: string): "prod" | "dev" {
  const variant = asked ?? "prod";
  if (variant !== "prod" && variant !== "dev") {
    throw new HttpError(400, `Cannot ${action}: unknown variant (prod or dev)`);
  }
  return variant;
}

/**
 * The listing: every version of every variant; `recommended` marks the one `recommended` resolves to for
 * `variant` (the newest signed as recommended, else the newest non-pre-release), as `drover image list`
 * marks it.
 */
function listing(view: RepoView, o: { slug: string; variant: "prod" | "dev" }) {
  const entries = view.images.get(o.slug) ?? [];
  const recommended = recommendedOf(entries, o.variant);
  const byVersion = new Map<
    string,
    { version: string; prerelease: boolean; recommended: boolean; variants: string[] }
  >();
  for (const e of entries) {
    let item = byVersion.get(e.version);
    if (!item) {
      item = { version: e.version, prerelease: e.prerelease, recommended: false, variants: [] };
      byVersion.set(e.version, item);
    }
    item.recommended ||= e === recommended;
    if (!item.variants.includes(e.variant)) item.variants.push(e.variant);
  }
  const versions = [...byVersion.values()].sort((a, b) => compare(b.version, a.version));
  for (const v of versions) v.variants.sort();
  const type = view.deviceTypes.resolve(o.slug);
  return { deviceType: o.slug, name: type.name, aliases: type.aliases ?? [], versions };
}

/** What `recommended` resolves to among the entries of `variant`; `undefined` when nothing does. */
function recommendedOf(entries: ImageEntry[], variant: "prod" | "dev"): ImageEntry | undefined {
  const same = entries.filter((e) => e.variant === variant);
  if (same.length === 0) return undefined;
  try {
    return resolveVersion(same, "recommended", { variant });
  } catch {
    return undefined;
  }
}

function compare(a: string, b: string): number {
  const x = semver.parse(a.replace(/^v/, "")), y = semver.parse(b.replace(/^v/, ""));
  if (x && y) return semver.compareBuild(x, y);
  return a < b ? -1 : a > b ? 1 : 0;
}
