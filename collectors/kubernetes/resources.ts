/**
 * The Kubernetes resources Yunshu collects, each with where it lives in the API, which collection
 * it feeds, and how one object becomes a model document (undefined: not kept).
 */
import type { V1NetworkPolicy, V1Namespace, V1Node, V1Pod } from '@kubernetes/client-node';
import type { StoredDoc } from '../../server/store/port.js';
import type { RawObject } from './list-watch.js';
import {
  kubeEventFrom,
  namespaceFrom,
  networkPolicyFrom,
  nodeFrom,
  podFrom,
  roleBindingFrom,
  workloadFrom,
} from './normalize/index.js';
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

const BINDINGS = [
  ['RoleBinding', '/apis/rbac.authorization.k8s.io/v1/rolebindings'],
  ['ClusterRoleBinding', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings'],
] as const;

/**
 * The kinds collected for a cluster. Raw JSON from the API server matches the client's V1 types
 * except that timestamps stay strings and fields the client renames keep their wire names (a
 * NetworkPolicy rule's `from`), which the normalizers accept.
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
    {
      name: 'networkpolicies',
      path: '/apis/networking.k8s.io/v1/networkpolicies',
      collection: 'network_policies',
      normalize: async (clusterId, object) =>
        networkPolicyFrom(clusterId, object as V1NetworkPolicy, tenants.tenantOf) as Doc,
    },
    ...BINDINGS.map(([kind, path]): ResourceKind => ({
      name: `${kind.toLowerCase()}s`,
      path,
      collection: 'role_bindings',
      scope: { kind },
      normalize: async (clusterId, object) =>
        roleBindingFrom(clusterId, kind, object as never, tenants.tenantOf) as Doc,
    })),
    {
      // Normal events are many and say little; Warning ones (BackOff, FailedScheduling...) are kept.
      name: 'events',
      path: '/api/v1/events',
      fieldSelector: 'type=Warning',
      collection: 'kube_events',
      normalize: async (clusterId, object) =>
        kubeEventFrom(clusterId, object as never, tenants.tenantOf) as Doc | undefined,
    },
  ];
}
