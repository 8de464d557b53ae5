import { useMutation, useQueryClient } from '@tanstack/react-query';
import { socKeys, updateAlert, type Alert } from '../api/soc';
import { useCan } from '../auth/session';
import { formatDateTime } from '../format/time';
import { useI18n } from '../i18n/I18nProvider';
import { incidentHash } from '../routing/hash';
import { ALERT_ACTION_PATCH, alertActions, type AlertAction } from './actions';
import { DemoMarker } from './DemoMarker';
import { SeverityBadge } from './SeverityBadge';

/** Where in the fleet: cluster / namespace / workload (or pod), and the acting user. */
function targetOf(alert: Alert): string {
  const k8s = alert.k8s;
  const place = k8s ? [k8s.clusterId, k8s.namespace, k8s.workloadName ?? k8s.pod].filter(Boolean) : [];
  return [...place, alert.user?.name].filter(Boolean).join(' / ') || '—';
}

/** Alerts with their triage buttons; a change refreshes every alert and incident view. */
export function AlertsTable({ alerts }: { alerts: readonly Alert[] }) {
  const { t, locale } = useI18n();
  const canUpdate = useCan('alerts:update');
  const queryClient = useQueryClient();
  const triage = useMutation({
    mutationFn: ({ id, action }: { id: string; action: AlertAction }) =>
      updateAlert(id, ALERT_ACTION_PATCH[action]),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: socKeys.alerts }),
        queryClient.invalidateQueries({ queryKey: socKeys.incidents }),
      ]),
  });
  return (
    <>
      {triage.isError && (
        <p role="alert" className="error">
          {t('common.actionFailed')}: {triage.error.message}
        </p>
      )}
      <table className="list" data-testid="alerts-table">
        <thead>
          <tr>
            <th>{t('field.severity')}</th>
            <th>{t('field.title')}</th>
            <th>{t('field.status')}</th>
            <th>{t('field.occurrences')}</th>
            <th>{t('field.firstSeenAt')}</th>
            <th>{t('field.lastSeenAt')}</th>
            <th>{t('field.target')}</th>
            <th>{t('field.tenantId')}</th>
            <th>{t('field.mitre')}</th>
            <th>{t('field.incident')}</th>
            {canUpdate && <th>{t('field.actions')}</th>}
          </tr>
        </thead>
        <tbody>
          {alerts.map((alert) => (
            <tr key={alert.id} data-testid="alert-row">
              <td>
                <SeverityBadge severity={alert.severity} />
              </td>
              <td>
                {alert.title} <DemoMarker ids={[alert.tenantId, alert.k8s?.clusterId]} />
                <div className="secondary">
                  {alert.ruleId} · {alert.source}
                </div>
              </td>
              <td>
                {t(`alertStatus.${alert.status}`)}
                {alert.verdict && <div className="secondary">{t(`verdict.${alert.verdict}`)}</div>}
              </td>
              <td className="number">{alert.occurrenceCount}</td>
              <td>{formatDateTime(alert.firstSeenAt, locale)}</td>
              <td>{formatDateTime(alert.lastSeenAt, locale)}</td>
              <td>{targetOf(alert)}</td>
              <td>{alert.tenantId ?? '—'}</td>
              <td>{[...alert.mitre.tactics, ...alert.mitre.techniques].join(', ') || '—'}</td>
              <td>
                {alert.incidentId ? <a href={incidentHash(alert.incidentId)}>{alert.incidentId}</a> : '—'}
              </td>
              {canUpdate && (
                <td>
                  <div className="actions">
                    {alertActions(alert.status).map((action) => (
                      <button
                        key={action}
                        type="button"
                        data-action={action}
                        disabled={triage.isPending}
                        onClick={() => triage.mutate({ id: alert.id, action })}
                      >
                        {t(`alertAction.${action}`)}
                      </button>
                    ))}
                  </div>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
