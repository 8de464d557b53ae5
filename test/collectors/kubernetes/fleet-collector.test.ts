/**
 * The collectors end to end against the demo fleet: real client-node HTTP, real watch streams,
 * a real store. Registration goes through the same seeding the console uses.
 */
import type { DemoFleet } from '../../../collectors/demo-fleet/types.js';
import { FleetCollector } from '../../../collectors/kubernetes/fleet-collector.js';
import { resourceKinds } from '../../../collectors/kubernetes/resources.js';
import { TenantResolver } from '../../../collectors/kubernetes/tenant-resolver.js';
import { seedDemoFleet } from '../../../server/collection/demo-seed.js';
import type { Cluster } from '../../../server/model/cluster.js';
import type { KubeEvent } from '../../../server/model/kube-event.js';
import type { NetworkPolicy } from '../../../server/model/network-policy.js';
import type { Node } from '../../../server/model/node.js';
import type { Pod } from '../../../server/model/pod.js';
import type { RoleBinding } from '../../../server/model/role-binding.js';
import { createServices, STORE_COLLECTIONS } from '../../../server/services.js';
import { SqliteStore } from '../../../server/store/sqlite/sqlite-store.js';
import { eventually } from '../../support/eventually.js';

describe('fleet collector against the demo fleet', () => {
  const store = new SqliteStore({ file: ':memory:', collections: STORE_COLLECTIONS });
  const services = createServices(store);
  let demo: DemoFleet;
  let fleet: FleetCollector;
  // Companions (e.g. the Trivy report puller) get each cluster's credentials with its collector.
  const companions: {
    clusterId: string;
    server: string | undefined;
    state: 'new' | 'started' | 'stopped';
  }[] = [];
  const clusters = () => store.collection<Cluster>('clusters');
  const nodes = () => store.collection<Node>('nodes');
  const pods = () => store.collection<Pod>('pods');

  beforeAll(async () => {
    demo = await seedDemoFleet(store, services.secrets, { tickMs: 0 });
    const tenants = new TenantResolver(store);
    await tenants.refresh(true);
    fleet = new FleetCollector(store, services.secrets, () => resourceKinds(tenants), {
      cluster: { heartbeatMs: 200, unreachableAfter: 2 },
      companions: (clusterId, kc) => {
        const entry = {
          clusterId,
          server: kc.getCurrentCluster()?.server,
          state: 'new' as 'new' | 'started' | 'stopped',
        };
        companions.push(entry);
        return [
          {
            start: () => void (entry.state = 'started'),
            stop: async () => void (entry.state = 'stopped'),
          },
        ];
      },
    });
    await fleet.start();
    await eventually(
      async () => (await clusters().count({ status: 'connected' })) === 3 && (await nodes().count()) === 15,
      'three connected clusters and their 15 nodes',
    );
  });
  afterAll(async () => {
    await fleet.stop();
    await demo.stop();
    await store.close();
  });

  test('companions start with each cluster, on its own API server', () => {
    expect(companions.map((c) => c.clusterId).sort()).toEqual([
      'gy-city-phytium',
      'gz-prod-kunpeng',
      'gz-prod-x86',
    ]);
    for (const c of companions) {
      expect(c.state).toBe('started');
      expect(c.server).toContain(`/clusters/${c.clusterId}`);
    }
  });

  test('every node is identified: arch, CPU vendor and family, OS', async () => {
    const all = (await nodes().find({ limit: 100 })).items;
    const byCluster = (id: string) => all.filter((n) => n.clusterId === id);
    expect(
      new Set(byCluster('gz-prod-kunpeng').map((n) => `${n.arch}/${n.cpu.vendor}/${n.osFamily}`)),
    ).toEqual(new Set(['arm64/kunpeng/kylin']));
    expect(
      new Set(byCluster('gy-city-phytium').map((n) => `${n.arch}/${n.cpu.vendor}/${n.osFamily}`)),
    ).toEqual(new Set(['arm64/phytium/uos']));
    expect(new Set(byCluster('gz-prod-x86').map((n) => n.cpu.vendor))).toEqual(new Set(['hygon', 'intel']));
    expect(byCluster('gz-prod-kunpeng')[0]!.cpu.family).toMatch(/Kunpeng 920/);
    expect(JSON.stringify(all)).not.toContain('managedFields');
  });

  test('pods and workloads belong to the tenants whose namespaces they run in', async () => {
    const tenantPods = await pods().countBy({}, ['tenantId']);
    const byTenant = Object.fromEntries(tenantPods.map((g) => [String(g.key.tenantId), g.count]));
    for (const code of ['gzdsj', 'gzgat', 'gzwjw']) expect(byTenant[`demo-${code}`]).toBeGreaterThan(0);
    const portal = (await pods().find({ filter: { namespace: 'gzdsj-portal' }, limit: 1 })).items[0];
    expect(portal?.tenantId).toBe('demo-gzdsj');
    expect(await store.collection('workloads').count({ tenantId: 'demo-gzgat' })).toBeGreaterThan(0);
  });

  test('the arm64-mismatched workload is found, with exec-format-error evidence, and only it', async () => {
    const { findArchMismatches } = await import('../../../collectors/heterogeneity/arch-mismatch.js');
    const all = async (name: string) => (await store.collection(name).find({ limit: 1000 })).items as never[];
    const findings = await findArchMismatches({
      nodes: await all('nodes'),
      pods: await all('pods'),
      workloads: await all('workloads'),
    });
    expect(findings.length).toBeGreaterThan(0);
    expect(new Set(findings.map((f) => f.name))).toEqual(new Set(['etl-worker']));
    expect(findings.every((f) => f.missingArches.includes('arm64'))).toBe(true);
    expect(findings.flatMap((f) => f.evidence.map((e) => e.kind))).toContain('exec-format-error');
  });

  test('RBAC bindings, NetworkPolicies and Warning events are collected, with risks and tenants', async () => {
    const bindings = store.collection<RoleBinding>('role_bindings');
    const risky = await eventually(async () => {
      const page = await bindings.find({ filter: { risky: true }, limit: 100 });
      return page.items.length ? page.items : undefined;
    }, 'the risky binding');
    expect(risky.map((b) => [b.clusterId, b.kind, b.name, b.risk])).toEqual([
      [
        'gz-prod-x86',
        'ClusterRoleBinding',
        'ci-deployer-cluster-admin',
        ['cluster-admin-to-service-account'],
      ],
    ]);
    expect(risky[0]).toMatchObject({
      roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'gzdsj-data' }],
    });
    expect(risky[0]!.tenantId).toBeUndefined();
    const tenantBinding = await eventually(
      async () =>
        (await bindings.find({ filter: { kind: 'RoleBinding', namespace: 'gzdsj-data' }, limit: 10 }))
          .items[0],
      'a tenant RoleBinding',
    );
    expect(tenantBinding.tenantId).toBe('demo-gzdsj');

    const policies = store.collection<NetworkPolicy>('network_policies');
    const denyAll = await eventually(
      async () => (await policies.find({ filter: { name: 'default-deny-all' }, limit: 10 })).items[0],
      'the default-deny policy',
    );
    expect(denyAll).toMatchObject({ namespace: 'gzgat-app', tenantId: 'demo-gzgat', podSelector: {} });

    const events = store.collection<KubeEvent>('kube_events');
    const backOff = await eventually(async () => {
      const page = await events.find({ filter: { reason: 'BackOff' }, limit: 1000 });
      return page.items.length ? page.items : undefined;
    }, 'BackOff events');
    expect(backOff.every((e) => e.involvedObject.kind === 'Pod' && e.sourceComponent === 'kubelet')).toBe(
      true,
    );
    expect(backOff.some((e) => e.tenantId?.startsWith('demo-'))).toBe(true);
    expect(await events.count({ reason: 'Pulled' })).toBe(0);
  });

  test('the cluster document carries the API server version and when it was last seen', async () => {
    const cluster = await eventually(async () => {
      const c = await clusters().get('gz-prod-x86');
      return c?.kubernetesVersion ? c : undefined;
    }, 'the version to be reported');
    expect(cluster.kubernetesVersion).toMatch(/^v1\./);
    expect(Date.parse(cluster.lastSeenAt!)).not.toBeNaN();
  });

  test('a change in the cluster becomes visible in the store', async () => {
    let added = '';
    demo.mutate('gz-prod-kunpeng', 'pods', (objects) => {
      const template = objects.list()[0]!;
      const copy = structuredClone(template);
      copy.metadata = { ...copy.metadata, name: 'yunshu-probe', uid: 'probe-uid-1' };
      added = copy.metadata.uid!;
      objects.put(copy);
    });
    const doc = await eventually(() => pods().get(`gz-prod-kunpeng/${added}`), 'the new pod');
    expect(doc?.name).toBe('yunshu-probe');
    demo.mutate('gz-prod-kunpeng', 'pods', (objects) => objects.remove('yunshu-probe', doc!.namespace));
    await eventually(async () => (await pods().get(`gz-prod-kunpeng/${added}`)) === null, 'the pod to go');
  });

  test('a cluster that stops answering turns unreachable, keeps its inventory, and recovers by itself', async () => {
    const before = await nodes().count({ clusterId: 'gz-prod-x86' });
    demo.setDown('gz-prod-x86', true);
    const down = await eventually(async () => {
      const c = await clusters().get('gz-prod-x86');
      return c?.status === 'unreachable' ? c : undefined;
    }, 'unreachable');
    expect(down.statusMessage).toMatch(/not answering/);
    expect(await nodes().count({ clusterId: 'gz-prod-x86' })).toBe(before);
    expect((await clusters().get('gz-prod-kunpeng'))?.status).toBe('connected');
    demo.setDown('gz-prod-x86', false);
    await eventually(async () => (await clusters().get('gz-prod-x86'))?.status === 'connected', 'recovery');
    expect((await clusters().get('gz-prod-x86'))?.statusMessage).toBeUndefined();
  });

  test('after the watch history is compacted (410 Gone) the collector relists and stays exact', async () => {
    demo.compact('gy-city-phytium');
    demo.mutate('gy-city-phytium', 'pods', (objects) => {
      const victim = objects.list()[0]!;
      objects.remove(victim.metadata.name!, victim.metadata.namespace);
    });
    await eventually(async () => {
      const stored = await pods().count({ clusterId: 'gy-city-phytium' });
      let live = 0;
      demo.mutate('gy-city-phytium', 'pods', (objects) => (live = objects.list().length));
      return stored === live;
    }, 'store and cluster to agree');
  });
});
