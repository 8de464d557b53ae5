/** The demo fleet's Kubernetes API, through the real @kubernetes/client-node. */
import { ApiException, NetworkingV1Api, RbacAuthorizationV1Api, type V1Pod } from '@kubernetes/client-node';
import { startDemoFleet } from '../../../collectors/demo-fleet/index.js';
import { START_TIME, clients, clusterOf, useFleet } from './helpers.js';

const fleet = useFleet();

async function listAllPods(core: ReturnType<typeof clients>['core'], limit: number) {
  const pages: V1Pod[][] = [];
  let token: string | undefined;
  let resourceVersion: string | undefined;
  do {
    const page = await core.listPodForAllNamespaces({ limit, _continue: token });
    pages.push(page.items);
    resourceVersion ??= page.metadata?.resourceVersion;
    // Continued pages belong to the first page's snapshot, as with etcd.
    expect(page.metadata?.resourceVersion).toBe(resourceVersion);
    token = page.metadata?._continue;
  } while (token);
  return pages;
}

describe('demo fleet Kubernetes API', () => {
  test('serves the default fleet: three clusters in two clouds, each with its own API root', () => {
    const clusters = fleet().clusters;
    expect(clusters.map((c) => c.spec.id)).toEqual(['gz-prod-x86', 'gz-prod-kunpeng', 'gy-city-phytium']);
    expect(new Set(clusters.map((c) => c.spec.cloud.id)).size).toBe(2);
    for (const cluster of clusters) {
      expect(cluster.apiUrl).toBe(`${fleet().url}/clusters/${cluster.spec.id}`);
      expect(cluster.kubeconfig).toContain(`server: ${cluster.apiUrl}`);
    }
  });

  test('lists nodes with the CPU, OS and accelerator facts of each profile', async () => {
    const nodesOf = async (id: string) => (await clients(clusterOf(fleet(), id)).core.listNode()).items;
    const x86 = await nodesOf('gz-prod-x86');
    const vendors = new Set(
      x86.map((n) => n.metadata?.labels?.['feature.node.kubernetes.io/cpu-model.vendor_id']),
    );
    expect(vendors).toEqual(new Set(['HygonGenuine', 'GenuineIntel']));
    expect(new Set(x86.map((n) => n.status?.nodeInfo?.osImage))).toEqual(
      new Set(['Kylin Linux Advanced Server V10 (Sword)', 'CentOS Linux 7 (Core)']),
    );
    expect(x86.every((n) => n.status?.nodeInfo?.architecture === 'amd64')).toBe(true);
    expect(x86.find((n) => n.metadata?.name?.startsWith('hygon'))?.metadata?.annotations).toMatchObject({
      'yunshu.io/cpu-model-name': 'Hygon C86 7285 32-core Processor',
    });

    const kunpeng = await nodesOf('gz-prod-kunpeng');
    for (const node of kunpeng) {
      expect(node.metadata?.labels).toMatchObject({
        'kubernetes.io/arch': 'arm64',
        'feature.node.kubernetes.io/cpu-model.vendor_id': 'Huawei',
        'feature.node.kubernetes.io/cpu-model.family': String(0x48),
        'feature.node.kubernetes.io/cpu-model.id': String(0xd01),
      });
      expect(node.status?.nodeInfo).toMatchObject({
        architecture: 'arm64',
        osImage: 'Kylin Linux Advanced Server V10 (Lance)',
        kernelVersion: '4.19.90-24.4.v2101.ky10.aarch64',
      });
    }
    expect(kunpeng.filter((n) => n.status?.capacity?.['huawei.com/Ascend910'] === '8')).toHaveLength(1);

    const phytium = await nodesOf('gy-city-phytium');
    expect(new Set(phytium.map((n) => n.metadata?.annotations?.['yunshu.io/cpu-midr']?.slice(0, 4)))).toEqual(
      new Set(['0x70']),
    );
    expect(phytium.every((n) => n.status?.nodeInfo?.osImage === 'UnionTech OS Server 20 Enterprise')).toBe(
      true,
    );
    expect(phytium.every((n) => n.status?.nodeInfo?.kernelVersion === '4.19.0-arm64-server')).toBe(true);
  });

  test('pages a list with limit and continue, and every page has the list resourceVersion', async () => {
    const { core } = clients(clusterOf(fleet(), 'gz-prod-x86'));
    const whole = await core.listPodForAllNamespaces();
    const pages = await listAllPods(core, 7);
    expect(pages.length).toBe(Math.ceil(whole.items.length / 7));
    expect(pages.flat().map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`)).toEqual(
      whole.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`),
    );
    const first = await core.listPodForAllNamespaces({ limit: 7 });
    expect(first.metadata?.remainingItemCount).toBe(whole.items.length - 7);
    expect(Number(whole.metadata?.resourceVersion)).toBeGreaterThan(0);
  });

  test('answers 410 Gone for a continue token older than the kept history', async () => {
    const { core } = clients(clusterOf(fleet(), 'gz-prod-x86'));
    const first = await core.listPodForAllNamespaces({ limit: 5 });
    fleet().compact('gz-prod-x86');
    const error = await core
      .listPodForAllNamespaces({ limit: 5, _continue: first.metadata?._continue })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<string>).code).toBe(410);
    expect(JSON.parse((error as ApiException<string>).body)).toMatchObject({
      kind: 'Status',
      reason: 'Expired',
    });
  });

  test('gets single objects by name, namespaced or not, and 404s like the apiserver', async () => {
    const { core } = clients(clusterOf(fleet(), 'gz-prod-kunpeng'));
    const [pod] = (await core.listNamespacedPod({ namespace: 'gzdsj-data', limit: 1 })).items;
    const name = pod?.metadata?.name as string;
    const again = await core.readNamespacedPod({ name, namespace: 'gzdsj-data' });
    expect(again.metadata?.uid).toBe(pod?.metadata?.uid);
    expect(again.kind).toBe('Pod');
    expect((await core.readNode({ name: 'kunpeng-01' })).metadata?.name).toBe('kunpeng-01');
    expect((await core.readNamespace({ name: 'gzwjw-health' })).metadata?.labels?.['gov.cn/tenant']).toBe(
      'gzwjw',
    );
    const missing = await core.readNamespacedPod({ name: 'nope', namespace: 'gzdsj-data' }).catch((e) => e);
    expect((missing as ApiException<string>).code).toBe(404);
    expect(JSON.parse((missing as ApiException<string>).body)).toMatchObject({
      reason: 'NotFound',
      code: 404,
    });
  });

  test('an amd64-only image crash-loops with "exec format error" on arm64 and runs on x86', async () => {
    const etlPods = async (id: string) =>
      (
        await clients(clusterOf(fleet(), id)).core.listNamespacedPod({
          namespace: 'gzdsj-data',
          labelSelector: 'app=etl-worker',
        })
      ).items;
    for (const id of ['gz-prod-kunpeng', 'gy-city-phytium']) {
      const pods = await etlPods(id);
      expect(pods.length).toBeGreaterThan(0);
      for (const pod of pods) {
        const [status] = pod.status?.containerStatuses ?? [];
        expect(status?.state?.waiting?.reason).toBe('CrashLoopBackOff');
        expect(status?.lastState?.terminated?.message).toContain('exec format error');
        expect(status?.restartCount).toBeGreaterThanOrEqual(30);
        expect(status?.ready).toBe(false);
      }
    }
    const x86 = await etlPods('gz-prod-x86');
    expect(x86.length).toBeGreaterThan(0);
    expect(
      x86.every((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.state?.running),
    ).toBe(true);
  });

  test('filters events by field selector, as the collector asks for Warnings', async () => {
    const { core } = clients(clusterOf(fleet(), 'gz-prod-kunpeng'));
    const warnings = await core.listEventForAllNamespaces({ fieldSelector: 'type=Warning' });
    const notNormal = await core.listEventForAllNamespaces({ fieldSelector: 'type!=Normal' });
    expect(warnings.items.length).toBeGreaterThan(0);
    expect(notNormal.items.map((e) => e.metadata?.name)).toEqual(warnings.items.map((e) => e.metadata?.name));
    expect(new Set(warnings.items.map((e) => e.reason))).toEqual(new Set(['BackOff', 'FailedScheduling']));
    const scheduling = warnings.items.find((e) => e.reason === 'FailedScheduling');
    expect(scheduling?.message).toContain('Insufficient huawei.com/Ascend910');
    const bad = await core.listEventForAllNamespaces({ fieldSelector: 'colour=blue' }).catch((e) => e);
    expect((bad as ApiException<string>).code).toBe(400);
  });

  test('objects look like the apiserver’s: managedFields, demo label, owner chain pod → ReplicaSet → Deployment', async () => {
    const { core, apps } = clients(clusterOf(fleet(), 'gz-prod-x86'));
    const pods = (
      await core.listNamespacedPod({ namespace: 'gzgat-app', labelSelector: 'app=case-mgmt-api' })
    ).items;
    const pod = pods[0] as V1Pod;
    expect(pod.metadata?.managedFields?.length).toBeGreaterThan(0);
    expect(pod.metadata?.labels?.['yunshu.io/demo']).toBe('true');
    const [podOwner] = pod.metadata?.ownerReferences ?? [];
    expect(podOwner).toMatchObject({ kind: 'ReplicaSet', controller: true });
    const rs = await apps.readNamespacedReplicaSet({
      name: podOwner?.name as string,
      namespace: 'gzgat-app',
    });
    expect(rs.metadata?.uid).toBe(podOwner?.uid);
    const [rsOwner] = rs.metadata?.ownerReferences ?? [];
    const deployment = await apps.readNamespacedDeployment({
      name: rsOwner?.name as string,
      namespace: 'gzgat-app',
    });
    expect(deployment.metadata?.uid).toBe(rsOwner?.uid);
    expect(deployment.spec?.replicas).toBe(pods.length);
    expect(pod.spec?.containers[0]?.resources?.requests).toEqual({ cpu: '1', memory: '2Gi' });

    for (const list of [
      (await core.listNamespace()).items,
      (await core.listNode()).items,
      (await apps.listDaemonSetForAllNamespaces()).items,
      (await apps.listStatefulSetForAllNamespaces()).items,
      (await core.listEventForAllNamespaces()).items,
    ]) {
      expect(list.length).toBeGreaterThan(0);
      for (const object of list) expect(object.metadata?.labels?.['yunshu.io/demo']).toBe('true');
    }
    const tenants = (await core.listNamespace({ labelSelector: 'gov.cn/tenant' })).items;
    expect(tenants.map((n) => n.metadata?.labels?.['gov.cn/tenant']).sort()).toEqual([
      'gzdsj',
      'gzdsj',
      'gzgat',
    ]);
  });

  test('serves NetworkPolicies and RBAC bindings, including one risky cluster-admin binding', async () => {
    const { kc } = clients(clusterOf(fleet(), 'gz-prod-x86'));
    const policies = await kc.makeApiClient(NetworkingV1Api).listNetworkPolicyForAllNamespaces();
    expect(policies.items.map((p) => p.metadata?.name)).toContain('default-deny-all');
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    const risky = (await rbac.listClusterRoleBinding()).items.filter(
      (b) =>
        b.roleRef.name === 'cluster-admin' &&
        b.subjects?.some((s) => s.kind === 'ServiceAccount' && s.name === 'default'),
    );
    expect(risky.map((b) => b.metadata?.name)).toEqual(['ci-deployer-cluster-admin']);
    expect((await rbac.listRoleBindingForAllNamespaces()).items.length).toBeGreaterThan(0);
  });

  test('rejects a wrong bearer token with 401', async () => {
    const cluster = clusterOf(fleet(), 'gz-prod-x86');
    const kubeconfig = cluster.kubeconfig.replace(cluster.token, 'not-the-token');
    const error = await clients({ ...cluster, kubeconfig })
      .core.listNode()
      .catch((e) => e);
    // client-node reports 401 without the body; the Status is checked on the wire instead.
    expect((error as ApiException<string>).code).toBe(401);
    const response = await fetch(`${cluster.apiUrl}/api/v1/nodes`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });

  test('is deterministic for a seed and start time, and a different seed gives a different fleet', async () => {
    const snapshot = async (seed: number) => {
      const other = await startDemoFleet({ tickMs: 0, seed, startTime: START_TIME });
      try {
        const { core } = clients(clusterOf(other, 'gy-city-phytium'));
        other.tick();
        other.tick();
        return JSON.stringify([(await core.listNode()).items, (await core.listPodForAllNamespaces()).items]);
      } finally {
        await other.stop();
      }
    };
    const [a, b, c] = [await snapshot(11), await snapshot(11), await snapshot(12)];
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });
});
