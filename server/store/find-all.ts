/** Reads a whole filtered set page by page (keyset paging), for computations over all of it. */
import type { Collection, Filter, StoredDoc } from './port.js';

export async function findAll<T extends StoredDoc>(
  collection: Collection<T>,
  filter: Filter = {},
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await collection.find({
      filter,
      sort: { field: 'id', dir: 'asc' },
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}
