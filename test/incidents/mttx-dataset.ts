/**
 * A small hand-computed MTTx data set: six incidents, five detected on 2026-11-20 (UTC), one the day
 * before (outside the range the tests query). Offsets are seconds from detection.
 */
import type { Incident } from '../../server/model/incident.js';
import type { Store } from '../../server/store/port.js';

export const RANGE = { from: '2026-11-20T00:00:00.000Z', to: '2026-11-21T00:00:00.000Z' };

const at = (base: string, seconds: number) => new Date(Date.parse(base) + seconds * 1000).toISOString();

interface Row {
  id: string;
  tenantId?: string;
  severity: Incident['severity'];
  clusterIds: string[];
  sources: Incident['sources'];
  detectedAt: string;
  /** Seconds before detection the source event happened. */
  mttd?: number;
  mtta?: number;
  mttc?: number;
  mttr?: number;
}

const ROWS: Row[] = [
  {
    id: 'i1',
    tenantId: 't-a',
    severity: 'high',
    clusterIds: ['c1'],
    sources: ['falco'],
    detectedAt: '2026-11-20T00:00:00.000Z',
    mttd: 60,
    mtta: 120,
    mttc: 300,
    mttr: 600,
  },
  {
    id: 'i2',
    tenantId: 't-a',
    severity: 'high',
    clusterIds: ['c1', 'c2'],
    sources: ['falco', 'k8s-audit'],
    detectedAt: '2026-11-20T01:00:00.000Z',
    mttd: 30,
    mtta: 60,
    mttr: 1200,
  },
  {
    id: 'i3',
    tenantId: 't-a',
    severity: 'low',
    clusterIds: ['c2'],
    sources: ['k8s-audit'],
    detectedAt: '2026-11-20T02:00:00.000Z',
  },
  {
    id: 'i4',
    tenantId: 't-b',
    severity: 'critical',
    clusterIds: ['c3'],
    sources: ['falco'],
    detectedAt: '2026-11-20T03:00:00.000Z',
    mttd: 30,
    mtta: 30,
    mttc: 90,
    mttr: 300,
  },
  {
    id: 'i5',
    tenantId: 't-a',
    severity: 'high',
    clusterIds: [],
    sources: [],
    detectedAt: '2026-11-19T12:00:00.000Z',
    mttd: 1,
    mtta: 1,
    mttc: 1,
    mttr: 1,
  },
  {
    id: 'i6',
    severity: 'medium',
    clusterIds: ['c1'],
    sources: ['trivy'],
    detectedAt: '2026-11-20T04:00:00.000Z',
    mttd: 15,
    mtta: 30,
  },
];

function incidentOf(row: Row): Omit<Incident, 'version' | 'createdAt' | 'updatedAt'> {
  const { id, tenantId, severity, clusterIds, sources, detectedAt, mttd, mtta, mttc, mttr } = row;
  const status =
    mttr !== undefined
      ? 'resolved'
      : mttc !== undefined
        ? 'contained'
        : mtta !== undefined
          ? 'acknowledged'
          : 'open';
  return {
    id,
    schemaVersion: 1,
    title: `incident ${id}`,
    severity,
    alertIds: [],
    ...(tenantId ? { tenantId } : {}),
    status,
    detectedAt,
    ...(mttd !== undefined ? { occurredAt: at(detectedAt, -mttd) } : {}),
    ...(mtta !== undefined ? { acknowledgedAt: at(detectedAt, mtta) } : {}),
    ...(mttc !== undefined ? { containedAt: at(detectedAt, mttc), containedBy: 'manual' as const } : {}),
    ...(mttr !== undefined ? { resolvedAt: at(detectedAt, mttr) } : {}),
    clusterIds,
    sources,
    timeline: [],
  };
}

export async function seedMttxIncidents(store: Store): Promise<void> {
  for (const row of ROWS) await store.collection<Incident>('incidents').insert(incidentOf(row));
}

