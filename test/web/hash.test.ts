import { hashFor, incidentHash, parseRoute } from '../../web/src/routing/hash.js';

describe('parseRoute', () => {
  test('a list page keeps its filters', () => {
    const route = parseRoute('#/alerts?status=new&severity=high');
    expect(route.page).toBe('alerts');
    expect(Object.fromEntries(route.query)).toEqual({ status: 'new', severity: 'high' });
  });

  test('an incident id is decoded from the path', () => {
    expect(parseRoute('#/incidents/inc%2F42')).toMatchObject({ page: 'incident', id: 'inc/42' });
    expect(parseRoute('#/incidents/')).toMatchObject({ page: 'incidents' });
  });

  test('a malformed escape is kept as typed instead of throwing', () => {
    expect(parseRoute('#/incidents/100%')).toMatchObject({ page: 'incident', id: '100%' });
  });

  test.each(['', '#', '#/', '#/nope', '#/alerts/extra', '#/incident', '#/incidents/a/b', '#/status?x=1'])(
    '%j is the status page',
    (hash) => {
      expect(parseRoute(hash).page).toBe('status');
    },
  );
});

describe('hashFor', () => {
  test('drops empty filters and round-trips through parseRoute', () => {
    const hash = hashFor('/alerts', { status: 'new', q: '', tenantId: undefined, clusterId: 'c 1&2' });
    expect(hash).toBe('#/alerts?status=new&clusterId=c+1%262');
    expect(Object.fromEntries(parseRoute(hash).query)).toEqual({ status: 'new', clusterId: 'c 1&2' });
  });

  test('no filters, no question mark', () => {
    expect(hashFor('/incidents', {})).toBe('#/incidents');
  });

  test('an incident link survives ids with slashes and spaces', () => {
    expect(parseRoute(incidentHash('inc/2026 42'))).toMatchObject({ page: 'incident', id: 'inc/2026 42' });
  });
});
