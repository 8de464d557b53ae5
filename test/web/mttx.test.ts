import { IncidentSchema } from '../../server/model/incident.js';
import type { MttxGroup } from '../../web/src/api/soc.js';
import { chartRows, groupLabel, incidentMttx, rangeWindow, readMttxView } from '../../web/src/soc/mttx.js';
import { examples } from '../model/examples.js';

const stats = (count: number, mean = 0) => ({
  meanSeconds: mean,
  p50Seconds: mean / 2,
  p90Seconds: mean * 2,
  count,
});

describe('readMttxView', () => {
  test('takes range and grouping from the URL', () => {
    expect(readMttxView(new URLSearchParams('range=30d&groupBy=tenant'))).toEqual({
      range: '30d',
      groupBy: 'tenant',
    });
  });

  test('falls back to the last 7 days by severity for missing or unknown values', () => {
    expect(readMttxView(new URLSearchParams(''))).toEqual({ range: '7d', groupBy: 'severity' });
    expect(readMttxView(new URLSearchParams('range=toString&groupBy=namespace'))).toEqual({
      range: '7d',
      groupBy: 'severity',
    });
  });
});

describe('rangeWindow', () => {
  test('ends at the next whole minute, so renders within a minute share one query that includes now', () => {
    const a = rangeWindow('24h', new Date('2026-11-23T05:07:01.000Z'));
    const b = rangeWindow('24h', new Date('2026-11-23T05:07:59.999Z'));
    expect(a).toEqual({ from: '2026-11-22T05:08:00.000Z', to: '2026-11-23T05:08:00.000Z' });
    expect(b).toEqual(a);
  });

  test.each([
    ['7d', '2026-11-16T05:08:00.000Z'],
    ['30d', '2026-10-24T05:08:00.000Z'],
  ] as const)('%s starts at %s', (range, from) => {
    expect(rangeWindow(range, new Date('2026-11-23T05:07:30.000Z')).from).toBe(from);
  });
});

describe('chart data', () => {
  const groups: MttxGroup[] = [
    {
      key: { severity: 'high' },
      count: 3,
      mttd: stats(3, 60),
      mtta: stats(2, 600),
      mttc: stats(0),
      mttr: stats(1, 7200),
    },
    {
      key: { tenantId: undefined },
      count: 1,
      mttd: stats(1, 5),
      mtta: stats(0),
      mttc: stats(0),
      mttr: stats(0),
    },
  ];

  test('one row per group with mean, p50 and p90 of the metric', () => {
    expect(chartRows(groups, 'mtta')).toEqual([
      { label: 'high', count: 2, mean: 600, p50: 300, p90: 1200 },
      { label: '—', count: 0 },
    ]);
  });

  test('a group no incident of which reached the milestone draws no bar (not a zero bar)', () => {
    const [row] = chartRows(groups, 'mttc');
    expect(row).toEqual({ label: 'high', count: 0 });
    expect(row).not.toHaveProperty('mean');
  });

  test('labels come from the caller when given (e.g. translated severities)', () => {
    expect(chartRows(groups, 'mttd', (key) => `<${key.severity ?? 'all'}>`).map((r) => r.label)).toEqual([
      '<high>',
      '<all>',
    ]);
  });

  test('a composite key is joined', () => {
    expect(groupLabel({ tenantId: 'gzdsj', clusterId: 'gz-1' })).toBe('gzdsj / gz-1');
  });
});

describe('incidentMttx', () => {
  test('measures each milestone the way the model defines it', () => {
    const incident = IncidentSchema.parse(examples.incidents());
    expect(incidentMttx(incident)).toEqual({ mttd: 0.755, mtta: 108.9, mttc: 1.8, mttr: 5506.9 });
  });

  test('leaves out milestones not reached yet', () => {
    const incident = IncidentSchema.parse({
      ...examples.incidents(),
      status: 'open',
      occurredAt: undefined,
      acknowledgedAt: undefined,
      containedAt: undefined,
      containedBy: undefined,
      resolvedAt: undefined,
    });
    expect(incidentMttx(incident)).toEqual({});
  });
});