const stats = (count: number, mean: number | null, p50: number | null, p90: number | null) => ({
  count,
  meanSeconds: mean,
  p50Seconds: p50,
  p90Seconds: p90,
});
const none = stats(0, null, null, null);

/** Expected groups per groupBy over RANGE, worked out by hand (nearest-rank percentiles). */
export const EXPECTED = {
  severity: [
    {
      key: 'critical',
      count: 1,
      mttd: stats(1, 30, 30, 30),
      mtta: stats(1, 30, 30, 30),
      mttc: stats(1, 90, 90, 90),
      mttr: stats(1, 300, 300, 300),
    },
    // high: i1, i2 (i5 is outside the range). mttd [30, 60]: p50 = rank ⌈1⌉ = 30, p90 = rank ⌈1.8⌉ = 60.
    {
      key: 'high',
      count: 2,
      mttd: stats(2, 45, 30, 60),
      mtta: stats(2, 90, 60, 120),
      mttc: stats(1, 300, 300, 300),
      mttr: stats(2, 900, 600, 1200),
    },
    { key: 'low', count: 1, mttd: none, mtta: none, mttc: none, mttr: none },
    {
      key: 'medium',
      count: 1,
      mttd: stats(1, 15, 15, 15),
      mtta: stats(1, 30, 30, 30),
      mttc: none,
      mttr: none,
    },
  ],
  tenant: [
    {
      key: 't-a',
      count: 3,
      mttd: stats(2, 45, 30, 60),
      mtta: stats(2, 90, 60, 120),
      mttc: stats(1, 300, 300, 300),
      mttr: stats(2, 900, 600, 1200),
    },
    {
      key: 't-b',
      count: 1,
      mttd: stats(1, 30, 30, 30),
      mtta: stats(1, 30, 30, 30),
      mttc: stats(1, 90, 90, 90),
      mttr: stats(1, 300, 300, 300),
    },
    { key: null, count: 1, mttd: stats(1, 15, 15, 15), mtta: stats(1, 30, 30, 30), mttc: none, mttr: none },
  ],
  // Each incident counts in every one of its clusters: c1 = i1, i2, i6; c2 = i2, i3; c3 = i4.
  cluster: [
    // mttd [15, 30, 60]: mean 35, p50 = rank ⌈1.5⌉ = 30, p90 = rank ⌈2.7⌉ = 60.
    {
      key: 'c1',
      count: 3,
      mttd: stats(3, 35, 30, 60),
      mtta: stats(3, 70, 60, 120),
      mttc: stats(1, 300, 300, 300),
      mttr: stats(2, 900, 600, 1200),
    },
    {
      key: 'c2',
      count: 2,
      mttd: stats(1, 30, 30, 30),
      mtta: stats(1, 60, 60, 60),
      mttc: none,
      mttr: stats(1, 1200, 1200, 1200),
    },
    {
      key: 'c3',
      count: 1,
      mttd: stats(1, 30, 30, 30),
      mtta: stats(1, 30, 30, 30),
      mttc: stats(1, 90, 90, 90),
      mttr: stats(1, 300, 300, 300),
    },
  ],
  // falco = i1, i2, i4; k8s-audit = i2, i3; trivy = i6.
  source: [
    {
      key: 'falco',
      count: 3,
      mttd: stats(3, 40, 30, 60),
      mtta: stats(3, 70, 60, 120),
      mttc: stats(2, 195, 90, 300),
      mttr: stats(3, 700, 600, 1200),
    },
    {
      key: 'k8s-audit',
      count: 2,
      mttd: stats(1, 30, 30, 30),
      mtta: stats(1, 60, 60, 60),
      mttc: none,
      mttr: stats(1, 1200, 1200, 1200),
    },
    {
      key: 'trivy',
      count: 1,
      mttd: stats(1, 15, 15, 15),
      mtta: stats(1, 30, 30, 30),
      mttc: none,
      mttr: none,
    },
  ],
};
