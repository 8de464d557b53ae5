import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import {
  commentOnIncident,
  getIncident,
  MTTX_METRICS,
  socKeys,
  updateIncident,
  type Incident,
  type TimelineEntry,
} from '../api/soc';
import { useCan } from '../auth/session';
import { formatDateTime } from '../format/time';
import { useI18n } from '../i18n/I18nProvider';
import { hashFor } from '../routing/hash';
import { INCIDENT_ACTION_PATCH, incidentActions, type IncidentAction } from '../soc/actions';
import { AlertsTable } from '../soc/AlertsTable';
import { DemoMarker } from '../soc/DemoMarker';
import { formatDuration } from '../soc/format';
import { incidentMttx } from '../soc/mttx';
import { QueryState } from '../soc/QueryState';
import { SeverityBadge } from '../soc/SeverityBadge';

const MILESTONE_FIELDS = [
  'occurredAt',
  'detectedAt',
  'acknowledgedAt',
  'containedAt',
  'resolvedAt',
  'closedAt',
] as const satisfies readonly (keyof Incident)[];

/** One incident: its milestones and own MTTx, lifecycle actions, grouped alerts and timeline. */
export function IncidentDetail({ id }: { id: string }) {
  const { t, locale } = useI18n();
  const detail = useQuery({ queryKey: socKeys.incident(id), queryFn: () => getIncident(id) });
  const { incident, alerts = [] } = detail.data ?? {};
  return (
    <section>
      <p>
        <a href={hashFor('/incidents')}>← {t('incident.back')}</a>
      </p>
      <QueryState query={detail} empty={incident === undefined}>
        {incident && (
          <>
            <h2>
              <SeverityBadge severity={incident.severity} /> {incident.title}{' '}
              <DemoMarker ids={[incident.tenantId, ...incident.clusterIds]} />
            </h2>
            {incident.description && <p>{incident.description}</p>}
            <dl className="status">
              <dt>{t('field.status')}</dt>
              <dd data-testid="incident-status">
                {t(`incidentStatus.${incident.status}`)}
                {incident.verdict && ` (${t(`verdict.${incident.verdict}`)})`}
              </dd>
              <dt>{t('field.tenantId')}</dt>
              <dd>{incident.tenantId ?? '—'}</dd>
              <dt>{t('field.clusterId')}</dt>
              <dd>{incident.clusterIds.join(', ') || '—'}</dd>
              <dt>{t('field.source')}</dt>
              <dd>{incident.sources.join(', ') || '—'}</dd>
              <dt>{t('field.assignee')}</dt>
              <dd>{incident.assignee ?? '—'}</dd>
              {MILESTONE_FIELDS.map((field) => (
                <Term
                  key={field}
                  label={t(`field.${field}`)}
                  value={incident[field] ? formatDateTime(incident[field], locale) : '—'}
                />
              ))}
            </dl>
            <IncidentMttx incident={incident} />
            <IncidentActions incident={incident} />
            <h3>{t('incident.alerts')}</h3>
            {alerts.length > 0 ? (
              <AlertsTable alerts={alerts} />
            ) : (
              <p className="empty">{t('common.empty')}</p>
            )}
            <h3>{t('incident.timeline')}</h3>
            <Timeline entries={incident.timeline} />
            <CommentForm id={incident.id} />
          </>
        )}
      </QueryState>
    </section>
  );
}

/** A term and its value in a `<dl>`. */
function Term({ label, value }: { label: string; value: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </>
  );
}

function IncidentMttx({ incident }: { incident: Incident }) {
  const { t, locale } = useI18n();
  const mttx = incidentMttx(incident);
  return (
    <dl className="status" data-testid="incident-mttx">
      {MTTX_METRICS.map((metric) => (
        <Term
          key={metric}
          label={t(`mttx.metric.${metric}`)}
          value={mttx[metric] === undefined ? '—' : formatDuration(mttx[metric], locale)}
        />
      ))}
    </dl>
  );
}

/** Lifecycle buttons; a change refreshes the incident, the lists and the MTTx figures. */
function IncidentActions({ incident }: { incident: Incident }) {
  const { t } = useI18n();
  const canUpdate = useCan('incidents:update');
  const queryClient = useQueryClient();
  const change = useMutation({
    mutationFn: (action: IncidentAction) => updateIncident(incident.id, INCIDENT_ACTION_PATCH[action]),
    onSuccess: () =>
      Promise.all(
        [socKeys.incidents, socKeys.alerts, socKeys.mttx].map((queryKey) =>
          queryClient.invalidateQueries({ queryKey }),
        ),
      ),
  });
  if (!canUpdate) return null;
  return (
    <div className="actions">
      {incidentActions(incident.status).map((action) => (
        <button
          key={action}
          type="button"
          data-action={action}
          disabled={change.isPending}
          onClick={() => change.mutate(action)}
        >
          {t(`incidentAction.${action}`)}
        </button>
      ))}
      {change.isError && (
        <p role="alert" className="error">
          {t('common.actionFailed')}: {change.error.message}
        </p>
      )}
    </div>
  );
}

function Timeline({ entries }: { entries: readonly TimelineEntry[] }) {
  const { t, locale } = useI18n();
  if (entries.length === 0) return <p className="empty">{t('common.empty')}</p>;
  return (
    <ol className="timeline" data-testid="timeline">
      {entries.map((entry, index) => (
        <li key={index} data-kind={entry.kind}>
          <time dateTime={entry.at}>{formatDateTime(entry.at, locale)}</time>
          <span className="badge">{t(`timeline.${entry.kind}`)}</span>
          {entry.actor && <strong>{entry.actor.name ?? entry.actor.id}</strong>}
          <span className="timeline-text">{entry.text}</span>
        </li>
      ))}
    </ol>
  );
}

function CommentForm({ id }: { id: string }) {
  const { t } = useI18n();
  const canUpdate = useCan('incidents:update');
  const queryClient = useQueryClient();
  const [text, setText] = useState('');
  const comment = useMutation({
    mutationFn: () => commentOnIncident(id, text.trim()),
    onSuccess: async () => {
      setText('');
      await queryClient.invalidateQueries({ queryKey: socKeys.incident(id) });
    },
  });
  if (!canUpdate) return null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (text.trim()) comment.mutate();
  };
  return (
    <form className="comment" onSubmit={submit}>
      <label>
        {t('incident.comment')}
        <textarea value={text} onChange={(e) => setText(e.target.value)} maxLength={16_384} rows={3} />
      </label>
      <button type="submit" disabled={comment.isPending || !text.trim()}>
        {t('incident.commentSubmit')}
      </button>
      {comment.isError && (
        <p role="alert" className="error">
          {t('common.actionFailed')}: {comment.error.message}
        </p>
      )}
    </form>
  );
}
