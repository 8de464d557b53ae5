/** Reading a whole filtered set through keyset paging, a page at a time. */
import type { Collection, Filter, SortSpec, StoredDoc } from './port.js';

/** Every matching document, in order, without holding more than one page. */
export async function* scan<T extends StoredDoc>(
  collection: Collection<T>,
  options: { filter?: Filter; sort?: SortSpec; pageSize?: number } = {},
): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const page = await collection.find({
      filter: options.filter ?? {},
      sort: options.sort ?? { field: 'id', dir: 'asc' },
      limit: options.pageSize ?? 1000,
      ...(cursor ? { cursor } : {}),
    });
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor);
}

/** Every matching document, collected (for computations over a whole set). */
export async function findAll<T extends StoredDoc>(
  collection: Collection<T>,
  filter: Filter = {},
): Promise<T[]> {
  const out: T[] = [];
  for await (const doc of scan(collection, { filter })) out.push(doc);
  return out;
}
