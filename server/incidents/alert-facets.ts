/**
 * What an incident takes from its alerts: the highest severity, and the clusters and sources it
 * spans (denormalised on the incident so MTTx can group by them in the store).
 */
import type { Alert } from '../model/alert.js';
import type { Severity } from '../model/fragments.js';
import type { Incident } from '../model/incident.js';

const RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export const maxSeverity = (severities: readonly Severity[]): Severity =>
  severities.reduce((max, s) => (RANK[s] > RANK[max] ? s : max), 'info');

export type AlertFacets = Pick<Incident, 'severity' | 'clusterIds' | 'sources'>;

const union = <T extends string>(...lists: (readonly T[])[]): T[] => [...new Set(lists.flat())].sort();

/** The facets of a set of alerts. */
export const facetsOf = (alerts: readonly Alert[]): AlertFacets => ({
  severity: maxSeverity(alerts.map((a) => a.severity)),
  clusterIds: union(alerts.flatMap((a) => (a.k8s ? [a.k8s.clusterId] : []))),
  sources: union(alerts.map((a) => a.source)),
});

/** Facets after adding alerts or whole incidents: they only grow. */
export const combinedFacets = (...parts: readonly AlertFacets[]): AlertFacets => ({
  severity: maxSeverity(parts.map((p) => p.severity)),
  clusterIds: union(...parts.map((p) => p.clusterIds)),
  sources: union(...parts.map((p) => p.sources)),
});
