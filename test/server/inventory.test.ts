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
    // A registry that says the demo's images are amd64-only, as the real etl-worker image is.
    t = await testApp({
      services: {
        imagePlatforms: {
          platformsOf: async (image: string) => (image.includes('etl-worker') ? ['linux/amd64'] : undefined),
        },
      },
    });
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

  test('network policies, role bindings and Warning events list with their filters', async () => {
    // These kinds start after the namespaces have listed: wait until each has arrived.
    for (const [collection, filter] of [
      ['network_policies', {}],
      ['role_bindings', { risky: true }],
      ['kube_events', { reason: 'BackOff' }],
    ] as const)
      while ((await t.store.collection(collection).count(filter)) === 0)
        await new Promise((resolve) => setTimeout(resolve, 100));

    const policies = await request(t.app)
      .get('/api/v1/network-policies?namespace=gzgat-app&limit=1000')
      .set(ops)
      .expect(200);
    expect(new Set(policies.body.items.map((p: { name: string }) => p.name))).toEqual(
      new Set(['default-deny-all', 'allow-gateway-ingress']),
    );

    const risky = await request(t.app).get('/api/v1/role-bindings?risky=true').set(ops).expect(200);
    expect(risky.body.items).toMatchObject([
      {
        kind: 'ClusterRoleBinding',
        name: 'ci-deployer-cluster-admin',
        risk: ['cluster-admin-to-service-account'],
      },
    ]);
    const cluster = await request(t.app)
      .get('/api/v1/role-bindings?kind=ClusterRoleBinding&risky=false&limit=1000')
      .set(ops)
      .expect(200);
    expect(cluster.body.items.length).toBeGreaterThan(0);
    expect(
      cluster.body.items.every(
        (b: { kind: string; risky: boolean; namespace?: string }) =>
          b.kind === 'ClusterRoleBinding' && !b.risky && b.namespace === undefined,
      ),
    ).toBe(true);
    await request(t.app).get('/api/v1/role-bindings?risky=maybe').set(ops).expect(400);

    const events = await request(t.app)
      .get('/api/v1/kube-events?reason=BackOff&limit=1000')
      .set(ops)
      .expect(200);
    expect(events.body.items.length).toBeGreaterThan(0);
    expect(events.body.items.every((e: { reason: string }) => e.reason === 'BackOff')).toBe(true);
  });

  test('a tenant viewer sees its own bindings, policies and events only, and no cluster bindings', async () => {
    const own = (items: { tenantId?: string }[]) => items.every((i) => i.tenantId === 'demo-gzwjw');
    const bindings = await request(t.app).get('/api/v1/role-bindings?limit=1000').set(viewer).expect(200);
    expect(bindings.body.items.length).toBeGreaterThan(0);
    expect(own(bindings.body.items)).toBe(true);
    const risky = await request(t.app).get('/api/v1/role-bindings?risky=true').set(viewer).expect(200);
    expect(risky.body.items).toEqual([]);
    for (const path of ['/api/v1/network-policies', '/api/v1/kube-events']) {
      const res = await request(t.app).get(`${path}?limit=1000`).set(viewer).expect(200);
      expect(own(res.body.items)).toBe(true);
    }
    const other = await request(t.app)
      .get('/api/v1/network-policies?tenantId=demo-gzgat')
      .set(viewer)
      .expect(200);
    expect(other.body.items).toEqual([]);
  });

  test('the arch-mismatch finder names the amd64-only workload on the arm64 clusters', async () => {
    const res = await request(t.app).get('/api/v1/inventory/arch-mismatches').set(ops).expect(200);
    expect(new Set(res.body.items.map((f: { clusterId: string }) => f.clusterId))).toEqual(
      new Set(['gz-prod-kunpeng', 'gy-city-phytium']),
    );
    expect(res.body.items.every((f: { name: string }) => f.name === 'etl-worker')).toBe(true);
    const kinds = res.body.items.flatMap((f: { evidence: { kind: string }[] }) =>
      f.evidence.map((e) => e.kind),
    );
    expect(kinds).toEqual(expect.arrayContaining(['exec-format-error', 'image-index-lacks-arch']));
  });
});
