/**
 * The demo fleet for a fresh `npm start`: starts the simulator on loopback and registers its clouds,
 * clusters and tenants like any others (kubeconfig sealed, real collectors), so the console shows a
 * live mixed-arch fleet with no cluster at hand. Everything it creates is labelled as demo data.
 */
import { DEMO_TENANTS, defaultDemoClusters } from '../../collectors/demo-fleet/catalogue.js';
import { startDemoFleet } from '../../collectors/demo-fleet/index.js';
import type { DemoFleet } from '../../collectors/demo-fleet/types.js';
import { kubeconfigRef, type StoredKubeconfig } from '../../collectors/kubernetes/fleet-collector.js';
import { loadKubeconfig } from '../../collectors/kubernetes/kubeconfig.js';
import type { Cloud } from '../model/cloud.js';
import type { Cluster } from '../model/cluster.js';
import type { Tenant } from '../model/tenant.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { Store } from '../store/port.js';

export const DEMO_LABEL = { 'yunshu.io/demo': 'true' };

/** Whether any cluster other than the demo's is registered (then the demo stays off). */
export async function hasRealClusters(store: Store): Promise<boolean> {
  const clusters = (await store.collection<Cluster>('clusters').find({ limit: 1000 })).items;
  return clusters.some((c) => c.labels['yunshu.io/demo'] !== 'true');
}

const CLOUD_DETAILS: Record<
  string,
  Pick<Cloud, 'site' | 'networkZone' | 'providerHint' | 'carrier' | 'drRole'>
> = {
  provincial: {
    site: '贵安数据中心',
    networkZone: 'egov_extranet',
    providerHint: 'huawei',
    carrier: '中国电信',
    drRole: 'primary',
  },
  city: {
    site: '贵阳市云计算中心',
    networkZone: 'egov_extranet',
    providerHint: 'inspur',
    carrier: '中国联通',
    drRole: 'primary',
  },
};

export async function seedDemoFleet(
  store: Store,
  secrets: SecretStore,
  options: { tickMs?: number } = {},
): Promise<DemoFleet> {
  const fleet = await startDemoFleet({ clusters: defaultDemoClusters(), tickMs: options.tickMs ?? 5_000 });
  await registerDemoFleet(store, secrets, fleet);
  return fleet;
}

/** Registers a running demo fleet's clouds, clusters and tenants (benchmarks size their own fleet). */
export async function registerDemoFleet(store: Store, secrets: SecretStore, fleet: DemoFleet): Promise<void> {
  for (const tenant of DEMO_TENANTS)
    await store.collection<Tenant>('tenants').upsert({
      id: `demo-${tenant.code}`,
      schemaVersion: 1,
      name: tenant.name,
      code: tenant.code,
      regionCode: '520000',
      regionName: '贵州省',
      level: 'province',
      contacts: [],
      namespaces: [],
      namespaceSelector: { matchLabels: { 'gov.cn/tenant': tenant.code }, matchExpressions: [] },
      quotas: {},
      labels: DEMO_LABEL,
    });
  for (const cluster of fleet.clusters) {
    const { cloud } = cluster.spec;
    await store.collection<Cloud>('clouds').upsert({
      id: cloud.id,
      schemaVersion: 1,
      name: cloud.name,
      provider: cloud.provider,
      tier: cloud.tier,
      ...(CLOUD_DETAILS[cloud.tier] ?? CLOUD_DETAILS.provincial!),
      description: '演示数据 demo data',
      labels: DEMO_LABEL,
    });
    const { context, server } = loadKubeconfig(cluster.kubeconfig);
    // The simulator's port changes on every start: the sealed kubeconfig is rewritten each time.
    const secret = await secrets.put({
      id: `demo-${cluster.spec.id}-kubeconfig`,
      name: `demo-${cluster.spec.id}-kubeconfig`,
      kind: 'kubeconfig',
      value: JSON.stringify({ context, kubeconfig: cluster.kubeconfig } satisfies StoredKubeconfig),
    });
    await store.collection<Cluster>('clusters').upsert({
      id: cluster.spec.id,
      schemaVersion: 1,
      cloudId: cloud.id,
      name: cluster.spec.id,
      displayName: cluster.spec.name,
      apiServerUrl: server,
      credentialRef: kubeconfigRef(secret.id),
      prometheus: { url: cluster.prometheusUrl },
      labels: DEMO_LABEL,
      status: 'unknown',
    });
  }
}
