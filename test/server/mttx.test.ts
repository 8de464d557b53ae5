/** GET /api/v1/metrics/mttx over a hand-computed data set (see test/incidents/mttx-dataset.ts). */
import request from 'supertest';
import { mttxRoutes } from '../../server/routes/mttx.js';
import { EXPECTED, RANGE, seedMttxIncidents } from '../incidents/mttx-dataset.js';
import { testApp, type TestApp } from '../support/test-app.js';

describe('MTTx API', () => {
  let t: TestApp;
  let leader: { Authorization: string };
  let tenantB: { Authorization: string };

  beforeAll(async () => {
    t = await testApp({ routes: mttxRoutes() });
    await seedMttxIncidents(t.store);
    await t.user({ username: 'boss', roleIds: ['leader'] });
    await t.user({ username: 'tb', roleIds: ['tenant-admin'], tenantId: 't-b' });
    leader = { Authorization: `Bearer ${await t.login('boss')}` };
    tenantB = { Authorization: `Bearer ${await t.login('tb')}` };
  });
  afterAll(() => t.close());

  const get = (query: Record<string, string>, auth = leader) =>
    request(t.app).get('/api/v1/metrics/mttx').query(query).set(auth);

  test.each([
    ['severity', 'severity'],
    ['tenant', 'tenantId'],
    ['cluster', 'clusterId'],
    ['source', 'source'],
  ] as const)('grouped by %s, keyed by %s, in seconds', async (groupBy, keyName) => {
    const res = await get({ ...RANGE, groupBy }).expect(200);
    expect(res.body).toEqual({
      ...RANGE,
      groups: EXPECTED[groupBy].map(({ key, ...stats }) => ({ key: { [keyName]: key }, ...stats })),
    });
  });

  test('severity and tenant filters', async () => {
    const res = await get({ ...RANGE, groupBy: 'source', severity: 'high', tenantId: 't-a' }).expect(200);
    expect(res.body.groups.map((g: { key: object; count: number }) => [g.key, g.count])).toEqual([
      [{ source: 'falco' }, 2],
      [{ source: 'k8s-audit' }, 1],
    ]);
  });

  test('a tenant user gets its tenant only', async () => {
    const res = await get({ ...RANGE, groupBy: 'tenant' }, tenantB).expect(200);
    const { key, ...stats } = EXPECTED.tenant[1]!;
    expect(res.body.groups).toEqual([{ key: { tenantId: key }, ...stats }]);
  });

  test('times with an offset are normalised; a reversed or malformed range names the field', async () => {
    const res = await get({ from: '2026-11-20T08:00:00+08:00', to: '2026-11-20T08:00:01+08:00' }).expect(200);
    expect(res.body).toMatchObject({
      from: '2026-11-20T00:00:00.000Z',
      groups: [{ key: { severity: 'high' }, count: 1 }],
    });
    const reversed = await get({ from: RANGE.to, to: RANGE.from }).expect(400);
    expect(reversed.body.details[0].path).toBe('query.from');
    const malformed = await get({ to: 'tomorrow', groupBy: 'weekday' }).expect(400);
    expect(malformed.body.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'query.groupBy',
      'query.to',
    ]);
  });

  test('metrics:read is required', async () => {
    await t.user({ username: 'nobody', roleIds: [] });
    await get(RANGE, { Authorization: `Bearer ${await t.login('nobody')}` }).expect(403);
  });
});
