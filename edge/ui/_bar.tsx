/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/**
 * Private: a horizontal bar of parts, drawn with CSS width classes (no script, no inline style).
 * It repeats what a table beside it says, so assistive technology skips it (`aria-hidden`).
 */
import { widthClass } from "./_format.ts";

/** What {@linkcode Bar} takes. */
export interface BarProps {
  /** Each part's size and colour class (`c0`…`c7`, `k-ok`…). */
  parts: readonly { value: number; color: string }[];
  /** What 100% is. */
  total: number;
  thin?: boolean;
}

/** The bar. */
export function Bar(props: BarProps) {
  return (
    <div class={props.thin ? "bar thin" : "bar"} aria-hidden="true">
      {props.parts.filter((p) => p.value > 0).map((p) => (
        <span class={`${p.color} ${widthClass(p.value, props.total)}`}></span>
      ))}
    </div>
  );
}
