/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Private: the dashboard's rollout pages: `GET /ui/rollouts` (the list), `GET /ui/rollouts/<id>`
 * (one rollout with its failures), `POST /ui/rollouts/<id>/pause | /resume | /end` (the operator's
 * actions through the same `RolloutWatch` as the API; `303` back to the rollout, or the page again
 * with `409` and the reason when its state does not allow the action). Pages showing a running
 * rollout reload every {@linkcode ROLLOUT_REFRESH_SECONDS} seconds.
 */
import type { Hono, MiddlewareHandler } from "hono";
import { ROLLOUT_ID } from "../../core/rollout/mod.ts";
import type { FleetRoutes } from "../fleet/routes/fleet_routes.ts";
import type { RolloutAction } from "../fleet/rollouts/rollout_watch.ts";
import { HttpError } from "../http_error.ts";
import { pageResponse } from "./_page_response.ts";
import type { Session } from "./session_signer.ts";
import { RolloutPage } from "./_rollout_page.tsx";
import { RolloutsPage } from "./_rollouts_page.tsx";
import { rolloutHref, rolloutView, STATE_ORDER } from "./_rollout_view.ts";

/** How often a page showing a running rollout reloads itself. */
export const ROLLOUT_REFRESH_SECONDS = 10;
/** Most rollouts the list shows. */
const LISTED = 100;
/** Failure groups and example devices per group on a rollout's page. */
const FAILURE_GROUPS = 20;
const EXAMPLES = 3;

type Env = { Variables: { session: Session; csrf: string } };

/** What {@linkcode rolloutUiRoutes} takes from the dashboard. */
export interface RolloutUiOptions {
  fleet: FleetRoutes;
  clock: () => number;
  /** Pages: a valid session (sets `csrf`). */
  signedIn: MiddlewareHandler<Env>;
  /** Forms: same site, a valid session, its CSRF token. */
  guarded: (action: string) => MiddlewareHandler<Env>;
}

function rolloutIdOf(id: string, action: string): string {
  if (!ROLLOUT_ID.test(id)) throw new HttpError(404, `Cannot ${action}: no rollout ${id.slice(0, 60)}`);
  return id;
}

/** Registers the rollout pages on the dashboard's `ui`. */
export function rolloutUiRoutes(ui: Hono<Env>, options: RolloutUiOptions): void {
  const { fleet, clock, signedIn, guarded } = options;
  const refresh = (running: boolean) => running ? ROLLOUT_REFRESH_SECONDS : undefined;

  const rolloutPage = async (csrf: string, id: string, error?: string, status = 200) => {
    const store = await fleet.get();
    // the record, not the API's document: its device reach pages through every device on the app
    const record = await fleet.rollouts.record(store, id);
    const rollout = { ...rolloutView(record, clock()), halt: record.rollout.halt };
    const failures = await store.rolloutFailures(id, { groups: FAILURE_GROUPS, examples: EXAMPLES });
    const props = { rollout, failures, now: clock(), csrf, error };
    return pageResponse(
      <RolloutPage {...props} refreshSeconds={refresh(rollout.state === "running")} />,
      status,
    );
  };

  ui.get("/ui/rollouts", signedIn, async (c) => {
    const now = clock();
    const csrf = c.get("csrf");
    if (!fleet.configured) {
      return pageResponse(<RolloutsPage rollouts={undefined} more={false} now={now} csrf={csrf} />);
    }
    const records = await fleet.rollouts.records(await fleet.get(), { limit: LISTED + 1 });
    const rollouts = records.slice(0, LISTED).map((r) => rolloutView(r, now))
      .sort((a, b) => (STATE_ORDER[a.state] ?? 9) - (STATE_ORDER[b.state] ?? 9));
    return pageResponse(
      <RolloutsPage
        rollouts={rollouts}
        more={records.length > LISTED}
        now={now}
        csrf={csrf}
        refreshSeconds={refresh(rollouts.some((r) => r.state === "running"))}
      />,
    );
  });
  ui.get("/ui/rollouts/:id", signedIn, async (c) => {
    const id = rolloutIdOf(c.req.param("id") ?? "", "show rollout");
    return await rolloutPage(c.get("csrf"), id);
  });
  for (const action of ["pause", "resume", "end"] as const satisfies readonly RolloutAction[]) {
    ui.post(`/ui/rollouts/:id/${action}`, guarded(`${action} rollout`), async (c) => {
      const id = rolloutIdOf(c.req.param("id") ?? "", `${action} rollout`);
      try {
        await fleet.rollouts.act(await fleet.get(), id, action);
      } catch (error) {
        if (!(error instanceof HttpError) || error.status !== 409) throw error;
        const csrf = c.get("csrf");
        return await rolloutPage(csrf, id, error.message, 409);
      }
      return c.redirect(rolloutHref(id), 303);
    });
  }
}
