/**
 * Live usage of one cluster, read from its Prometheus, and the per-tenant roll-up across clusters.
 *
 * A metric a cluster does not export (no kube-state-metrics, no node_exporter on a node) is simply
 * absent from the snapshot; only a failing query fails the collection.
 */
import type { InstantSeries, PromClient, QueryResponse } from './client.js';
import { USAGE_QUERIES, type UsageQueryName } from './queries.js';
import type { Sample } from './sample.js';

export interface NodeUsage {
  /** 0–1. */
  cpuUtilisation?: Sample;
  /** 0–1: 1 − MemAvailable / MemTotal. */
  memoryUtilisation?: Sample;
  /** 0–1, of the fullest real filesystem. */
  diskUtilisation?: Sample;
  networkReceiveBytesPerSecond?: Sample;
  networkTransmitBytesPerSecond?: Sample;
}

export interface NamespaceRequests {
  cpuCores?: Sample;
  memoryBytes?: Sample;
}

/** Hard ResourceQuota limits; an absent field is unlimited. */
export interface NamespaceQuota {
  requestsCpuCores?: Sample;
  requestsMemoryBytes?: Sample;
  limitsCpuCores?: Sample;
  limitsMemoryBytes?: Sample;
  pods?: Sample;
}

export interface NamespaceUsage {
  cpuCores?: Sample;
  memoryBytes?: Sample;
  /** Present when kube-state-metrics reports requests for the namespace. */
  requests?: NamespaceRequests;
  /** Present when the namespace has a ResourceQuota (and kube-state-metrics runs). */
  quota?: NamespaceQuota;
}

export interface UsageSnapshot {
  clusterId: string;
  /** Evaluation time of every query in the snapshot, ISO 8601. */
  at: string;
  nodes: Map<string, NodeUsage>;
  namespaces: Map<string, NamespaceUsage>;
  /** Prometheus' warnings and ours (e.g. series without a node label), deduplicated. */
  warnings: string[];
}

/** Anything that produces a cluster's usage; the scheduler runs these. */
export interface UsageSource {
  readonly clusterId: string;
  collect(signal?: AbortSignal): Promise<UsageSnapshot>;
}

const NODE_FIELDS = {
  nodeCpuUtilisation: 'cpuUtilisation',
  nodeMemoryUtilisation: 'memoryUtilisation',
  nodeDiskUtilisation: 'diskUtilisation',
  nodeNetworkReceive: 'networkReceiveBytesPerSecond',
  nodeNetworkTransmit: 'networkTransmitBytesPerSecond',
} as const satisfies Partial<Record<UsageQueryName, keyof NodeUsage>>;

const REQUEST_FIELDS: Readonly<Record<string, keyof NamespaceRequests>> = {
  cpu: 'cpuCores',
  memory: 'memoryBytes',
};

// ResourceQuota accepts `cpu` and `memory` as the older spelling of `requests.cpu` / `requests.memory`.
const QUOTA_FIELDS: Readonly<Record<string, keyof NamespaceQuota>> = {
  'requests.cpu': 'requestsCpuCores',
  cpu: 'requestsCpuCores',
  'requests.memory': 'requestsMemoryBytes',
  memory: 'requestsMemoryBytes',
  'limits.cpu': 'limitsCpuCores',
  'limits.memory': 'limitsMemoryBytes',
  pods: 'pods',
};

/** The smaller of two limits that both apply; NaN never wins over a real limit. */
function tighter(current: Sample | undefined, next: Sample): Sample {
  if (current === undefined || Number.isNaN(current.value)) return next;
  return next.value < current.value ? next : current;
}

