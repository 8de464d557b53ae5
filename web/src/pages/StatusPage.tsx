import { useQuery } from '@tanstack/react-query';
import { getJson } from '../api/client';
import { formatDateTime } from '../format/time';
import { useI18n } from '../i18n/I18nProvider';

interface Health {
  status: 'ok' | 'unavailable';
  checks?: Record<string, { ok: boolean; message?: string }>;
}

/** Liveness and readiness as the console sees them; refreshes every 10 s. */
export function StatusPage() {
  const { t, locale } = useI18n();
  const ready = useQuery({
    queryKey: ['readyz'],
    queryFn: async () => ({ ...(await getJson<Health>('/readyz')), at: new Date().toISOString() }),
    refetchInterval: 10_000,
  });
  const openapi = useQuery({
    queryKey: ['openapi-info'],
    queryFn: async () => (await getJson<{ info: { version: string } }>('/api/v1/openapi.json')).body.info,
  });

  if (ready.isPending) return <p>{t('status.loading')}</p>;
  if (ready.isError) return <p role="alert">{t('status.error')}</p>;
  const store = ready.data.body.checks?.store;
  const stateText = (ok: boolean | undefined) => (ok ? t('status.ok') : t('status.unavailable'));
  return (
    <section>
      <h2>{t('status.heading')}</h2>
      <dl className="status">
        <dt>{t('status.readiness')}</dt>
        <dd data-testid="readiness" className={ready.data.status === 200 ? 'ok' : 'bad'}>
          {stateText(ready.data.status === 200)}
        </dd>
        <dt>{t('status.store')}</dt>
        <dd data-testid="store">
          {stateText(store?.ok)} {store?.message ? `(${store.message})` : ''}
        </dd>
        <dt>{t('status.version')}</dt>
        <dd data-testid="version">{openapi.data?.version ?? '—'}</dd>
        <dt>{t('status.checkedAt')}</dt>
        <dd data-testid="checked-at">{formatDateTime(ready.data.at, locale)}</dd>
      </dl>
    </section>
  );
}
