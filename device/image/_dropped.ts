/**
 * Private: the cache entries an image cache dropped as corrupt, so that a get which would have been
 * answered by one, and cannot fetch it again (offline), fails with the `IntegrityError` that dropped it
 * (exit 3) rather than as a plain network failure.
 * @module
 */
import { IntegrityError, type TransientError } from "../../core/errors.ts";
import type { CacheEntry } from "./_store.ts";
import { pick } from "./_resolve.ts";

/** Entries dropped as corrupt, with the error that dropped each. */
export class DroppedEntries {
  #list: { entry: CacheEntry; error: IntegrityError }[] = [];

  add(entry: CacheEntry, error: IntegrityError): void {
    this.#list.push({ entry, error });
  }

  /** The error for an offline get of `ask` that a dropped entry would have answered, if any. */
  errorFor(
    ask: { slug: string; request: string; variant: "prod" | "dev" },
    offline: TransientError,
  ): IntegrityError | undefined {
    const entries = this.#list
      .filter((d) => d.entry.deviceType === ask.slug && d.entry.variant === ask.variant)
      .map((d) => ({ ...d.entry, error: d.error }));
    let hit: CacheEntry & { error: IntegrityError };
    try {
      hit = pick(entries, ask.request, ask.variant);
    } catch {
      return undefined;
    }
    return new IntegrityError(
      `Cannot get image: cached ${ask.slug} ${hit.version} (${ask.variant}) was corrupt and is dropped, ` +
        `and the repository cannot be reached to fetch it again (${offline.message})`,
      { cause: hit.error },
    );
  }
}