export class UsageCollector implements UsageSource {
  constructor(
    readonly clusterId: string,
    private readonly client: PromClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Runs every usage query at one instant; the first failure cancels the rest and rejects. */
  async collect(signal?: AbortSignal): Promise<UsageSnapshot> {
    const at = this.now();
    const siblings = new AbortController();
    const querySignal = signal ? AbortSignal.any([signal, siblings.signal]) : siblings.signal;
    const names = Object.keys(USAGE_QUERIES) as UsageQueryName[];
    const entries = await Promise.all(
      names.map(async (name) => {
        try {
          return [
            name,
            await this.client.instant(USAGE_QUERIES[name], { time: at, signal: querySignal }),
          ] as const;
        } catch (err) {
          siblings.abort();
          throw err;
        }
      }),
    );
    const results = Object.fromEntries(entries) as Record<UsageQueryName, QueryResponse<InstantSeries>>;

    const warnings = new Set(entries.flatMap(([, response]) => response.warnings));
    const unlabelled = (name: UsageQueryName, label: string) =>
      warnings.add(
        `${name}: a series has no "${label}" label and was left out; check the scrape relabelling`,
      );

    const nodes = new Map<string, NodeUsage>();
    for (const [name, field] of Object.entries(NODE_FIELDS) as [UsageQueryName, keyof NodeUsage][]) {
      for (const { labels, sample } of results[name].series) {
        if (labels.node === undefined) {
          unlabelled(name, 'node');
          continue;
        }
        const usage = nodes.get(labels.node) ?? {};
        usage[field] = sample;
        nodes.set(labels.node, usage);
      }
    }

    const namespaces = new Map<string, NamespaceUsage>();
    const namespaceOf = (name: UsageQueryName, labels: Readonly<Record<string, string>>) => {
      if (labels.namespace === undefined) {
        unlabelled(name, 'namespace');
        return undefined;
      }
      const usage = namespaces.get(labels.namespace) ?? {};
      namespaces.set(labels.namespace, usage);
      return usage;
    };
    for (const { labels, sample } of results.namespaceCpuCores.series) {
      const usage = namespaceOf('namespaceCpuCores', labels);
      if (usage) usage.cpuCores = sample;
    }
    for (const { labels, sample } of results.namespaceMemoryBytes.series) {
      const usage = namespaceOf('namespaceMemoryBytes', labels);
      if (usage) usage.memoryBytes = sample;
    }
    for (const { labels, sample } of results.namespaceRequests.series) {
      const field = REQUEST_FIELDS[labels.resource ?? ''];
      const usage = field && namespaceOf('namespaceRequests', labels);
      if (field && usage) (usage.requests ??= {})[field] = sample;
    }
    for (const { labels, sample } of results.namespaceQuota.series) {
      const field = QUOTA_FIELDS[labels.resource ?? ''];
      const usage = field && namespaceOf('namespaceQuota', labels);
      if (field && usage) {
        const quota = (usage.quota ??= {});
        quota[field] = tighter(quota[field], sample);
      }
    }

    return { clusterId: this.clusterId, at: at.toISOString(), nodes, namespaces, warnings: [...warnings] };
  }
}

export interface TenantUsage {
  tenantId: string;
  /** Sum over the tenant's namespaces in every cluster; non-finite samples are left out. */
  cpuCores: number;
  memoryBytes: number;
  /** Summed over the namespaces that report requests; absent when none does. */
  requests: { cpuCores?: number; memoryBytes?: number };
  /**
   * Summed hard quota; a field is present only when every namespace of the tenant has that quota,
   * because one namespace without it makes the tenant's total unlimited.
   */
  quota: { [K in keyof NamespaceQuota]?: number };
  /** Namespaces counted, across clusters. */
  namespaces: number;
  /** Clusters the counted namespaces are in, sorted. */
  clusters: string[];
}

/** A tenant's namespace in a cluster; undefined when the namespace belongs to no tenant. */
export type TenantOf = (clusterId: string, namespace: string) => string | undefined;

const finite = (sample: Sample | undefined): number | undefined =>
  sample !== undefined && Number.isFinite(sample.value) ? sample.value : undefined;

function addTo<K extends string>(
  totals: { [key in K]?: number },
  key: K,
  sample: Sample | undefined,
): boolean {
  const value = finite(sample);
  if (value === undefined) return false;
  totals[key] = (totals[key] ?? 0) + value;
  return true;
}

/** Sums namespace usage per tenant over snapshots of several clusters. */
export function rollupByTenant(
  snapshots: Iterable<UsageSnapshot>,
  tenantOf: TenantOf,
): Map<string, TenantUsage> {
  const tenants = new Map<string, TenantUsage & { quotaSeen: { [K in keyof NamespaceQuota]?: number } }>();
  for (const snapshot of snapshots) {
    for (const [namespace, usage] of snapshot.namespaces) {
      const tenantId = tenantOf(snapshot.clusterId, namespace);
      if (tenantId === undefined) continue;
      let tenant = tenants.get(tenantId);
      if (!tenant) {
        tenant = {
          tenantId,
          cpuCores: 0,
          memoryBytes: 0,
          requests: {},
          quota: {},
          namespaces: 0,
          clusters: [],
          quotaSeen: {},
        };
        tenants.set(tenantId, tenant);
      }
      tenant.namespaces++;
      if (!tenant.clusters.includes(snapshot.clusterId)) tenant.clusters.push(snapshot.clusterId);
      tenant.cpuCores += finite(usage.cpuCores) ?? 0;
      tenant.memoryBytes += finite(usage.memoryBytes) ?? 0;
      addTo(tenant.requests, 'cpuCores', usage.requests?.cpuCores);
      addTo(tenant.requests, 'memoryBytes', usage.requests?.memoryBytes);
      for (const field of Object.keys(usage.quota ?? {}) as (keyof NamespaceQuota)[]) {
        if (addTo(tenant.quota, field, usage.quota?.[field])) {
          tenant.quotaSeen[field] = (tenant.quotaSeen[field] ?? 0) + 1;
        }
      }
    }
  }
  const result = new Map<string, TenantUsage>();
  for (const [tenantId, { quotaSeen, ...tenant }] of tenants) {
    for (const field of Object.keys(tenant.quota) as (keyof NamespaceQuota)[]) {
      if (quotaSeen[field] !== tenant.namespaces) delete tenant.quota[field];
    }
    tenant.clusters.sort();
    result.set(tenantId, tenant);
  }
  return result;
}
