/**
 * Collection inside the server process: the Kubernetes fleet collector and the Prometheus usage
 * scheduler over the cluster registry, writing into the store. Usage snapshots become `usage`
 * documents (one per node and namespace), keyed so that each refresh overwrites the last.
 */
import { FleetCollector } from '../../collectors/kubernetes/fleet-collector.js';
import { resourceKinds } from '../../collectors/kubernetes/resources.js';
import { TenantResolver } from '../../collectors/kubernetes/tenant-resolver.js';
import { PromClient } from '../../collectors/prometheus/client.js';
import type { Sample } from '../../collectors/prometheus/sample.js';
import { UsageScheduler, type ClusterUsageStatus } from '../../collectors/prometheus/scheduler.js';
import { UsageCollector, type UsageSnapshot } from '../../collectors/prometheus/usage.js';
import type { Logger } from '../logger.js';
import type { Cluster } from '../model/cluster.js';
import type { Usage } from '../model/usage.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { Store } from '../store/port.js';

export interface CollectionOptions {
  store: Store;
  secrets: SecretStore;
  logger: Logger;
  usageIntervalMs?: number;
  syncMs?: number;
}

type Metrics = Usage['metrics'];

/** Flattens nested usage (requests.cpuCores) into metric names, keeping Prometheus' raw text. */
function metricsOf(usage: object, prefix = ''): Metrics {
  const out: Metrics = {};
  for (const [key, value] of Object.entries(usage)) {
    if (value && typeof value === 'object' && 'raw' in value) {
      const sample = value as Sample;
      out[`${prefix}${key}`] = {
        value: Number.isFinite(sample.value) ? sample.value : null,
        raw: sample.raw,
      };
    } else if (value && typeof value === 'object') Object.assign(out, metricsOf(value, `${prefix}${key}.`));
  }
  return out;
}

export class CollectionRuntime {
  readonly tenants: TenantResolver;
  readonly fleet: FleetCollector;
  readonly usage: UsageScheduler;
  private readonly prometheusOf = new Map<string, string>();

  constructor(private readonly options: CollectionOptions) {
    const { store, secrets, logger } = options;
    this.tenants = new TenantResolver(store);
    this.fleet = new FleetCollector(store, secrets, () => resourceKinds(this.tenants), {
      ...(options.syncMs ? { syncMs: options.syncMs } : {}),
      onError: (clusterId, error) => logger.warn({ clusterId, err: error }, 'collection error'),
    });
    this.usage = new UsageScheduler({
      ...(options.usageIntervalMs ? { intervalMs: options.usageIntervalMs } : {}),
      onSnapshot: (snapshot) => this.store(snapshot),
      onStateChange: (status: ClusterUsageStatus) =>
        logger.info(
          { clusterId: status.clusterId, state: status.state, error: status.lastError },
          'usage collection state',
        ),
    });
  }

  async start(): Promise<void> {
    await this.tenants.refresh(true);
    await this.fleet.start();
    await this.syncUsage();
  }

  /** After a registry change: collectors and usage sources follow the clusters. */
  async refresh(): Promise<void> {
    await this.tenants.refresh(true);
    await this.fleet.refresh();
    await this.syncUsage();
  }

  private async syncUsage(): Promise<void> {
    const clusters = (await this.options.store.collection<Cluster>('clusters').find({ limit: 1000 })).items;
    const wanted = new Map(clusters.filter((c) => c.prometheus?.url).map((c) => [c.id, c.prometheus!.url]));
    for (const [id, url] of this.prometheusOf)
      if (wanted.get(id) !== url) {
        this.prometheusOf.delete(id);
        await this.usage.remove(id);
      }
    for (const [id, url] of wanted) {
      if (this.prometheusOf.has(id)) continue;
      this.prometheusOf.set(id, url);
      await this.usage.add(new UsageCollector(id, new PromClient({ endpoint: url })));
    }
  }

  private async store(snapshot: UsageSnapshot): Promise<void> {
    const usage = this.options.store.collection<Usage>('usage');
    const write = (kind: 'node' | 'namespace', name: string, metrics: Metrics, tenantId?: string) =>
      usage.upsert({
        id: `${snapshot.clusterId}/${kind}/${name}`,
        schemaVersion: 1,
        clusterId: snapshot.clusterId,
        kind,
        name,
        ...(tenantId ? { tenantId } : {}),
        at: snapshot.at,
        metrics,
      });
    for (const [name, node] of snapshot.nodes) await write('node', name, metricsOf(node));
    for (const [name, namespace] of snapshot.namespaces)
      await write('namespace', name, metricsOf(namespace), this.tenants.tenantOf(snapshot.clusterId, name));
  }

  async stop(): Promise<void> {
    await this.usage.stop();
    await this.fleet.stop();
  }
}
