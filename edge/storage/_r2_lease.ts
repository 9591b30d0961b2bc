/**
 * Private: the lock of an R2-backed repository, a lease object (`.lock`: `{owner, until}`) taken with
 * R2's conditional puts, so Workers isolates sharing a bucket publish one at a time. Taken with
 * `onlyIf: { etagDoesNotMatch: "*" }` (create only); a lease past its `until` (a holder that died) is
 * taken over with `onlyIf: { etagMatches: <its etag> }`, so of two isolates breaking it one wins. A
 * live lease is waited for up to `waitMs`, then `TransientError` (503, try later). A holder must
 * finish within the lease (60 s; a publish takes well under a second).
 */
import { TransientError } from "../../core/errors.ts";

/** The part of the R2 binding a lease needs. */
export interface LeaseBucket {
  get(key: string): Promise<{ etag?: string; arrayBuffer?(): Promise<ArrayBuffer> } | null>;
  put(key: string, value: Uint8Array, options: { onlyIf: Record<string, string> }): Promise<unknown>;
  delete?(key: string): Promise<void>;
}

const KEY = ".lock";
const LEASE_MS = 60_000;

interface Lease {
  owner: string;
  until: number;
}

async function current(bucket: LeaseBucket): Promise<{ lease?: Lease; etag?: string } | undefined> {
  const object = await bucket.get(KEY);
  if (!object) return undefined;
  try {
    const text = new TextDecoder().decode(await object.arrayBuffer?.() ?? new ArrayBuffer(0));
    const v = JSON.parse(text);
    const lease = typeof v?.owner === "string" && typeof v?.until === "number" ? v as Lease : undefined;
    return { lease, etag: object.etag };
  } catch {
    return { etag: object.etag };
  }
}

/** Takes the bucket's lease, waiting up to `waitMs` for a live holder. */
export async function takeLease(
  bucket: LeaseBucket,
  options: { waitMs: number; now?: () => number },
): Promise<{ release(): Promise<void> }> {
  const now = options.now ?? Date.now;
  const owner = crypto.randomUUID();
  const deadline = now() + options.waitMs;
  const body = () => new TextEncoder().encode(JSON.stringify({ owner, until: now() + LEASE_MS }));
  let delay = 20;
  for (;;) {
    if (await bucket.put(KEY, body(), { onlyIf: { etagDoesNotMatch: "*" } })) break;
    const held = await current(bucket);
    if (held === undefined) continue; // released meanwhile
    // an unreadable lease, or one past its time, belongs to a holder that is gone
    if ((held.lease === undefined || held.lease.until < now()) && held.etag !== undefined) {
      if (await bucket.put(KEY, body(), { onlyIf: { etagMatches: held.etag } })) break;
      continue;
    }
    if (now() >= deadline) {
      throw new TransientError("Cannot lock the repository: another publish holds it (R2 lease)");
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Math.max(1, deadline - now()))));
    delay = Math.min(delay * 2, 500);
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      const held = await current(bucket);
      if (held?.lease?.owner === owner) await bucket.delete?.(KEY);
    },
  };
}
