/**
 * `GET /releases` and `GET /`: the radiodan-compatible document
 * `{ name: { ref: { commit, file, sha1, sha256, size, updated, serial } } }` with `file` made absolute:
 * only the names and refs whose current release legacy clients can install (sha1, gzip; see
 * core/trust `legacyRefusal`), since a missing `sha1` panics the original updater for every app;
 * a release whose signed rollout is below 100% now, or that the edge holds (paused, halted), is
 * never offered (they have no identity to bucket: `_legacy_view.ts`).
 * `GET /` answers JSON too (the original radiodan updater fetches its API host's root), unless the
 * client asks for HTML, which gets a short page saying how to use the server.
 * @module
 */
import type { Hono } from "hono";
import type { RepoState } from "../repo_state.ts";
import { type RepoView, viewKey } from "../repo_view.ts";
import { baseUrl } from "../http.ts";
import { joinUrl } from "../../core/url/mod.ts";
import type { ReleasesDocument } from "../../core/trust/mod.ts";
import { legacyDocument, type LegacyHolds, type LegacyInputs, legacyInputs } from "./_legacy_view.ts";

export type { LegacyHolds };

/** Options of {@linkcode releasesRoutes}. */
export interface ReleasesRouteOptions {
  /** The edge's holds on a view's rollouts (the fleet's); absent: none (an edge without a fleet). */
  holds?: LegacyHolds;
}

/**
 * Registers the releases routes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createApp } from "../app.ts";
 * import { FsStorage } from "../storage/fs_storage.ts";
 * const dir = await Deno.makeTempDir();
 * const app = createApp({ storage: new FsStorage(dir) });
 * const res = await app.request("/releases");
 * assert.ok(res.status === 200 && JSON.stringify(await res.json()) === "{}");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function releasesRoutes(app: Hono, state: RepoState, options: ReleasesRouteOptions = {}): void {
  const respond = (view: RepoView, url: string, byUrl: boolean, inputs?: LegacyInputs): Response => {
    const base = baseUrl(url, state.config);
    const build = () => ({
      body: render(legacyDocument(view, inputs, state.config.clock()), base),
      // `/` answers HTML to browsers: caches must key it by Accept (`/releases` is JSON only)
      headers: { "content-type": "application/json; charset=utf-8", ...(byUrl ? {} : { vary: "accept" }) },
    });
    // with rollouts the document changes with the time and the holds: never in the URL-keyed fast lane
    if (inputs) return state.respond(`${viewKey(view)} releases ${base} ${byUrl} ${inputs.key}`, build);
    return byUrl
      ? state.respondByUrl({ view, url }, build)
      : state.respond(`${viewKey(view)} releases ${base}`, build);
  };
  const forView = (view: RepoView, url: string, byUrl: boolean): Response | Promise<Response> => {
    const inputs = legacyInputs(view, {
      clockMs: state.config.clock(),
      source: options.holds,
      log: state.config.log,
    });
    return inputs ? inputs.then((i) => respond(view, url, byUrl, i)) : respond(view, url, byUrl);
  };
  // Hot route: answer synchronously when the view is cached (no extra promise per request).
  const serve = (url: string, byUrl: boolean): Response | Promise<Response> => {
    const view = state.view();
    return view instanceof Promise ? view.then((v) => forView(v, url, byUrl)) : forView(view, url, byUrl);
  };
  // Keyed by URL: the fast lane in front of the router answers repeated GETs (see app.ts).
  app.get("/releases", (c) => serve(c.req.url, true));
  app.get("/", (c): Response | Promise<Response> => {
    if (!wantsHtml(c.req.header("accept"))) return serve(c.req.url, false); // depends on Accept: not by URL
    const base = baseUrl(c.req.url, state.config);
    const html = (view: RepoView) =>
      state.respond(`${viewKey(view)} html ${base}`, () => ({
        body: page(view, base),
        headers: {
          "content-type": "text/html; charset=utf-8",
          "cache-control": "no-cache",
          "vary": "accept",
        },
      }));
    const view = state.view();
    return view instanceof Promise ? view.then(html) : html(view);
  });
}

function render(doc: ReleasesDocument, base: string): string {
  const out: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const [name, refs] of Object.entries(doc)) {
    const entries: Record<string, Record<string, unknown>> = {};
    for (const [ref, entry] of Object.entries(refs)) {
      entries[ref] = { ...entry, file: joinUrl(base, String(entry.file)).href };
    }
    out[name] = entries;
  }
  return JSON.stringify(out);
}

function wantsHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const html = accept.search(/text\/html/i);
  if (html < 0) return false;
  const json = accept.search(/application\/json/i);
  return json < 0 || html < json;
}

const escape = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!,
  );

function page(view: RepoView, base: string): string {
  const apps = Object.entries(view.releases).flatMap(([name, refs]) =>
    Object.entries(refs).map(([ref, e]) =>
      `<li>${escape(name)} ${escape(ref)}: ${escape(String(e.commit))}</li>`
    )
  );
  const types = view.deviceTypes.list().map((t) => `<li>${escape(t.slug)}</li>`);
  return `<!doctype html><meta charset="utf-8"><title>Drover edge</title>
<h1>Drover edge</h1>
<p>Targets v${view.versions.targets}, timestamp v${view.versions.timestamp}.</p>
<p>Point devices at it: <code>drover check --api ${escape(base)} --trusted-root root.json …</code>
(root: <a href="${escape(base)}/tuf/root.json">/tuf/root.json</a>, provision it out of band).</p>
<h2>Apps</h2><ul>${apps.join("") || "<li>none</li>"}</ul>
<h2>Device types</h2><ul>${types.join("") || "<li>none</li>"}</ul>
<p>JSON: <a href="${escape(base)}/releases">/releases</a>, <a href="${
    escape(base)
  }/v1/device-types">/v1/device-types</a></p>
`;
}
