/**
 * MTTx statistics as DESIGN.md defines them, from the store's durations() (one grouped query for
 * every metric; the store does the filtering and grouping, this file only summarises each group):
 *
 *   MTTD = detectedAt − occurredAt      MTTA = acknowledgedAt − detectedAt
 *   MTTC = containedAt − detectedAt     MTTR = resolvedAt − detectedAt
 *
 * Percentiles are nearest-rank: the p-th percentile of n sorted values is the value at rank
 * ⌈p/100 · n⌉ (1-based), always one of the measured durations. Durations are reported in seconds.
 * An incident counts once in each of its clusters and sources; one with none is in no such group.
 */
import type { Incident } from '../model/incident.js';
import type { Filter, GroupKey, Scalar, Store } from '../store/port.js';

export const MTTX_GROUP_BY = ['tenant', 'cluster', 'severity', 'source'] as const;
export type MttxGroupBy = (typeof MTTX_GROUP_BY)[number];

const GROUP_KEYS: Record<MttxGroupBy, GroupKey> = {
  tenant: 'tenantId',
  cluster: { field: 'clusterIds', unwind: true },
  severity: 'severity',
  source: { field: 'sources', unwind: true },
};

const SPANS = {
  mttd: { from: 'occurredAt', to: 'detectedAt' },
  mtta: { from: 'detectedAt', to: 'acknowledgedAt' },
  mttc: { from: 'detectedAt', to: 'containedAt' },
  mttr: { from: 'detectedAt', to: 'resolvedAt' },
} as const satisfies Record<string, { from: keyof Incident; to: keyof Incident }>;
export type MttxMetric = keyof typeof SPANS;

export interface DurationStats {
  /** Incidents of the group that have both timestamps of the metric. */
  count: number;
  meanSeconds: number | null;
  p50Seconds: number | null;
  p90Seconds: number | null;
}

export type MttxGroup = { key: Scalar; count: number } & Record<MttxMetric, DurationStats>;

export interface MttxQuery {
  /** detectedAt at or after (ISO). */
  from: string;
  /** detectedAt strictly before (ISO). */
  to: string;
  groupBy: MttxGroupBy;
  severity?: Incident['severity'];
  tenantId?: string;
}

/** Nearest-rank percentile of ascending values. */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

const seconds = (ms: number | null): number | null => (ms === null ? null : ms / 1000);

export function durationStats(sortedMs: readonly number[]): DurationStats {
  const n = sortedMs.length;
  return {
    count: n,
    meanSeconds: n ? seconds(sortedMs.reduce((sum, ms) => sum + ms, 0) / n) : null,
    p50Seconds: seconds(nearestRank(sortedMs, 50)),
    p90Seconds: seconds(nearestRank(sortedMs, 90)),
  };
}

/** MTTx per group, over incidents detected in [from, to); `store` is the caller's (scoped) view. */
export async function mttx(store: Store, query: MttxQuery): Promise<MttxGroup[]> {
  const incidents = store.collection<Incident>('incidents');
  const filter: Filter = {
    detectedAt: { gte: query.from, lt: query.to },
    ...(query.severity ? { severity: query.severity } : {}),
    ...(query.tenantId ? { tenantId: query.tenantId } : {}),
  };
  const key = GROUP_KEYS[query.groupBy];
  const name = typeof key === 'string' ? key : key.field;
  const groups = await incidents.durations(filter, SPANS, [key]);
  return groups.map(({ key: groupKey, count, durationsMs }) => {
    const stats = (Object.keys(SPANS) as MttxMetric[]).map(
      (metric) => [metric, durationStats(durationsMs[metric])] as const,
    );
    return { key: groupKey[name] ?? null, count, ...Object.fromEntries(stats) } as MttxGroup;
  });
}
