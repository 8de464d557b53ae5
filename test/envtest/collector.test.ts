/**
 * The collectors against a real kube-apiserver + etcd: our fixtures loaded through the API, the
 * fleet collector's view of them, a forced watch expiry (etcd compaction → 410 Gone → relist), and
 * an RBAC denial turning the cluster degraded with the API server's own reason.
 */
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { FleetCollector } from '../../collectors/kubernetes/fleet-collector.js';
import { loadKubeconfig } from '../../collectors/kubernetes/kubeconfig.js';
import { ListWatch, type RawObject } from '../../collectors/kubernetes/list-watch.js';
import { resourceKinds } from '../../collectors/kubernetes/resources.js';
import { TenantResolver } from '../../collectors/kubernetes/tenant-resolver.js';
import type { Cluster } from '../../server/model/cluster.js';
import type { Node } from '../../server/model/node.js';
import type { Pod } from '../../server/model/pod.js';
import type { Tenant } from '../../server/model/tenant.js';
import { createServices, STORE_COLLECTIONS } from '../../server/services.js';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.js';
import { startEnvtest, type Envtest } from './envtest.js';
import { loadFixtures } from './fixtures.js';
import { describeWithEnvtest } from './gate.js';
import { eventually } from '../support/eventually.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/fleet.yaml', import.meta.url));

