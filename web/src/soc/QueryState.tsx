import type { ReactNode } from 'react';
import { useI18n } from '../i18n/I18nProvider';

interface Props {
  query: { isPending: boolean; isError: boolean; error: Error | null };
  empty: boolean;
  children: ReactNode;
}

/** Loading, error and empty states shared by every SOC view; the content only when there is some. */
export function QueryState({ query, empty, children }: Props) {
  const { t } = useI18n();
  if (query.isPending) return <p>{t('common.loading')}</p>;
  if (query.isError) {
    return (
      <p role="alert" className="error">
        {t('common.error')}: {query.error?.message}
      </p>
    );
  }
  if (empty) return <p className="empty">{t('common.empty')}</p>;
  return children;
}
