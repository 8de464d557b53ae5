/**
 * The fleet as cloud ops see it: nodes with CPU family and OS, namespaces, workloads, pods,
 * NetworkPolicies, RBAC bindings and Warning events (read-only), and the one-screen summary by
 * cloud / arch / CPU vendor / OS. Tenant users see their tenant's objects only (the scoped store
 * does it); nodes and ClusterRoleBindings are platform objects.
 */
import { HttpError } from '../http/errors.js';
import { defineRoute, type RouteSpec } from '../http/route.js';
import type { Cluster } from '../model/cluster.js';
import { Arch } from '../model/fragments.js';
import { z } from '../model/common.js';
import { KubeEventSchema } from '../model/kube-event.js';
import { NamespaceSchema } from '../model/namespace.js';
import { NetworkPolicySchema } from '../model/network-policy.js';
import { CpuVendor, NodeSchema, OsFamily, type Node } from '../model/node.js';
import { PodSchema } from '../model/pod.js';
import { RoleBindingKind, RoleBindingSchema } from '../model/role-binding.js';
import { WorkloadKind, WorkloadSchema } from '../model/workload.js';
import type { ZodObject, ZodType } from 'zod';
import type { Filter, Scalar, Store } from '../store/port.js';
import { IdParams, PageQuery, pageSchema, pagingOptions } from './paging.js';
import { findAll } from '../store/find-all.js';
import {
  findArchMismatches,
  type ImagePlatformResolver,
} from '../../collectors/heterogeneity/arch-mismatch.js';
import { Severity } from '../model/fragments.js';
import type { Pod } from '../model/pod.js';
import type { Workload } from '../model/workload.js';

const Search = { q: z.string().max(128).optional().describe('Substring of the name') };

/** A query parameter that filters on a document field (by equality to its parsed value). */
type FieldFilter = [query: string, field: string, schema: ZodType];

/**
 * A paged inventory list, sorted by name: each filter is a query parameter bound to a
 * document field, and `q` searches the name.
 */
function inventoryList(spec: {
  path: string;
  summary: string;
  collection: string;
  schema: ZodObject;
  page: string;
  filters: FieldFilter[];
}): RouteSpec {
  const extra = Object.fromEntries(spec.filters.map(([query, , schema]) => [query, schema.optional()]));
  return defineRoute({
    method: 'get',
    path: spec.path,
    summary: spec.summary,
    tags: ['inventory'],
    permission: 'inventory:read',
    query: z.object({ ...PageQuery, ...Search, ...extra }),
    responses: {
      200: { description: `a page of ${spec.collection}`, schema: pageSchema(spec.schema, spec.page) },
    },
    handler: async ({ query, store }) => {
      const values = query as Record<string, unknown>;
      const filter: Record<string, Scalar | { contains: string }> = {};
      for (const [name, field] of spec.filters)
        if (values[name] !== undefined) filter[field] = values[name] as Scalar;
      if (typeof values.q === 'string' && values.q) filter.name = { contains: values.q };
      return {
        body: await store.collection(spec.collection).find({
          filter,
          sort: { field: 'name', dir: 'asc' },
          ...pagingOptions(values as { limit: number; cursor?: string }),
        }),
      };
    },
  });
}

const Name = z.string().max(253);
const Namespace: FieldFilter = ['namespace', 'namespace', Name];
const TenantFilter: FieldFilter = ['tenantId', 'tenantId', z.string().max(128)];
const ClusterFilter: FieldFilter = [
  'clusterId',
  'clusterId',
  z.string().max(256).describe('Only this cluster'),
];

const SummaryBucket = z.object({ key: z.string().nullable(), count: z.number().int() });
const InventorySummary = z
  .object({
    clusters: z.number().int(),
    nodes: z.number().int(),
    workloads: z.number().int(),
    pods: z.number().int(),
    byCloud: z.array(SummaryBucket).describe('Nodes per cloud'),
    byArch: z.array(SummaryBucket).describe('Nodes per CPU architecture'),
    byCpuVendor: z.array(SummaryBucket).describe('Nodes per CPU vendor (Kunpeng, Phytium, Hygon…)'),
    byOs: z.array(SummaryBucket).describe('Nodes per OS family (Kylin, UOS, openEuler…)'),
    clusterStatus: z.array(SummaryBucket).describe('Clusters per connection status'),
  })
  .openapi('InventorySummary');

const ArchMismatch = z
  .object({
    workloadId: z.string(),
    clusterId: z.string(),
    namespace: z.string(),
    kind: WorkloadKind,
    name: z.string(),
    images: z.array(z.string()),
    nodeArches: z.array(Arch).describe('Archs it runs on or may be scheduled on'),
    missingArches: z.array(Arch).describe('Archs the evidence says its images lack'),
    evidence: z.array(
      z.object({
        kind: z.enum(['exec-format-error', 'crashloop-on-one-arch-only', 'image-index-lacks-arch']),
        podId: z.string().optional(),
        arch: Arch,
        detail: z.string(),
      }),
    ),
    severity: Severity,
  })
  .openapi('ArchMismatch');

const buckets = async (store: Store, field: string) =>
  (await store.collection<Node>('nodes').countBy({}, [field])).map((g) => ({
    key: g.key[field] === null ? null : String(g.key[field]),
    count: g.count,
  }));

