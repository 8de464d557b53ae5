/**
 * Collection inside the server process: the Kubernetes fleet collector and the Prometheus usage
 * scheduler over the cluster registry, writing into the store. Usage snapshots become `usage`
 * documents (one per node and namespace), keyed so that each refresh overwrites the last. Both follow
 * the cluster leases this process holds (ClusterShards), so that several workers split the fleet.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { FleetCollector } from '../../collectors/kubernetes/fleet-collector.js';
import { SecurityReportsPuller } from '../../collectors/kubernetes/security-reports.js';
import { resourceKinds } from '../../collectors/kubernetes/resources.js';
import { TenantResolver } from '../../collectors/kubernetes/tenant-resolver.js';
import { PromClient } from '../../collectors/prometheus/client.js';
import type { Sample } from '../../collectors/prometheus/sample.js';
import { UsageScheduler, type ClusterUsageStatus } from '../../collectors/prometheus/scheduler.js';
import { UsageCollector, type UsageSnapshot } from '../../collectors/prometheus/usage.js';
import { ClusterShards } from '../coordination/cluster-shards.js';
import { MemoryLeaseStore } from '../coordination/memory-lease-store.js';
import type { Logger } from '../logger.js';
import type { NewSecurityEvent } from '../ingest/normalize/index.js';
import type { Cluster } from '../model/cluster.js';
import type { Usage } from '../model/usage.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { findAll } from '../store/find-all.js';
import type { Store } from '../store/port.js';

export interface CollectionOptions {
  store: Store;
  secrets: SecretStore;
  logger: Logger;
  usageIntervalMs?: number;
  syncMs?: number;
  /** Which clusters this process collects; default: in-process leases, i.e. all of them. */
  shards?: ClusterShards;
  /**
   * Where findings pulled from the clusters go (Trivy-operator reports): the security pipeline of an
   * app process. Without it (a collect-only worker) the reports are not pulled.
   */
  securityEvents?: (clusterId: string, events: NewSecurityEvent[]) => Promise<void>;
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
  readonly shards: ClusterShards;
  private readonly prometheusOf = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private rebalancing: Promise<void> = Promise.resolve();
  /** The owned clusters the fleet and usage scheduler were last brought in line with. */
  private applied = '';

  constructor(private readonly options: CollectionOptions) {
    const { store, secrets, logger } = options;
    this.tenants = new TenantResolver(store);
    this.shards = options.shards ?? new ClusterShards({ leases: new MemoryLeaseStore() });
    this.shards.onChange = (change) =>
      logger.info({ owner: this.shards.owner, ...change }, 'cluster ownership changed');
    this.fleet = new FleetCollector(store, secrets, () => resourceKinds(this.tenants), {
      ...(options.syncMs ? { syncMs: options.syncMs } : {}),
      owns: (clusterId) => this.shards.owns(clusterId),
      onError: (clusterId, error) => logger.warn({ clusterId, err: error }, 'collection error'),
      ...(options.securityEvents
        ? {
            companions: (clusterId: string, kc: KubeConfig) => [
              new SecurityReportsPuller(
                clusterId,
                kc,
                (events) => options.securityEvents!(clusterId, events),
                {
                  tenantOf: this.tenants.tenantOf,
                  logger: logger.child({ clusterId }),
                },
              ),
            ],
          }
        : {}),
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
    await this.reshard();
    await this.fleet.start();
    await this.syncUsage();
    this.applied = this.shards.owned().join();
    // Renews our leases and takes over those of dead workers; collectors follow only on a change.
    this.timer = setInterval(() => {
      this.rebalancing = this.rebalancing.then(() => this.rebalance());
    }, this.shards.renewMs);
    this.timer.unref();
  }

  /** After a registry change: leases, collectors and usage sources follow the clusters. */
  async refresh(): Promise<void> {
    await this.tenants.refresh(true);
    await this.reshard();
    await this.fleet.refresh();
    await this.syncUsage();
    this.applied = this.shards.owned().join();
  }

  private async rebalance(): Promise<void> {
    await this.reshard();
    // Also catches leases that lapsed locally because renewals failed (lease store unreachable).
    if (this.shards.owned().join() === this.applied) return;
    await this.fleet.refresh();
    await this.syncUsage().catch((error: unknown) =>
      this.options.logger.warn({ err: error }, 'usage collection sync failed'),
    );
    this.applied = this.shards.owned().join();
  }

  /** A lease store outage is logged, not thrown: held leases lapse and collection stops until it is back. */
  private async reshard(): Promise<void> {
    try {
      await this.shards.sync((await this.clusters()).map((c) => c.id));
    } catch (error) {
      this.options.logger.warn({ err: error, owner: this.shards.owner }, 'cluster lease sync failed');
    }
  }

  private clusters(): Promise<Cluster[]> {
    return findAll(this.options.store.collection<Cluster>('clusters'));
  }

  private async syncUsage(): Promise<void> {
    const clusters = (await this.clusters()).filter((c) => c.prometheus?.url && this.shards.owns(c.id));
    const wanted = new Map(clusters.map((c) => [c.id, c.prometheus!.url]));
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
    clearInterval(this.timer);
    await this.rebalancing;
    await this.usage.stop();
    await this.fleet.stop();
    // Only now that nothing here collects may another worker take the clusters over.
    await this.shards
      .stop()
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'releasing cluster leases failed'));
  }
}
