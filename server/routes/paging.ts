/** Query parameters and response shape shared by every list route (keyset paging). */
import { z } from '../model/common.js';
import type { ZodType } from 'zod';
import type { Collection, Filter, StoredDoc } from '../store/port.js';

export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(1000).default(50).describe('Page size (1-1000)'),
  cursor: z.string().max(2048).optional().describe('nextCursor of the previous page'),
};

export const IdParams = z.object({ id: z.string().min(1).max(256).describe('Object id') });

export const pageSchema = <T extends ZodType>(item: T, name: string) =>
  z
    .object({
      items: z.array(item),
      nextCursor: z.string().optional().describe('Present when more items follow'),
    })
    .openapi(name);

export const pagingOptions = (query: { limit: number; cursor?: string | undefined }) => ({
  limit: query.limit,
  ...(query.cursor ? { cursor: query.cursor } : {}),
});

/** Every matching document, read page by page (for computations over a whole set). */
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
