/**
 * Which triage steps an alert or incident offers in its current status, and what each sends.
 * They follow the server's workflows (server/routes/alerts.ts, server/incidents/lifecycle.ts),
 * which refuse anything else with a 400.
 */
import type { AlertPatch, AlertStatus, IncidentPatch, IncidentStatus } from '../api/soc.js';

const CLOSE = ['close_true_positive', 'close_false_positive'] as const;

export type AlertAction = 'acknowledge' | (typeof CLOSE)[number] | 'reopen';

export const ALERT_ACTION_PATCH: Record<AlertAction, AlertPatch> = {
  acknowledge: { status: 'acknowledged' },
  close_true_positive: { status: 'closed', verdict: 'true_positive' },
  close_false_positive: { status: 'closed', verdict: 'false_positive' },
  reopen: { status: 'new' },
};

/** Only a new alert can be acknowledged; anything open can be closed with a verdict; closed reopens. */
export function alertActions(status: AlertStatus): AlertAction[] {
  if (status === 'closed') return ['reopen'];
  return status === 'new' ? ['acknowledge', ...CLOSE] : [...CLOSE];
}

export type IncidentAction = 'acknowledge' | 'contain' | 'resolve' | (typeof CLOSE)[number] | 'reopen';

export const INCIDENT_ACTION_PATCH: Record<IncidentAction, IncidentPatch> = {
  acknowledge: { status: 'acknowledged' },
  contain: { status: 'contained' },
  resolve: { status: 'resolved' },
  close_true_positive: { status: 'closed', verdict: 'true_positive' },
  close_false_positive: { status: 'closed', verdict: 'false_positive' },
  reopen: { status: 'open' },
};

/** Forward milestones in lifecycle order; the recorded ones cannot be undone, only the resolution can. */
const MILESTONES: readonly [IncidentAction, IncidentStatus][] = [
  ['acknowledge', 'acknowledged'],
  ['contain', 'contained'],
  ['resolve', 'resolved'],
];
const LIFECYCLE: readonly IncidentStatus[] = ['open', 'acknowledged', 'contained', 'resolved', 'closed'];

export function incidentActions(status: IncidentStatus): IncidentAction[] {
  if (status === 'closed') return ['reopen'];
  const reached = LIFECYCLE.indexOf(status);
  const later = MILESTONES.filter(([, target]) => LIFECYCLE.indexOf(target) > reached).map(([a]) => a);
  return status === 'resolved' ? [...CLOSE, 'reopen'] : [...later, ...CLOSE];
}
