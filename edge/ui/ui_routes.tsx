/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * The fleet dashboard under `/ui/`: server-rendered HTML (Hono's JSX), no script, one stylesheet.
 *
 * - `GET /ui/login`, `POST /ui/login` (form field `token`: the operator token) -> a session cookie
 *   (`session_signer.ts`, `_session_cookie.ts`), then `303` to `next`; `POST /ui/logout`.
 * - `GET /ui/` overview, `GET /ui/devices[?app=&commit=&state=&label=&seen=&cursor=]`,
 *   `GET /ui/devices/<id>`, `POST /ui/devices/<id>/accept | /reject`, `GET /ui/releases`.
 * - `GET /ui/rollouts`, `GET /ui/rollouts/<id>`, `POST /ui/rollouts/<id>/pause | /resume | /end`
 *   (`_rollout_ui_routes.tsx`).
 * - `GET /ui/static/ui.<hash>.css`, `/ui/static/icon.<hash>.svg`: cached for a year.
 *
 * A page without a valid session redirects to the sign-in page. Every POST is refused (403) when a
 * browser says it comes from another site (`Sec-Fetch-Site`, `Origin`), and every POST but the
 * sign-in itself needs a valid session and its CSRF token (form field `csrf`). Every response
 * carries the headers of `_page_response.ts`; errors are HTML pages with the edge's status codes.
 * Device-supplied strings are rendered as text (JSX escapes them; nothing is inserted raw).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createApp } from "../app.ts";
 * import { FsStorage } from "../storage/fs_storage.ts";
 * const dir = await Deno.makeTempDir();
 * const app = createApp({ storage: new FsStorage(dir), config: { operatorToken: "operator-token" } });
 * const res = await app.request("/ui/devices");
 * assert.equal(res.status, 303);
 * assert.equal(res.headers.get("location"), "/ui/login?next=%2Fui%2Fdevices");
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @module
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import { DEVICE_ID } from "../../core/fleet/device_identity.ts";
import type { FleetRoutes } from "../fleet/routes/fleet_routes.ts";
import { limitBody } from "../body.ts";
import { HttpError, toErrorReply } from "../http_error.ts";
import type { RepoState } from "../repo_state.ts";
import { type Session, SessionSigner } from "./session_signer.ts";
import { pageResponse, SECURITY_HEADERS } from "./_page_response.ts";
import { sessionCookie } from "./_session_cookie.ts";
import { crossSiteRefusal } from "./_origin_check.ts";
import { STATIC_FILES } from "./_static_files.ts";
import { deviceQuery } from "./_device_filter.ts";
import { LoginPage } from "./_login_page.tsx";
import { ErrorPage } from "./_error_page.tsx";
import { OverviewPage } from "./_overview_page.tsx";
import { DevicesPage } from "./_devices_page.tsx";
import { DevicePage } from "./_device_page.tsx";
import { ReleasesPage } from "./_releases_page.tsx";
import { ROLLOUT_REFRESH_SECONDS, rolloutUiRoutes } from "./_rollout_ui_routes.tsx";
import { rolloutView, STATE_ORDER } from "./_rollout_view.ts";

/** Options of {@linkcode uiRoutes}. */
export interface UiOptions {
  /** The fleet store and the rollouts the edge watches. */
  fleet: FleetRoutes;
  state: RepoState;
  /** The operator token (signs sessions); without one signing in is refused. */
  operatorToken?: string;
  /** `https:` here makes the cookie `Secure` behind a proxy that terminates TLS. */
  publicUrl?: string;
  /** How long a session lasts (default 12 hours). */
  sessionTtlMs?: number;
  clock: () => number;
  log: (line: string) => void;
}

type Env = { Variables: { session: Session; csrf: string } };

/** Devices per page of the list. */
const PAGE_SIZE = 50;
/** Reports shown on a device's page. */
const REPORTS_SHOWN = 50;
/** A device not seen for this long is stale on the overview. */
const STALE_AFTER_MS = 24 * 3600_000;
/** Most rollouts in progress the overview shows. */
const OVERVIEW_ROLLOUTS = 10;
/** Largest form body accepted. */
const MAX_FORM_BYTES = 8192;

