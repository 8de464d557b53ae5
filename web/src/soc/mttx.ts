/** The MTTx dashboard's view state and chart data, apart from recharts. */
import {
  MTTX_GROUP_BYS,
  MTTX_METRICS,
  type Incident,
  type MttxGroup,
  type MttxGroupBy,
  type MttxMetric,
} from '../api/soc.js';

export const RANGES = { '24h': 24 * 3_600_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type Range = keyof typeof RANGES;
export const DEFAULT_RANGE: Range = '7d';
export const DEFAULT_GROUP_BY: MttxGroupBy = 'severity';

const isRange = (value: string | null): value is Range => value !== null && Object.hasOwn(RANGES, value);
const isGroupBy = (value: string | null): value is MttxGroupBy => MTTX_GROUP_BYS.some((g) => g === value);

/** Range and grouping from the URL; an unknown value falls back to the default. */
export function readMttxView(params: URLSearchParams): { range: Range; groupBy: MttxGroupBy } {
  const range = params.get('range');
  const groupBy = params.get('groupBy');
  return {
    range: isRange(range) ? range : DEFAULT_RANGE,
    groupBy: isGroupBy(groupBy) ? groupBy : DEFAULT_GROUP_BY,
  };
}

/**
 * The time window of a range ending at `now`, cut to the whole minute so that renders within the
 * same minute ask the same question (and share one cached answer).
 */
export function rangeWindow(range: Range, now: Date): { from: string; to: string } {
  // Up to the next whole minute: stable within a minute, and the incidents of this minute included.
  const to = Math.floor(now.getTime() / 60_000) * 60_000 + 60_000;
  return { from: new Date(to - RANGES[range]).toISOString(), to: new Date(to).toISOString() };
}

/** A group's name as shown on the axis: its key values, "—" for the platform-wide group. */
export function groupLabel(key: MttxGroup['key']): string {
  return Object.values(key).filter(Boolean).join(' / ') || '—';
}

export interface ChartRow {
  label: string;
  /** Seconds; undefined when no incident of the group reached the milestone, so no bar is drawn. */
  mean?: number;
  p50?: number;
  p90?: number;
  count: number;
}

/** One bar group per MTTx group for `metric`: mean, p50 and p90 side by side. */
export function chartRows(
  groups: readonly MttxGroup[],
  metric: MttxMetric,
  label: (key: MttxGroup['key']) => string = groupLabel,
): ChartRow[] {
  return groups.map((group) => {
    const stats = group[metric];
    const row: ChartRow = { label: label(group.key), count: stats.count };
    return stats.count > 0
      ? {
          ...row,
          mean: stats.meanSeconds ?? undefined,
          p50: stats.p50Seconds ?? undefined,
          p90: stats.p90Seconds ?? undefined,
        }
      : row;
  });
}

/** MTTx milestones of an incident; the server defines them the same way (server/model/incident.ts). */
const MILESTONES = {
  mttd: ['occurredAt', 'detectedAt'],
  mtta: ['detectedAt', 'acknowledgedAt'],
  mttc: ['detectedAt', 'containedAt'],
  mttr: ['detectedAt', 'resolvedAt'],
} as const satisfies Record<MttxMetric, readonly [keyof Incident, keyof Incident]>;

/** One incident's own MTTx in seconds, for the milestones it has reached. */
export function incidentMttx(incident: Incident): Partial<Record<MttxMetric, number>> {
  const result: Partial<Record<MttxMetric, number>> = {};
  for (const metric of MTTX_METRICS) {
    const [start, end] = MILESTONES[metric];
    const from = incident[start];
    const to = incident[end];
    if (from !== undefined && to !== undefined) result[metric] = (Date.parse(to) - Date.parse(from)) / 1000;
  }
  return result;
}
