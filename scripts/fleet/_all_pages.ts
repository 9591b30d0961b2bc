/** Private: a paged list of the fleet API read to its end (`drover-fleet devices --all`, `rollouts --all`). */
import { safe } from "./_text.ts";

/** The items of every page, following `next` from the first page (a cursor seen twice is an error). */
export async function allPages<T>(
  action: string,
  page: (cursor: string | null) => Promise<{ items: T[]; next: string | null }>,
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let cursor: string | null = null;
  do {
    const got: { items: T[]; next: string | null } = await page(cursor);
    items.push(...got.items);
    cursor = got.next;
    if (cursor !== null && seen.has(cursor)) {
      throw new Error(`Cannot ${action}: the edge returned cursor ${safe(cursor.slice(0, 80))} twice`);
    }
    if (cursor !== null) seen.add(cursor);
  } while (cursor !== null);
  return items;
}
