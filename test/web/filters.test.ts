import { ALERT_FILTER, INCIDENT_FILTER, readFilter } from '../../web/src/soc/filters.js';

const params = (query: string) => new URLSearchParams(query);

describe('readFilter', () => {
  test('valid values become the filter; empty and unknown parameters are ignored', () => {
    const { filter, problems } = readFilter(
      params('status=new&severity=critical&q=+exec+&ruleId=&tenantId=demo-gov&utm=x'),
      ALERT_FILTER,
    );
    expect(filter).toEqual({ status: 'new', severity: 'critical', q: 'exec', tenantId: 'demo-gov' });
    expect(problems).toEqual([]);
  });

  test('times are normalised to UTC model timestamps', () => {
    const { filter } = readFilter(
      params('from=2026-11-23T10:00:00%2B08:00&to=2026-11-23T05:00:00Z'),
      ALERT_FILTER,
    );
    expect(filter).toEqual({ from: '2026-11-23T02:00:00.000Z', to: '2026-11-23T05:00:00.000Z' });
  });

  test('bad values are dropped and reported by field', () => {
    const { filter, problems } = readFilter(
      params(`severity=urgent&status=open&from=yesterday&q=${'x'.repeat(257)}&clusterId=c1`),
      ALERT_FILTER,
    );
    expect(filter).toEqual({ clusterId: 'c1' });
    expect(problems).toEqual([
      // An incident status is not an alert status.
      { field: 'status', value: 'open', reason: 'not_allowed' },
      { field: 'severity', value: 'urgent', reason: 'not_allowed' },
      { field: 'from', value: 'yesterday', reason: 'not_a_time' },
      { field: 'q', value: 'x'.repeat(257), reason: 'too_long' },
    ]);
  });

  test('incident filters take incident statuses and no time range', () => {
    const { filter, problems } = readFilter(
      params('status=contained&from=2026-11-23T00:00:00Z'),
      INCIDENT_FILTER,
    );
    expect(filter).toEqual({ status: 'contained' });
    expect(problems).toEqual([]);
  });
});
