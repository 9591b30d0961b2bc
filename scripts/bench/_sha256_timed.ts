/**
 * Private to scripts/bench (the sha256 benchmark): a timed hashing run, and the best of several, each
 * digest checked against openssl's.
 * @module
 */

/** One run: wall time, CPU time when known, and the digest it gave (hex). */
export interface Timed {
  seconds: number;
  cpuSeconds?: number;
  digest: string;
}

/** The fastest of `runs` runs of `fn`; throws when a digest is not `check` (openssl's). */
export async function best(
  fn: () => Promise<Timed>,
  options: { runs: number; check: string; name: string },
): Promise<Timed> {
  const { runs, check, name } = options;
  let top: Timed | undefined;
  for (let i = 0; i < runs; i++) {
    const t = await fn();
    if (t.digest !== check) {
      throw new Error(`Cannot bench sha256: ${name} gave ${t.digest}, openssl ${check}`);
    }
    if (!top || t.seconds < top.seconds) top = t;
  }
  return top!;
}