/** etcd's JSON gateway: the current revision, and a compaction up to it. */
async function compactEtcd(etcdUrl: string): Promise<void> {
  const post = async (path: string, body: object) => {
    const res = await fetch(`${etcdUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`etcd ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { header: { revision: string } };
  };
  const { header } = await post('/v3/kv/range', { key: Buffer.from('/').toString('base64') });
  await post('/v3/kv/compaction', { revision: header.revision, physical: true });
}

const tenant = (code: string): Omit<Tenant, 'version' | 'createdAt' | 'updatedAt'> => ({
  id: `tenant-${code}`,
  schemaVersion: 1,
  name: code,
  code,
  regionCode: '520000',
  regionName: '贵州省',
  level: 'province',
  contacts: [],
  namespaces: [],
  namespaceSelector: { matchLabels: { 'gov.cn/tenant': code }, matchExpressions: [] },
  quotas: {},
  labels: {},
});

describeWithEnvtest('collectors against a real kube-apiserver', () => {
  let env: Envtest;
  let core: CoreV1Api;

  beforeAll(async () => {
    env = await startEnvtest({ watchCache: false });
    await loadFixtures(env.adminKubeconfig, FIXTURES);
    const kc = new KubeConfig();
    kc.loadFromString(env.adminKubeconfig);
    core = kc.makeApiClient(CoreV1Api);
  }, 60_000);
  afterAll(() => env?.stop());

  async function collect(kubeconfig: string) {
    const store = new SqliteStore({ file: ':memory:', collections: STORE_COLLECTIONS });
    const services = createServices(store);
    for (const code of ['gzdsj', 'gzgat']) await store.collection<Tenant>('tenants').insert(tenant(code));
    const secret = await services.secrets.put({
      name: 'envtest-kubeconfig',
      kind: 'kubeconfig',
      value: JSON.stringify({ context: loadKubeconfig(kubeconfig).context, kubeconfig }),
    });
    await store.collection<Cluster>('clusters').insert({
      id: 'envtest',
      schemaVersion: 1,
      cloudId: 'cloud-1',
      name: 'envtest',
      apiServerUrl: env.url,
      credentialRef: `secret:${secret.id}`,
      labels: {},
      status: 'unknown',
    });
    const tenants = new TenantResolver(store);
    await tenants.refresh(true);
    const fleet = new FleetCollector(store, services.secrets, () => resourceKinds(tenants), {
      cluster: { heartbeatMs: 200 },
    });
    await fleet.start();
    return { store, fleet };
  }

  test('nodes, pods and tenants come through as the model expects', async () => {
    const { store, fleet } = await collect(env.adminKubeconfig);
    try {
      const nodes = await eventually(async () => {
        const page = await store.collection<Node>('nodes').find({ limit: 10 });
        return page.items.length === 3 ? page.items : undefined;
      }, 'three nodes');
      const byName = Object.fromEntries(nodes.map((n) => [n.name, n]));
      expect(byName['kp-node-1']).toMatchObject({
        arch: 'arm64',
        osFamily: 'kylin',
        cpu: { vendor: 'kunpeng' },
      });
      expect(byName['kp-node-1']!.accelerators).toEqual([expect.objectContaining({ count: 8 })]);
      expect(byName['ft-node-1']).toMatchObject({
        arch: 'arm64',
        osFamily: 'uos',
        cpu: { vendor: 'phytium' },
      });
      expect(byName['hg-node-1']).toMatchObject({ arch: 'amd64', cpu: { vendor: 'hygon' } });
      const pods = await eventually(async () => {
        const page = await store.collection<Pod>('pods').find({ limit: 10 });
        return page.items.length === 2 ? page.items : undefined;
      }, 'two pods');
      expect(Object.fromEntries(pods.map((p) => [p.name, p.tenantId]))).toEqual({
        'data-portal-7d9c5b6f4d-abcde': 'tenant-gzdsj',
        'case-sync-0': 'tenant-gzgat',
      });
      const cluster = await eventually(async () => {
        const c = await store.collection<Cluster>('clusters').get('envtest');
        return c?.status === 'connected' && c.kubernetesVersion ? c : undefined;
      }, 'connected');
      expect(cluster.kubernetesVersion).toMatch(/^v1\.34\./);
    } finally {
      await fleet.stop();
      await store.close();
    }
  });

  test('a watch resumed past an etcd compaction gets 410 Gone and the loop relists', async () => {
    const lists: string[][] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const names = (uids: ReadonlySet<string>, seen: Map<string, string>) =>
      [...uids].map((u) => seen.get(u)!).sort();
    const seen = new Map<string, string>();
    const kc = new KubeConfig();
    kc.loadFromString(env.adminKubeconfig);
    const loop = new ListWatch(
      kc,
      {
        page: async (items: RawObject[]) => {
          for (const item of items) seen.set(item.metadata!.uid!, item.metadata!.name!);
        },
        listed: async (uids) => {
          lists.push(names(uids, seen));
          // Hold the first list's resourceVersion while the cluster changes and etcd compacts.
          if (lists.length === 1) await gate;
        },
        upserted: async () => undefined,
        deleted: async () => undefined,
        state: () => undefined,
      },
      { path: '/api/v1/namespaces/gzdsj-data/pods', backoffBaseMs: 50 },
    );
    loop.start();
    try {
      await eventually(async () => lists.length === 1, 'the first list');
      // Two writes: compacting at the newest revision then removes the first one's, which is
      // exactly where the held watch would resume.
      for (const name of ['late-pod-1', 'late-pod-2'])
        await core.createNamespacedPod({
          namespace: 'gzdsj-data',
          body: {
            metadata: { name },
            spec: { nodeName: 'kp-node-1', containers: [{ name: 'c', image: 'busybox' }] },
          },
        });
      await compactEtcd(env.etcdUrl);
      release();
      await eventually(async () => lists.length >= 2, 'a relist after 410 Gone');
      expect(lists[0]).toEqual(['data-portal-7d9c5b6f4d-abcde']);
      expect(lists[1]).toEqual(['data-portal-7d9c5b6f4d-abcde', 'late-pod-1', 'late-pod-2']);
    } finally {
      release();
      await loop.stop();
    }
  });

  test('a credential RBAC does not allow to list makes the cluster degraded, naming the denial', async () => {
    const restricted = await env.restrictedKubeconfig('yunshu-no-rights');
    const { store, fleet } = await collect(restricted);
    try {
      const cluster = await eventually(async () => {
        const c = await store.collection<Cluster>('clusters').get('envtest');
        return c?.status === 'degraded' && c.statusMessage ? c : undefined;
      }, 'degraded');
      expect(cluster.statusMessage).toMatch(/forbidden/i);
      expect(await store.collection('nodes').count()).toBe(0);
    } finally {
      await fleet.stop();
      await store.close();
    }
  });
});
