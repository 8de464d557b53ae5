/**
 * Enrichment of incoming security events from the collected inventory: the cluster's cloud, the
 * namespace's tenant, the pod's workload owner and node, the node's CPU architecture. Lookups are
 * cached for a minute (the inventory changes slowly, events come by the thousand), and misses of a
 * batch are fetched together, one query per kind.
 */
import type { Cluster } from '../model/cluster.js';
import type { Namespace } from '../model/namespace.js';
import type { Node } from '../model/node.js';
import type { Pod } from '../model/pod.js';
import type { Collection, Store, StoredDoc } from '../store/port.js';
import type { NewSecurityEvent } from './normalize/index.js';

const TTL_MS = 60_000;
// Not found yet may mean not collected yet (a new pod): asked again soon.
const MISS_TTL_MS = 5_000;
const MAX_ENTRIES = 100_000;

type Found<T> = { value: T | undefined; at: number };

/** A small TTL cache over one inventory collection, keyed by a string of the lookup fields. */
class Lookup<T extends StoredDoc> {
  private readonly entries = new Map<string, Found<T>>();

  constructor(
    private readonly collection: Collection<T>,
    private readonly now: () => number,
  ) {}

  get(key: string): T | undefined {
    return this.entries.get(key)?.value;
  }

  /** Fetches the keys not cached (or expired): `filters` maps each key to its equality filter. */
  async load(filters: Map<string, Record<string, string>>): Promise<void> {
    const now = this.now();
    const missing = [...filters].filter(([key]) => {
      const hit = this.entries.get(key);
      return !hit || now - hit.at > (hit.value ? TTL_MS : MISS_TTL_MS);
    });
    if (this.entries.size + missing.length > MAX_ENTRIES) this.entries.clear();
    await Promise.all(
      missing.map(async ([key, filter]) => {
        const page = await this.collection.find({ filter, limit: 1 });
        this.entries.set(key, { value: page.items[0], at: now });
      }),
    );
  }
}

export class InventoryEnricher {
  private readonly clusters: Lookup<Cluster>;
  private readonly namespaces: Lookup<Namespace>;
  private readonly pods: Lookup<Pod>;
  private readonly nodes: Lookup<Node>;

  constructor(store: Store, now: () => number = Date.now) {
    this.clusters = new Lookup(store.collection<Cluster>('clusters'), now);
    this.namespaces = new Lookup(store.collection<Namespace>('namespaces'), now);
    this.pods = new Lookup(store.collection<Pod>('pods'), now);
    this.nodes = new Lookup(store.collection<Node>('nodes'), now);
  }

  /** Fills in cloud, tenant, workload owner, node and node arch where the inventory knows them. */
  async enrich(events: NewSecurityEvent[]): Promise<void> {
    const clusterKeys = new Map<string, Record<string, string>>();
    const namespaceKeys = new Map<string, Record<string, string>>();
    const podKeys = new Map<string, Record<string, string>>();
    for (const { k8s } of events) {
      if (!k8s) continue;
      clusterKeys.set(k8s.clusterId, { id: k8s.clusterId });
      if (k8s.namespace) {
        namespaceKeys.set(`${k8s.clusterId}/${k8s.namespace}`, {
          clusterId: k8s.clusterId,
          name: k8s.namespace,
        });
        if (k8s.pod)
          podKeys.set(`${k8s.clusterId}/${k8s.namespace}/${k8s.pod}`, {
            clusterId: k8s.clusterId,
            namespace: k8s.namespace,
            name: k8s.pod,
          });
      }
    }
    await Promise.all([
      this.clusters.load(clusterKeys),
      this.namespaces.load(namespaceKeys),
      this.pods.load(podKeys),
    ]);

    const nodeKeys = new Map<string, Record<string, string>>();
    for (const { k8s } of events) {
      if (!k8s) continue;
      const node = k8s.node ?? this.podOf(k8s)?.nodeName;
      if (node) nodeKeys.set(`${k8s.clusterId}/${node}`, { clusterId: k8s.clusterId, name: node });
    }
    await this.nodes.load(nodeKeys);

    for (const event of events) {
      const k8s = event.k8s;
      if (!k8s) continue;
      const cluster = this.clusters.get(k8s.clusterId);
      if (cluster && !k8s.cloudId) k8s.cloudId = cluster.cloudId;
      if (k8s.namespace && event.tenantId === undefined) {
        const tenantId = this.namespaces.get(`${k8s.clusterId}/${k8s.namespace}`)?.tenantId;
        if (tenantId) event.tenantId = tenantId;
      }
      const pod = this.podOf(k8s);
      if (pod?.owner && !k8s.workloadName) {
        k8s.workloadKind = pod.owner.kind;
        k8s.workloadName = pod.owner.name;
      }
      if (!k8s.node && pod?.nodeName) k8s.node = pod.nodeName;
      const node = k8s.node ? this.nodes.get(`${k8s.clusterId}/${k8s.node}`) : undefined;
      if (node && !k8s.nodeArch) k8s.nodeArch = node.arch;
    }
  }

  private podOf(k8s: NonNullable<NewSecurityEvent['k8s']>): Pod | undefined {
    return k8s.namespace && k8s.pod
      ? this.pods.get(`${k8s.clusterId}/${k8s.namespace}/${k8s.pod}`)
      : undefined;
  }
}
