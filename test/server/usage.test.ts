/** Usage through the API: the collection runtime reads the demo fleet's Prometheus into the store. */
import { pino } from 'pino';
import request from 'supertest';
import type { DemoFleet } from '../../collectors/demo-fleet/types.js';
import { CollectionRuntime } from '../../server/collection/collection-runtime.js';
import { seedDemoFleet } from '../../server/collection/demo-seed.js';
import type { Usage } from '../../server/model/usage.js';
import { testApp, type TestApp } from '../support/test-app.js';

describe('usage and tenant roll-up', () => {
  let t: TestApp;
  let demo: DemoFleet;
  let runtime: CollectionRuntime;
  let auth: { Authorization: string };

  beforeAll(async () => {
    t = await testApp();
    demo = await seedDemoFleet(t.store, t.services.secrets, { tickMs: 0 });
    runtime = new CollectionRuntime({
      store: t.store,
      secrets: t.services.secrets,
      logger: pino({ level: 'silent' }),
      usageIntervalMs: 500,
    });
    await runtime.start();
    await t.user({ username: 'ops1', roleIds: ['ops'] });
    auth = { Authorization: `Bearer ${await t.login('ops1')}` };
    const deadline = Date.now() + 30_000;
    const usage = t.store.collection<Usage>('usage');
    // Usage and inventory arrive independently; the roll-up needs both.
    const ready = async () =>
      (await usage.count({ kind: 'node' })) === 15 &&
      (await t.store.collection('pods').count({ tenantId: 'demo-gzdsj' })) > 0 &&
      (await usage.countBy({ kind: 'namespace', tenantId: 'demo-gzdsj' }, ['clusterId'])).length === 3;
    while (!(await ready())) {
      if (Date.now() > deadline) throw new Error('no usage collected');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  afterAll(async () => {
    await runtime.stop();
    await demo.stop();
    await t.close();
  });

  test('a tenant whose namespaces span three clusters gets one roll-up', async () => {
    const res = await request(t.app).get('/api/v1/tenants/demo-gzdsj/usage').set(auth).expect(200);
    expect(res.body.clusters).toEqual(['gy-city-phytium', 'gz-prod-kunpeng', 'gz-prod-x86']);
    expect(res.body.cpuCores).toBeGreaterThan(0);
    expect(res.body.memoryBytes).toBeGreaterThan(0);
    expect(res.body.requestsCpuCores).toBeGreaterThan(0);
    expect(res.body.namespaces).toBeGreaterThanOrEqual(3);
    expect(res.body.pods).toBeGreaterThan(0);
  });

  test('node usage is stored per node with the raw Prometheus text', async () => {
    const res = await request(t.app)
      .get('/api/v1/metrics/usage?kind=node&clusterId=gz-prod-kunpeng')
      .set(auth)
      .expect(200);
    expect(res.body.items).toHaveLength(5);
    const cpu = res.body.items[0].metrics.cpuUtilisation;
    expect(cpu.value).toBeGreaterThan(0);
    expect(cpu.value).toBeLessThanOrEqual(1);
    expect(Number(cpu.raw)).toBeCloseTo(cpu.value, 10);
  });

  test('history for charts, and a bad step named in the 400', async () => {
    const node = (
      await t.store.collection<Usage>('usage').find({ filter: { kind: 'node', clusterId: 'gz-prod-x86' } })
    ).items[0]!.name;
    const to = new Date();
    const from = new Date(to.getTime() - 10 * 60_000);
    const ok = await request(t.app)
      .get('/api/v1/metrics/history')
      .query({
        clusterId: 'gz-prod-x86',
        metric: 'node_cpu',
        target: node,
        from: from.toISOString(),
        to: to.toISOString(),
        step: 60,
      })
      .set(auth)
      .expect(200);
    expect(ok.body.series[0].samples.length).toBeGreaterThan(5);
    const bad = await request(t.app)
      .get('/api/v1/metrics/history')
      .query({
        clusterId: 'gz-prod-x86',
        metric: 'node_cpu',
        target: node,
        from: '2026-01-01T00:00:00.000Z',
        to: to.toISOString(),
        step: 1,
      })
      .set(auth)
      .expect(400);
    expect(bad.body.details[0].path).toBe('query.step');
  });
});
