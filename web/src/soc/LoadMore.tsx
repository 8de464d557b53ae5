import { useI18n } from '../i18n/I18nProvider';

interface Props {
  query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
}

export function LoadMore({ query }: Props) {
  const { t } = useI18n();
  if (!query.hasNextPage) return null;
  return (
    <button type="button" disabled={query.isFetchingNextPage} onClick={() => query.fetchNextPage()}>
      {query.isFetchingNextPage ? t('common.loading') : t('common.loadMore')}
    </button>
  );
}
