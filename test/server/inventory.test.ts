/** The inventory API over a collected demo fleet: filters, paging, summary, tenant scoping. */
import request from 'supertest';
import type { DemoFleet } from '../../collectors/demo-fleet/types.js';
import { FleetCollector } from '../../collectors/kubernetes/fleet-collector.js';
import { resourceKinds } from '../../collectors/kubernetes/resources.js';
import { TenantResolver } from '../../collectors/kubernetes/tenant-resolver.js';
import { seedDemoFleet } from '../../server/collection/demo-seed.js';
import { testApp, type TestApp } from '../support/test-app.js';

describe('inventory API', () => {
  let t: TestApp;
  let demo: DemoFleet;
  let fleet: FleetCollector;
  let ops: { Authorization: string };
  let viewer: { Authorization: string };

  beforeAll(async () => {
    t = await testApp();
    demo = await seedDemoFleet(t.store, t.services.secrets, { tickMs: 0 });
    const tenants = new TenantResolver(t.store);
    await tenants.refresh(true);
    fleet = new FleetCollector(t.store, t.services.secrets, () => resourceKinds(tenants));
    await fleet.start();
    const deadline = Date.now() + 30_000;
    while (
      (await t.store.collection('pods').count()) < 100 ||
      (await t.store.collection('nodes').count()) < 15
    ) {
      if (Date.now() > deadline) throw new Error('fleet not collected');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await t.user({ username: 'ops1', roleIds: ['ops'] });
    await t.user({ username: 'wjw', roleIds: ['tenant-viewer'], tenantId: 'demo-gzwjw' });
    ops = { Authorization: `Bearer ${await t.login('ops1')}` };
    viewer = { Authorization: `Bearer ${await t.login('wjw')}` };
  });
  afterAll(async () => {
    await fleet.stop();
    await demo.stop();
    await t.close();
  });

  test('nodes filter by arch, CPU vendor and OS, and page with a cursor', async () => {
    const kunpeng = await request(t.app).get('/api/v1/nodes?vendor=kunpeng').set(ops).expect(200);
    expect(kunpeng.body.items.length).toBe(5);
    expect(
      kunpeng.body.items.every(
        (n: { arch: string; osFamily: string }) => n.arch === 'arm64' && n.osFamily === 'kylin',
      ),
    ).toBe(true);
    const first = await request(t.app).get('/api/v1/nodes?arch=arm64&limit=4').set(ops).expect(200);
    const second = await request(t.app)
      .get(`/api/v1/nodes?arch=arm64&limit=4&cursor=${encodeURIComponent(first.body.nextCursor)}`)
      .set(ops)
      .expect(200);
    const names = [...first.body.items, ...second.body.items].map((n: { id: string }) => n.id);
    expect(new Set(names).size).toBe(8);
    const bad = await request(t.app).get('/api/v1/nodes?arch=x86').set(ops).expect(400);
    expect(bad.body.details[0].path).toBe('query.arch');
  });

  test('the summary counts by cloud, arch, CPU vendor and OS', async () => {
    const res = await request(t.app).get('/api/v1/inventory/summary').set(ops).expect(200);
    const count = (buckets: { key: string; count: number }[], key: string) =>
      buckets.find((b) => b.key === key)?.count;
    expect(res.body.nodes).toBe(15);
    expect(count(res.body.byArch, 'arm64')).toBe(9);
    expect(count(res.body.byCpuVendor, 'phytium')).toBe(4);
    expect(count(res.body.byOs, 'uos')).toBe(4);
    expect(res.body.byCloud.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(15);
  });

  test('a tenant viewer sees its own namespaces, workloads and pods only, and no nodes', async () => {
    const pods = await request(t.app).get('/api/v1/pods?limit=1000').set(viewer).expect(200);
    expect(pods.body.items.length).toBeGreaterThan(0);
    expect(pods.body.items.every((p: { tenantId: string }) => p.tenantId === 'demo-gzwjw')).toBe(true);
    const namespaces = await request(t.app).get('/api/v1/namespaces?limit=1000').set(viewer).expect(200);
    expect(new Set(namespaces.body.items.map((n: { name: string }) => n.name))).toEqual(
      new Set(['gzwjw-health']),
    );
    const nodes = await request(t.app).get('/api/v1/nodes').set(viewer).expect(200);
    expect(nodes.body.items).toEqual([]);
  });

  test('the arch-mismatch finder names the amd64-only workload on the arm64 clusters', async () => {
    const res = await request(t.app).get('/api/v1/inventory/arch-mismatches').set(ops).expect(200);
    expect(new Set(res.body.items.map((f: { clusterId: string }) => f.clusterId))).toEqual(
      new Set(['gz-prod-kunpeng', 'gy-city-phytium']),
    );
    expect(res.body.items.every((f: { name: string }) => f.name === 'etl-worker')).toBe(true);
  });
});