/** Where to go after signing in: a `/ui/` path in printable ASCII (not the sign-in page), else the overview. */
function safeNext(value: unknown): string {
  const ok = typeof value === "string" && value.length < 1000 &&
    /^\/ui\/[\x21-\x5b\x5d-\x7e]*$/.test(value) &&
    !value.startsWith("/ui/login");
  return ok ? value : "/ui/";
}

/** Registers the dashboard's routes on `app`. */
export function uiRoutes(app: Hono, options: UiOptions): void {
  const { fleet, state, clock } = options;
  const signer = options.operatorToken === undefined
    ? undefined
    : new SessionSigner(options.operatorToken, { ttlMs: options.sessionTtlMs, clock });
  const ui = new Hono<Env>();
  const origins = (c: Context) => {
    const own = new URL(c.req.url).origin;
    return options.publicUrl ? [own, new URL(options.publicUrl).origin] : [own];
  };
  const secure = (c: Context) => sessionCookie.secure(c, options.publicUrl);
  const sessionOf = async (c: Context) => await signer?.verify(sessionCookie.read(c, secure(c)));
  const forbid = (action: string, why: string) => new HttpError(403, `Cannot ${action}: ${why}`);

  ui.use("/ui/*", async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  });
  ui.onError(async (error, c) => {
    const reply = toErrorReply(error);
    if (reply.internal) options.log(`edge error: ${error instanceof Error ? error.stack : String(error)}`);
    const session = await sessionOf(c).catch(() => undefined);
    const csrf = session && signer ? await signer.csrfFor(session) : undefined;
    const title = reply.status === 404 ? "Not found" : reply.status === 403 ? "Refused" : "Cannot do that";
    const res = await pageResponse(
      <ErrorPage title={title} message={reply.message} csrf={csrf} />,
      reply.status,
    );
    for (const [name, value] of Object.entries(reply.headers)) res.headers.set(name, value);
    return res;
  });

  /** Pages: a valid session, else a redirect to the sign-in page (coming back here afterwards). */
  const signedIn: MiddlewareHandler<Env> = async (c, next) => {
    const session = await sessionOf(c);
    if (!session || !signer) {
      const url = new URL(c.req.url);
      return c.redirect(`/ui/login?${new URLSearchParams({ next: url.pathname + url.search })}`, 303);
    }
    c.set("session", session);
    c.set("csrf", await signer.csrfFor(session));
    await next();
  };
  /** Forms that change something: same site, a valid session, and its CSRF token. */
  const guarded = (action: string): MiddlewareHandler<Env> =>
    every(
      async (c, next) => {
        const refusal = crossSiteRefusal(c.req.raw.headers, origins(c));
        if (refusal) throw forbid(action, refusal);
        await next();
      },
      limitBody(MAX_FORM_BYTES),
      async (c, next) => {
        const session = await sessionOf(c);
        if (!session || !signer) throw forbid(action, "not signed in (or the session expired)");
        const form = await c.req.parseBody();
        if (!await signer.checkCsrf(session, form.csrf)) {
          throw forbid(action, "the form's CSRF token is missing or wrong (reload the page and try again)");
        }
        c.set("session", session);
        c.set("csrf", await signer.csrfFor(session));
        await next();
      },
    );

  ui.get("/ui/static/:file", (c) => {
    const file = STATIC_FILES.get(c.req.path);
    if (!file) throw new HttpError(404, "Cannot find static file: no such file (an older version?)");
    return c.body(file.body, 200, {
      "content-type": file.type,
      "cache-control": "public, max-age=31536000, immutable",
    });
  });

  ui.get("/ui/login", async (c) => {
    const next = safeNext(c.req.query("next"));
    if (await sessionOf(c)) return c.redirect(next, 303);
    return pageResponse(<LoginPage next={next} disabled={!signer} />, signer ? 200 : 403);
  });
  ui.post("/ui/login", limitBody(MAX_FORM_BYTES), async (c) => {
    const refusal = crossSiteRefusal(c.req.raw.headers, origins(c));
    if (refusal) throw forbid("sign in", refusal);
    if (!signer) return pageResponse(<LoginPage next="/ui/" disabled />, 403);
    const form = await c.req.parseBody();
    const next = safeNext(form.next);
    if (!await signer.checkOperatorToken(form.token)) {
      return pageResponse(<LoginPage next={next} error="Cannot sign in: wrong operator token" />, 403);
    }
    const { token } = await signer.issue();
    sessionCookie.write(c, token, { secure: secure(c), maxAgeSeconds: Math.floor(signer.ttlMs / 1000) });
    return c.redirect(next, 303);
  });
  ui.post("/ui/logout", guarded("sign out"), (c) => {
    sessionCookie.clear(c, secure(c));
    return c.redirect("/ui/login", 303);
  });

  ui.get("/ui/", signedIn, async (c) => {
    const now = clock();
    const store = fleet.configured ? await fleet.get() : undefined;
    const [summary, records] = store
      ? await Promise.all([
        store.summary({ now: new Date(now), staleAfterMs: STALE_AFTER_MS }),
        fleet.rollouts.records(store, {
          states: ["halted", "paused", "running"],
          limit: OVERVIEW_ROLLOUTS + 1,
        }),
      ])
      : [undefined, undefined];
    const rollouts = records?.slice(0, OVERVIEW_ROLLOUTS).map((r) => rolloutView(r, now))
      .sort((a, b) => (STATE_ORDER[a.state] ?? 9) - (STATE_ORDER[b.state] ?? 9));
    return pageResponse(
      <OverviewPage
        summary={summary}
        staleAfterMs={STALE_AFTER_MS}
        csrf={c.get("csrf")}
        now={now}
        rollouts={rollouts}
        moreRollouts={(records?.length ?? 0) > OVERVIEW_ROLLOUTS}
        refreshSeconds={rollouts?.some((r) => r.state === "running") ? ROLLOUT_REFRESH_SECONDS : undefined}
      />,
    );
  });
  ui.get("/ui/devices", signedIn, async (c) => {
    const now = clock();
    const query = deviceQuery(c.req.url, now);
    const view = await state.view();
    const props = {
      fields: query.fields,
      paged: new URL(c.req.url).searchParams.has("cursor"),
      apps: Object.keys(view.releases).sort(),
      now,
      csrf: c.get("csrf"),
    };
    if (!fleet.configured) {
      return pageResponse(<DevicesPage {...props} error="This edge has no fleet database." />, 404);
    }
    if (!query.filter) return pageResponse(<DevicesPage {...props} error={query.error} />, 400);
    const page = await (await fleet.get()).listDevices({ ...query.filter, limit: PAGE_SIZE });
    return pageResponse(<DevicesPage {...props} page={page} />);
  });
  ui.get("/ui/devices/:id", signedIn, async (c) => {
    const id = c.req.param("id");
    const device = DEVICE_ID.test(id)
      ? await (await fleet.get()).getDevice(id, { reports: REPORTS_SHOWN })
      : undefined;
    if (!device) throw new HttpError(404, `Cannot find device ${id.slice(0, 40)}: not enrolled`);
    return pageResponse(<DevicePage device={device} now={clock()} csrf={c.get("csrf")} />);
  });
  for (const [action, target] of [["accept", "accepted"], ["reject", "rejected"]] as const) {
    ui.post(`/ui/devices/:id/${action}`, guarded(`${action} device`), async (c) => {
      const id = c.req.param("id") ?? "";
      if (!DEVICE_ID.test(id)) {
        throw new HttpError(404, `Cannot ${action} device: no device ${id.slice(0, 40)}`);
      }
      await (await fleet.get()).setState(id, target);
      return c.redirect(`/ui/devices/${id}`, 303);
    });
  }
  ui.get("/ui/releases", signedIn, async (c) => {
    return pageResponse(<ReleasesPage view={await state.view()} now={clock()} csrf={c.get("csrf")} />);
  });
  rolloutUiRoutes(ui, { fleet, clock, signedIn, guarded });
  ui.get("/ui", (c) => c.redirect("/ui/", 301));
  ui.get("/ui/*", () => {
    throw new HttpError(404, "Cannot find this page of the dashboard");
  });
  app.route("/", ui);
}
