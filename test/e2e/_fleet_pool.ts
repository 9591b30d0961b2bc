/**
 * Pacing of the fleet scenarios: phase timings, and a pool that runs at most `n` devices at once.
 * @module
 */

/** Phase timings, printed at the end. */
export class Timer {
  #start = performance.now();
  #last = this.#start;
  readonly phases: string[] = [];
  lap(name: string): void {
    const now = performance.now();
    this.phases.push(`${name} ${((now - this.#last) / 1000).toFixed(1)} s`);
    this.#last = now;
  }
  total(): string {
    return `${((performance.now() - this.#start) / 1000).toFixed(1)} s (${this.phases.join(", ")})`;
  }
}

/** Runs `fn` over `items` with at most `n` at once. */
export async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}
