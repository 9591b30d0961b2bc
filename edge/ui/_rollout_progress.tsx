/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Rendered once on the server (no reconciliation): list items need no `key`, which precompiled JSX
// would write out as an attribute.
// deno-lint-ignore-file jsx-key
/**
 * Private: where a rollout stands among its signed steps: a bar with one segment per step (reached,
 * held back by the edge's cap, still to come; CSS width classes, no script), and the same in words:
 * percent now, effective percent and the next step.
 */
import { utc, widthClass } from "./_format.ts";
import type { RolloutView } from "./_rollout_view.ts";

/** What {@linkcode RolloutProgress} takes. */
export interface RolloutProgressProps {
  rollout: RolloutView;
  now: number;
  /** Also list the steps one per line (the rollout's page). */
  detailed?: boolean;
}

type StepStatus = "reached" | "held" | "later";

const STATUS_TEXT: Record<StepStatus, string> = {
  reached: "reached",
  held: "due, held back by the edge",
  later: "to come",
};

/** `in 45 min`, `in 3 h`, `in 2 d`. */
function until(at: number, now: number): string {
  const minutes = Math.max(1, Math.round((at - now) / 60_000));
  if (minutes < 60) return `in ${minutes} min`;
  if (minutes < 48 * 60) return `in ${Math.round(minutes / 60)} h`;
  return `in ${Math.round(minutes / 1440)} d`;
}

/** The steps with when each is due and whether it is reached, held or to come. */
export function stepsOf(rollout: RolloutView) {
  const published = Date.parse(rollout.publishedAt);
  return rollout.steps.map((s) => ({
    ...s,
    at: published + s.afterHours * 3600_000,
    status:
      (s.percent <= rollout.effectivePercent
        ? "reached"
        : s.percent <= rollout.percentNow
        ? "held"
        : "later") as StepStatus,
  }));
}

/** The bar and its description. */
export function RolloutProgress(props: RolloutProgressProps) {
  const { rollout, now } = props;
  const steps = stepsOf(rollout);
  const next = steps.find((s) => s.at > now && s.percent > rollout.percentNow);
  let previous = 0;
  const segments = steps.map((s) => {
    const part = { status: s.status, width: widthClass(s.percent - previous, 100) };
    previous = Math.max(previous, s.percent);
    return part;
  }).filter((s) => s.width !== "w0");
  const held = rollout.effectivePercent < rollout.percentNow;
  return (
    <div class="progress">
      <div class="steps" aria-hidden="true">
        {segments.map((s) => <span class={`st-${s.status} ${s.width}`}></span>)}
      </div>
      <p class="small progress-text">
        Signed percent now <strong>{rollout.percentNow}%</strong> · effective{" "}
        <strong class={held ? "held" : undefined}>{rollout.effectivePercent}%</strong>
        {held ? ` (held by the edge: cap ${rollout.cap ?? 100}%)` : null} · {next
          ? (
            <>
              next step {next.percent}% at{" "}
              <time datetime={new Date(next.at).toISOString()}>{utc(new Date(next.at))}</time>{" "}
              ({until(next.at, now)})
            </>
          )
          : "no further step"}
      </p>
      {props.detailed
        ? (
          <ol class="steplist small">
            {steps.map((s) => (
              <li class={`st-${s.status}-text`}>
                <span class={`key st-${s.status}`} aria-hidden="true"></span>
                {s.percent}% from <time datetime={new Date(s.at).toISOString()}>{utc(new Date(s.at))}</time>
                {" "}
                (+{s.afterHours} h): {STATUS_TEXT[s.status]}
              </li>
            ))}
          </ol>
        )
        : null}
    </div>
  );
}
