import { listAlerts, socKeys, type AlertStatus, type Severity } from '../api/soc';
import { useI18n } from '../i18n/I18nProvider';
import { hashFor } from '../routing/hash';
import { navigate } from '../routing/useHashRoute';
import { AlertsTable } from '../soc/AlertsTable';
import { FilterBar } from '../soc/FilterBar';
import { ALERT_FILTER, readFilter } from '../soc/filters';
import { LoadMore } from '../soc/LoadMore';
import { QueryState } from '../soc/QueryState';
import { usePagedList } from '../soc/usePagedList';

/** The alert queue, filtered by the URL (`#/alerts?status=new&severity=high`). */
export function AlertsPage({ query }: { query: URLSearchParams }) {
  const { t } = useI18n();
  const { filter, problems } = readFilter(query, ALERT_FILTER);
  const { query: alerts, items } = usePagedList([...socKeys.alerts, 'list', filter], (cursor) =>
    listAlerts(filter, cursor),
  );
  return (
    <section>
      <h2>{t('alerts.heading')}</h2>
      <FilterBar
        spec={ALERT_FILTER}
        values={filter}
        problems={problems}
        optionLabel={(field, value) =>
          t(field === 'severity' ? `severity.${value as Severity}` : `alertStatus.${value as AlertStatus}`)
        }
        onApply={(values) => navigate(hashFor('/alerts', values))}
      />
      <QueryState query={alerts} empty={items.length === 0}>
        <AlertsTable alerts={items} />
        <LoadMore query={alerts} />
      </QueryState>
    </section>
  );
}
