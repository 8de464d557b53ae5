/**
 * The Kubernetes resources Yunshu collects, each with where it lives in the API, which collection
 * it feeds, and how one object becomes a model document (undefined: not kept).
 */
import type { V1Namespace, V1Node, V1Pod } from '@kubernetes/client-node';
import type { StoredDoc } from '../../server/store/port.js';
import type { RawObject } from './list-watch.js';
import { namespaceFrom, nodeFrom, podFrom, workloadFrom } from './normalize/index.js';
import type { TenantResolver } from './tenant-resolver.js';

type Doc = Omit<StoredDoc, 'version' | 'createdAt' | 'updatedAt'> & Record<string, unknown>;

export interface ResourceKind {
  name: string;
  /** API path of the collection across all namespaces. */
  path: string;
  fieldSelector?: string;
  collection: string;
  /** Extra filter identifying this kind's documents in a shared collection (e.g. workloads). */
  scope?: Record<string, string>;
  /** Other kinds wait for this one's first list (namespaces: tenants resolve through their labels). */
  primes?: boolean;
  normalize(clusterId: string, object: RawObject): Promise<Doc | undefined>;
}

const WORKLOADS = [
  ['Deployment', '/apis/apps/v1/deployments'],
  ['StatefulSet', '/apis/apps/v1/statefulsets'],
  ['DaemonSet', '/apis/apps/v1/daemonsets'],
] as const;

/**
 * The kinds collected for a cluster. Raw JSON from the API server matches the client's V1 types
 * except that timestamps stay strings, which the normalizers accept.
 */
export function resourceKinds(tenants: TenantResolver): ResourceKind[] {
  return [
    {
      name: 'namespaces',
      path: '/api/v1/namespaces',
      collection: 'namespaces',
      primes: true,
      normalize: async (clusterId, object) => {
        const ns = object as V1Namespace;
        await tenants.refresh();
        tenants.rememberNamespace(clusterId, ns.metadata?.name ?? '', ns.metadata?.labels ?? {});
        return namespaceFrom(clusterId, ns, tenants.tenantOf) as Doc;
      },
    },
    {
      name: 'nodes',
      path: '/api/v1/nodes',
      collection: 'nodes',
      normalize: async (clusterId, object) => nodeFrom(clusterId, object as V1Node) as Doc,
    },
    ...WORKLOADS.map(([kind, path]): ResourceKind => ({
      name: kind,
      path,
      collection: 'workloads',
      scope: { kind },
      normalize: async (clusterId, object) =>
        workloadFrom(clusterId, kind, object as never, tenants.tenantOf) as Doc,
    })),
    {
      name: 'pods',
      path: '/api/v1/pods',
      collection: 'pods',
      normalize: async (clusterId, object) => podFrom(clusterId, object as V1Pod, tenants.tenantOf) as Doc,
    },
  ];
}
