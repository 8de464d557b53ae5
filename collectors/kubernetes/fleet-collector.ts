/**
 * Runs one ClusterCollector per registered cluster, each with its own KubeConfig built from the
 * cluster's sealed kubeconfig, and keeps each cluster document's status current. Registry changes
 * are picked up on refresh() (called by the cluster routes) and on a slow periodic sync, which also
 * covers clusters registered through another replica.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import type { Cluster } from '../../server/model/cluster.js';
import type { SecretStore } from '../../server/secrets/secret-store.js';
import { findAll } from '../../server/store/find-all.js';
import type { Store } from '../../server/store/port.js';
import { ClusterCollector, type ClusterCollectorOptions, type ClusterHealth } from './cluster-collector.js';
import { InventorySink } from './inventory-sink.js';
import { loadKubeconfig, type LoadedKubeconfig } from './kubeconfig.js';
import type { ResourceKind } from './resources.js';

export interface FleetCollectorOptions {
  syncMs?: number;
  cluster?: ClusterCollectorOptions;
  /** Only collect clusters this process owns (sharding across workers); default: all. */
  owns?: (clusterId: string) => boolean;
  onError?: (clusterId: string, error: unknown) => void;
  /**
   * Other per-cluster pullers that share the collector's credentials and lifecycle (e.g. the
   * Trivy-operator reports): started with the cluster's collector, stopped with it.
   */
  companions?: (clusterId: string, kc: KubeConfig) => Companion[];
}

export interface Companion {
  start(): void;
  stop(): Promise<void>;
}

/** `secret:<id>` is how a cluster points at its sealed kubeconfig. */
export const kubeconfigRef = (secretId: string): string => `secret:${secretId}`;
export const secretIdOf = (ref: string): string | undefined => /^secret:(.+)$/.exec(ref)?.[1];
/** The cluster Yunshu itself runs in, reached with its pod's service account. */
export const IN_CLUSTER_REF = 'incluster:serviceaccount';

const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** A KubeConfig from the pod's service account (token and CA mounted by Kubernetes). */
export function inClusterKubeconfig(): KubeConfig {
  // client-node builds a config even outside a pod; it would only fail on the first request.
  if (!process.env.KUBERNETES_SERVICE_HOST || !existsSync(SERVICE_ACCOUNT_TOKEN))
    throw new Error('not running in a Kubernetes pod (no service account mounted)');
  const kc = new KubeConfig();
  kc.loadFromCluster();
  return kc;
}

/** What the sealed secret holds: the kubeconfig as given and the context chosen at registration. */
export interface StoredKubeconfig {
  context: string;
  kubeconfig: string;
}

export async function revealKubeconfig(secrets: SecretStore, secretId: string): Promise<LoadedKubeconfig> {
  const stored = JSON.parse((await secrets.reveal(secretId)).toString('utf8')) as StoredKubeconfig;
  return loadKubeconfig(stored.kubeconfig, stored.context);
}

export class FleetCollector {
  private readonly running = new Map<
    string,
    { collector: ClusterCollector; companions: Companion[]; fingerprint: string }
  >();
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> = Promise.resolve();
  readonly sink: InventorySink;

  constructor(
    private readonly store: Store,
    private readonly secrets: SecretStore,
    private readonly kinds: (clusterId: string) => readonly ResourceKind[],
    private readonly options: FleetCollectorOptions = {},
  ) {
    this.sink = new InventorySink(store);
    this.sink.onError = (error) => options.onError?.('*', error);
  }

  private get clusters() {
    return this.store.collection<Cluster>('clusters');
  }

  start(): Promise<void> {
    this.timer = setInterval(() => void this.refresh(), this.options.syncMs ?? 15_000);
    this.timer.unref();
    return this.refresh();
  }

  /** Starts, restarts or stops collectors so that they match the cluster registry. */
  refresh(): Promise<void> {
    this.syncing = this.syncing
      .then(() => this.sync())
      .catch((error: unknown) => this.options.onError?.('*', error));
    return this.syncing;
  }

  health(clusterId: string): ClusterHealth | undefined {
    return this.running.get(clusterId)?.collector.current();
  }

  private async sync(): Promise<void> {
    const wanted = new Map<string, Cluster>();
    for (const cluster of await findAll(this.clusters))
      if (this.options.owns?.(cluster.id) ?? true) wanted.set(cluster.id, cluster);

    for (const [id, entry] of this.running)
      if (!wanted.has(id) || wanted.get(id)!.credentialRef !== entry.fingerprint) {
        this.running.delete(id);
        await Promise.all([entry.collector.stop(), ...entry.companions.map((c) => c.stop())]);
      }
    for (const cluster of wanted.values()) {
      if (this.running.has(cluster.id)) continue;
      try {
        await this.launch(cluster);
      } catch (error) {
        await this.report(cluster.id, {
          status: 'unreachable',
          message: (error as Error).message,
          resources: {},
        });
        this.options.onError?.(cluster.id, error);
      }
    }
  }

  private async launch(cluster: Cluster): Promise<void> {
    const secretId = secretIdOf(cluster.credentialRef);
    let kc: KubeConfig;
    if (cluster.credentialRef === IN_CLUSTER_REF) kc = inClusterKubeconfig();
    else if (secretId) kc = (await revealKubeconfig(this.secrets, secretId)).kc;
    else
      throw new Error(`credentials ${cluster.credentialRef} are neither a stored kubeconfig nor in-cluster`);
    const collector = new ClusterCollector(
      cluster.id,
      kc,
      this.kinds(cluster.id),
      this.sink,
      this.options.cluster,
    );
    collector.onHealth((health) => void this.report(cluster.id, health));
    const companions = this.options.companions?.(cluster.id, kc) ?? [];
    this.running.set(cluster.id, { collector, companions, fingerprint: cluster.credentialRef });
    void collector.start();
    for (const companion of companions) companion.start();
  }

  private async report(clusterId: string, health: ClusterHealth): Promise<void> {
    try {
      await this.clusters.update(clusterId, {
        status: health.status,
        statusMessage: health.message?.slice(0, 2000),
        ...(health.lastSeenAt ? { lastSeenAt: health.lastSeenAt } : {}),
        ...(health.kubernetesVersion ? { kubernetesVersion: health.kubernetesVersion } : {}),
      });
    } catch (error) {
      // The cluster was deleted meanwhile; the next sync stops its collector.
      this.options.onError?.(clusterId, error);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.syncing;
    await Promise.all(
      [...this.running.values()].flatMap(({ collector, companions }) => [
        collector.stop(),
        ...companions.map((c) => c.stop()),
      ]),
    );
    this.running.clear();
    await this.sink.close();
  }
}
