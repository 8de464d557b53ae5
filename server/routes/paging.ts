/** Query parameters and response shape shared by every list route (keyset paging). */
import { z } from '../model/common.js';
import type { ZodType } from 'zod';

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
