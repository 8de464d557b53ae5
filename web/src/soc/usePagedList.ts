import { useInfiniteQuery, type QueryKey } from '@tanstack/react-query';
import type { Page } from '../api/soc';

/** A keyset-paged list route as one growing list, with "load more" while `nextCursor` lasts. */
export function usePagedList<T>(queryKey: QueryKey, fetchPage: (cursor?: string) => Promise<Page<T>>) {
  const query = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor,
  });
  return { query, items: query.data?.pages.flatMap((page) => page.items) ?? [] };
}
