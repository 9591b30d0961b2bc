/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/** Private: a rollout's state as a coloured badge (the word itself says it: colour is not the only cue). */
import type { RolloutState } from "../../core/rollout/mod.ts";

/** The badge. */
export function RolloutBadge(props: { state: RolloutState; id?: string }) {
  return <span class={`badge rs-${props.state}`} id={props.id}>{props.state}</span>;
}
