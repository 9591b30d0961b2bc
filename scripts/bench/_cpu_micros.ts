/**
 * Private to scripts/bench: a process's CPU time from /proc, for the benchmarks that report server
 * CPU per request (steadier than requests/s on a shared machine).
 * @module
 */

/** User+system CPU time of a process, in microseconds (Linux /proc). */
export async function cpuMicros(pid: number): Promise<number> {
  const fields = (await Deno.readTextFile(`/proc/${pid}/stat`)).replace(/^.*\) /, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000; // utime + stime, USER_HZ = 100
}