export function inventoryRoutes(deps: { imagePlatforms?: ImagePlatformResolver } = {}): RouteSpec[] {
  return [
    inventoryList({
      path: '/api/v1/nodes',
      summary: 'List nodes with arch, CPU vendor and OS',
      collection: 'nodes',
      schema: NodeSchema,
      page: 'NodePage',
      filters: [
        ClusterFilter,
        ['arch', 'arch', Arch],
        ['vendor', 'cpu.vendor', CpuVendor.describe('CPU vendor')],
        ['osFamily', 'osFamily', OsFamily],
      ],
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/nodes/:id',
      summary: 'One node',
      tags: ['inventory'],
      permission: 'inventory:read',
      params: IdParams,
      responses: { 200: { description: 'the node', schema: NodeSchema } },
      handler: async ({ params, store }) => {
        const node = await store.collection<Node>('nodes').get(params.id);
        if (!node) throw new HttpError(404, 'not found');
        return { body: node };
      },
    }),
    inventoryList({
      path: '/api/v1/namespaces',
      summary: 'List namespaces and the tenants that own them',
      collection: 'namespaces',
      schema: NamespaceSchema,
      page: 'NamespacePage',
      filters: [ClusterFilter, TenantFilter],
    }),
    inventoryList({
      path: '/api/v1/workloads',
      summary: 'List workloads (Deployments, StatefulSets, DaemonSets…)',
      collection: 'workloads',
      schema: WorkloadSchema,
      page: 'WorkloadPage',
      filters: [ClusterFilter, TenantFilter, Namespace, ['kind', 'kind', WorkloadKind]],
    }),
    inventoryList({
      path: '/api/v1/pods',
      summary: 'List pods',
      collection: 'pods',
      schema: PodSchema,
      page: 'PodPage',
      filters: [
        ClusterFilter,
        TenantFilter,
        Namespace,
        ['nodeName', 'nodeName', Name],
        ['phase', 'phase', z.string().max(32)],
      ],
    }),
    inventoryList({
      path: '/api/v1/network-policies',
      summary: 'List NetworkPolicies with their selectors and rule summaries',
      collection: 'network_policies',
      schema: NetworkPolicySchema,
      page: 'NetworkPolicyPage',
      filters: [ClusterFilter, TenantFilter, Namespace],
    }),
    inventoryList({
      path: '/api/v1/role-bindings',
      summary: 'List RoleBindings and ClusterRoleBindings with their risks',
      collection: 'role_bindings',
      schema: RoleBindingSchema,
      page: 'RoleBindingPage',
      filters: [
        ClusterFilter,
        TenantFilter,
        Namespace,
        ['kind', 'kind', RoleBindingKind],
        [
          'risky',
          'risky',
          z.stringbool().describe('true: only bindings with a risk; false: only those without'),
        ],
      ],
    }),
    inventoryList({
      path: '/api/v1/kube-events',
      summary: 'List Kubernetes Warning events (BackOff, FailedScheduling…)',
      collection: 'kube_events',
      schema: KubeEventSchema,
      page: 'KubeEventPage',
      filters: [ClusterFilter, TenantFilter, Namespace, ['reason', 'reason', z.string().max(256)]],
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/inventory/arch-mismatches',
      summary: 'Workloads scheduled (or schedulable) on nodes whose arch their images lack',
      tags: ['inventory'],
      permission: 'inventory:read',
      query: z.object({ clusterId: z.string().max(256).optional().describe('Only this cluster') }),
      responses: { 200: { description: 'the findings', schema: z.object({ items: z.array(ArchMismatch) }) } },
      handler: async ({ query, store }) => {
        const filter: Filter = query.clusterId ? { clusterId: query.clusterId } : {};
        const items = await findArchMismatches({
          nodes: await findAll(store.collection<Node>('nodes'), filter),
          pods: await findAll(store.collection<Pod>('pods'), filter),
          workloads: await findAll(store.collection<Workload>('workloads'), filter),
          ...(deps.imagePlatforms ? { resolver: deps.imagePlatforms } : {}),
        });
        return { body: { items } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/inventory/summary',
      summary: 'Counts across the fleet: by cloud, arch, CPU vendor and OS (一屏观全域)',
      tags: ['inventory'],
      permission: 'inventory:read',
      responses: { 200: { description: 'the summary', schema: InventorySummary } },
      handler: async ({ store }) => {
        const clusters = (await store.collection<Cluster>('clusters').find({ limit: 1000 })).items;
        const cloudOf = new Map(clusters.map((c) => [c.id, c.cloudId]));
        const perCluster = await buckets(store, 'clusterId');
        const byCloud = new Map<string | null, number>();
        for (const { key, count } of perCluster) {
          const cloud = (key && cloudOf.get(key)) ?? null;
          byCloud.set(cloud, (byCloud.get(cloud) ?? 0) + count);
        }
        const statusCounts = new Map<string, number>();
        for (const cluster of clusters)
          statusCounts.set(cluster.status, (statusCounts.get(cluster.status) ?? 0) + 1);
        return {
          body: {
            clusters: clusters.length,
            nodes: await store.collection('nodes').count(),
            workloads: await store.collection('workloads').count(),
            pods: await store.collection('pods').count(),
            byCloud: [...byCloud].map(([key, count]) => ({ key, count })),
            byArch: await buckets(store, 'arch'),
            byCpuVendor: await buckets(store, 'cpu.vendor'),
            byOs: await buckets(store, 'osFamily'),
            clusterStatus: [...statusCounts].map(([key, count]) => ({ key, count })),
          },
        };
      },
    }),
  ];
}
