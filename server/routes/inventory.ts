/**
 * The fleet as cloud ops see it: nodes with CPU family and OS, namespaces, workloads, pods, and the
 * one-screen summary by cloud / arch / CPU vendor / OS. Tenant users see their tenant's namespaces,
 * workloads and pods only (the scoped store does it); nodes are platform objects.
 */
import { HttpError } from '../http/errors.js';
import { defineRoute, type RouteSpec } from '../http/route.js';
import type { Cluster } from '../model/cluster.js';
import { Arch } from '../model/fragments.js';
import { z } from '../model/common.js';
import { NamespaceSchema } from '../model/namespace.js';
import { CpuVendor, NodeSchema, OsFamily, type Node } from '../model/node.js';
import { PodSchema } from '../model/pod.js';
import { WorkloadKind, WorkloadSchema } from '../model/workload.js';
import type { Filter, Scalar, Store } from '../store/port.js';
import { findAll, IdParams, PageQuery, pageSchema, pagingOptions } from './paging.js';
import { findArchMismatches } from '../../collectors/heterogeneity/arch-mismatch.js';
import { Severity } from '../model/fragments.js';
import type { Pod } from '../model/pod.js';
import type { Workload } from '../model/workload.js';

const ClusterFilter = { clusterId: z.string().max(256).optional().describe('Only this cluster') };
const Search = { q: z.string().max(128).optional().describe('Substring of the name') };

/** Drops unset query values and turns `q` into a name search. */
function filterOf(query: Record<string, unknown>, fields: string[]): Filter {
  const filter: Record<string, Scalar | { contains: string }> = {};
  for (const field of fields) {
    const value = query[field.split('.').pop()!];
    if (typeof value === 'string') filter[field] = value;
  }
  if (typeof query.q === 'string' && query.q) filter.name = { contains: query.q };
  return filter;
}

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

export function inventoryRoutes(): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/nodes',
      summary: 'List nodes with arch, CPU vendor and OS',
      tags: ['inventory'],
      permission: 'inventory:read',
      query: z.object({
        ...PageQuery,
        ...ClusterFilter,
        ...Search,
        arch: Arch.optional(),
        vendor: CpuVendor.optional().describe('CPU vendor'),
        osFamily: OsFamily.optional(),
      }),
      responses: { 200: { description: 'a page of nodes', schema: pageSchema(NodeSchema, 'NodePage') } },
      handler: async ({ query, store }) => ({
        body: await store.collection<Node>('nodes').find({
          filter: filterOf(query, ['clusterId', 'arch', 'cpu.vendor', 'osFamily']),
          sort: { field: 'name', dir: 'asc' },
          ...pagingOptions(query),
        }),
      }),
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
    defineRoute({
      method: 'get',
      path: '/api/v1/namespaces',
      summary: 'List namespaces and the tenants that own them',
      tags: ['inventory'],
      permission: 'inventory:read',
      query: z.object({
        ...PageQuery,
        ...ClusterFilter,
        ...Search,
        tenantId: z.string().max(128).optional(),
      }),
      responses: {
        200: { description: 'a page of namespaces', schema: pageSchema(NamespaceSchema, 'NamespacePage') },
      },
      handler: async ({ query, store }) => ({
        body: await store.collection('namespaces').find({
          filter: filterOf(query, ['clusterId', 'tenantId']),
          sort: { field: 'name', dir: 'asc' },
          ...pagingOptions(query),
        }),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/workloads',
      summary: 'List workloads (Deployments, StatefulSets, DaemonSets…)',
      tags: ['inventory'],
      permission: 'inventory:read',
      query: z.object({
        ...PageQuery,
        ...ClusterFilter,
        ...Search,
        namespace: z.string().max(253).optional(),
        kind: WorkloadKind.optional(),
        tenantId: z.string().max(128).optional(),
      }),
      responses: {
        200: { description: 'a page of workloads', schema: pageSchema(WorkloadSchema, 'WorkloadPage') },
      },
      handler: async ({ query, store }) => ({
        body: await store.collection('workloads').find({
          filter: filterOf(query, ['clusterId', 'namespace', 'kind', 'tenantId']),
          sort: { field: 'name', dir: 'asc' },
          ...pagingOptions(query),
        }),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/pods',
      summary: 'List pods',
      tags: ['inventory'],
      permission: 'inventory:read',
      query: z.object({
        ...PageQuery,
        ...ClusterFilter,
        ...Search,
        namespace: z.string().max(253).optional(),
        nodeName: z.string().max(253).optional(),
        phase: z.string().max(32).optional(),
        tenantId: z.string().max(128).optional(),
      }),
      responses: { 200: { description: 'a page of pods', schema: pageSchema(PodSchema, 'PodPage') } },
      handler: async ({ query, store }) => ({
        body: await store.collection('pods').find({
          filter: filterOf(query, ['clusterId', 'namespace', 'nodeName', 'phase', 'tenantId']),
          sort: { field: 'name', dir: 'asc' },
          ...pagingOptions(query),
        }),
      }),
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
