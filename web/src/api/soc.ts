/**
 * The SOC part of the API (alerts, incidents, MTTx, rules) — the one place that knows its routes
 * and field names. Entity types come from the server's zod schemas (type-only, so zod stays out of
 * the bundle); the enum value lists are repeated here for selects, and `allOf` makes the compiler
 * refuse a list that misses a value the server knows.
 */
import type { Alert, AlertStatus } from '../../../server/model/alert.js';
import type { Incident, IncidentStatus, TimelineEntry } from '../../../server/model/incident.js';
import type { DetectionRule } from '../../../server/model/detection-rule.js';
import type { EventSource, Severity, Verdict } from '../../../server/model/fragments.js';
import { api } from './client.js';

export type { Alert, AlertStatus, EventSource, Incident, IncidentStatus, Severity, TimelineEntry, Verdict };

/** The literal list of every member of the union `T`; a missing member is a compile error. */
const allOf =
  <T extends string>() =>
  <const L extends readonly T[]>(list: L & ([T] extends [L[number]] ? unknown : never)): L =>
    list;

/** Least to most severe: the order of selects and chart groups. */
export const SEVERITIES = allOf<Severity>()(['info', 'low', 'medium', 'high', 'critical']);
export const ALERT_STATUSES = allOf<AlertStatus>()(['new', 'acknowledged', 'in_progress', 'closed']);
export const INCIDENT_STATUSES = allOf<IncidentStatus>()([
  'open',
  'acknowledged',
  'contained',
  'resolved',
  'closed',
]);
export const VERDICTS = allOf<Verdict>()(['true_positive', 'false_positive', 'benign']);

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface AlertFilter {
  status?: AlertStatus;
  severity?: Severity;
  ruleId?: string;
  tenantId?: string;
  clusterId?: string;
  from?: string;
  to?: string;
  q?: string;
}

export interface IncidentFilter {
  status?: IncidentStatus;
  severity?: Severity;
  tenantId?: string;
  clusterId?: string;
  q?: string;
}

/** A triage change; the server accepts a verdict only together with status closed. */
export interface AlertPatch {
  status?: AlertStatus;
  verdict?: Verdict;
  assignee?: string;
}

export interface IncidentPatch {
  status?: IncidentStatus;
  verdict?: Verdict;
  assignee?: string;
}

export interface IncidentWithAlerts {
  incident: Incident;
  alerts: Alert[];
}

export interface DurationStats {
  meanSeconds: number | null;
  p50Seconds: number | null;
  p90Seconds: number | null;
  /** Incidents that reached this milestone; the other fields are null when it is 0. */
  count: number;
}

export const MTTX_METRICS = ['mttd', 'mtta', 'mttc', 'mttr'] as const;
export type MttxMetric = (typeof MTTX_METRICS)[number];

export const MTTX_GROUP_BYS = ['severity', 'tenant', 'cluster', 'source'] as const;
export type MttxGroupBy = (typeof MTTX_GROUP_BYS)[number];

export type MttxGroup = {
  /** The grouping values, e.g. `{ severity: 'high' }` or `{ tenantId: 'gz-gov' }`. */
  key: Record<string, string | undefined>;
  count: number;
} & Record<MttxMetric, DurationStats>;

export interface MttxQuery {
  from: string;
  to: string;
  groupBy: MttxGroupBy;
}

/** A rule as the list shows it; `loadError` says why a stored rule is not in force. */
export type Rule = DetectionRule & { loadError?: string };

/** Query keys, so a mutation can invalidate every view of what it changed. */
export const socKeys = {
  alerts: ['alerts'] as const,
  incidents: ['incidents'] as const,
  incident: (id: string) => ['incidents', 'detail', id] as const,
  mttx: ['mttx'] as const,
  rules: ['rules'] as const,
};

/** `?a=1&b=2` of the set, non-empty values (an empty filter means "any"). */
function queryString(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

const PAGE_SIZE = 50;
const pageParams = (cursor: string | undefined) => ({ limit: PAGE_SIZE, cursor });
const path = (...segments: string[]) => `/api/v1/${segments.map(encodeURIComponent).join('/')}`;

export const listAlerts = (filter: AlertFilter, cursor?: string) =>
  api<Page<Alert>>(path('alerts') + queryString({ ...filter, ...pageParams(cursor) }));

export const updateAlert = (id: string, patch: AlertPatch) =>
  api<Alert>(path('alerts', id), { method: 'PATCH', body: patch });

export const listIncidents = (filter: IncidentFilter, cursor?: string) =>
  api<Page<Incident>>(path('incidents') + queryString({ ...filter, ...pageParams(cursor) }));

export const getIncident = (id: string) => api<IncidentWithAlerts>(path('incidents', id));

export const updateIncident = (id: string, patch: IncidentPatch) =>
  api<Incident>(path('incidents', id), { method: 'PATCH', body: patch });

export const commentOnIncident = (id: string, text: string) =>
  api<unknown>(path('incidents', id, 'comments'), { method: 'POST', body: { text } });

export const getMttx = (query: MttxQuery) =>
  api<{ groups: MttxGroup[] }>(path('metrics', 'mttx') + queryString({ ...query }));

export const listRules = (cursor?: string) =>
  api<Page<Rule>>(path('rules') + queryString(pageParams(cursor)));

export const setRuleEnabled = (id: string, enabled: boolean) =>
  api<Rule>(path('rules', id), { method: 'PATCH', body: { enabled } });
