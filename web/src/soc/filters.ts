/**
 * List filters as they travel in the URL hash. A shared link may be stale or hand-edited, so a
 * bad value is dropped and reported by field name instead of being sent to the server.
 */
import {
  ALERT_STATUSES,
  INCIDENT_STATUSES,
  SEVERITIES,
  type AlertFilter,
  type IncidentFilter,
} from '../api/soc.js';

/** A field takes one of a list of values, free text, or an ISO-8601 time. */
export type FieldSpec = readonly string[] | 'text' | 'time';

export type FilterOf<S extends Record<string, FieldSpec>> = {
  [K in keyof S]?: S[K] extends readonly (infer V)[] ? V : string;
};

export interface FilterProblem {
  field: string;
  value: string;
  reason: 'not_allowed' | 'not_a_time' | 'too_long';
}

/** The server's own limit on ids and search text. */
const MAX_TEXT = 256;

export const ALERT_FILTER = {
  status: ALERT_STATUSES,
  severity: SEVERITIES,
  ruleId: 'text',
  tenantId: 'text',
  clusterId: 'text',
  from: 'time',
  to: 'time',
  q: 'text',
} as const satisfies Record<keyof AlertFilter, FieldSpec>;

export const INCIDENT_FILTER = {
  status: INCIDENT_STATUSES,
  severity: SEVERITIES,
  tenantId: 'text',
  clusterId: 'text',
  q: 'text',
} as const satisfies Record<keyof IncidentFilter, FieldSpec>;

function problemWith(spec: FieldSpec, value: string): FilterProblem['reason'] | undefined {
  if (spec === 'time') return Number.isNaN(Date.parse(value)) ? 'not_a_time' : undefined;
  if (spec === 'text') return value.length > MAX_TEXT ? 'too_long' : undefined;
  return spec.includes(value) ? undefined : 'not_allowed';
}

/** The filter the query parameters describe; unknown parameters are ignored, empty ones mean "any". */
export function readFilter<S extends Record<string, FieldSpec>>(
  params: URLSearchParams,
  spec: S,
): { filter: FilterOf<S>; problems: FilterProblem[] } {
  const filter: Record<string, string> = {};
  const problems: FilterProblem[] = [];
  for (const [field, fieldSpec] of Object.entries(spec)) {
    const value = params.get(field)?.trim();
    if (!value) continue;
    const reason = problemWith(fieldSpec, value);
    if (reason) problems.push({ field, value, reason });
    // The server compares model timestamps (UTC ISO-8601), whatever spelling the link used.
    else filter[field] = fieldSpec === 'time' ? new Date(value).toISOString() : value;
  }
  return { filter: filter as FilterOf<S>, problems };
}
