import { listIncidents, socKeys, type IncidentStatus, type Severity } from '../api/soc';
import { formatDateTime } from '../format/time';
import { useI18n } from '../i18n/I18nProvider';
import { hashFor, incidentHash } from '../routing/hash';
import { navigate } from '../routing/useHashRoute';
import { DemoMarker } from '../soc/DemoMarker';
import { FilterBar } from '../soc/FilterBar';
import { INCIDENT_FILTER, readFilter } from '../soc/filters';
import { LoadMore } from '../soc/LoadMore';
import { QueryState } from '../soc/QueryState';
import { SeverityBadge } from '../soc/SeverityBadge';
import { usePagedList } from '../soc/usePagedList';

/** The incident list, filtered by the URL (`#/incidents?status=open`); rows open the detail page. */
export function IncidentsPage({ query }: { query: URLSearchParams }) {
  const { t, locale } = useI18n();
  const { filter, problems } = readFilter(query, INCIDENT_FILTER);
  const { query: incidents, items } = usePagedList([...socKeys.incidents, 'list', filter], (cursor) =>
    listIncidents(filter, cursor),
  );
  return (
    <section>
      <h2>{t('incidents.heading')}</h2>
      <FilterBar
        spec={INCIDENT_FILTER}
        values={filter}
        problems={problems}
        optionLabel={(field, value) =>
          t(
            field === 'severity'
              ? `severity.${value as Severity}`
              : `incidentStatus.${value as IncidentStatus}`,
          )
        }
        onApply={(values) => navigate(hashFor('/incidents', values))}
      />
      <QueryState query={incidents} empty={items.length === 0}>
        <table className="list" data-testid="incidents-table">
          <thead>
            <tr>
              <th>{t('field.severity')}</th>
              <th>{t('field.title')}</th>
              <th>{t('field.status')}</th>
              <th>{t('field.alertCount')}</th>
              <th>{t('field.detectedAt')}</th>
              <th>{t('field.tenantId')}</th>
              <th>{t('field.clusterId')}</th>
              <th>{t('field.assignee')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((incident) => (
              <tr key={incident.id} data-testid="incident-row">
                <td>
                  <SeverityBadge severity={incident.severity} />
                </td>
                <td>
                  <a href={incidentHash(incident.id)}>{incident.title}</a>{' '}
                  <DemoMarker ids={[incident.tenantId, ...incident.clusterIds]} />
                </td>
                <td>{t(`incidentStatus.${incident.status}`)}</td>
                <td className="number">{incident.alertIds.length}</td>
                <td>{formatDateTime(incident.detectedAt, locale)}</td>
                <td>{incident.tenantId ?? '—'}</td>
                <td>{incident.clusterIds.join(', ') || '—'}</td>
                <td>{incident.assignee ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <LoadMore query={incidents} />
      </QueryState>
    </section>
  );
}
