/**
 * Resource usage: the latest per node / namespace, rolled up per tenant across clusters, and history
 * for charts straight from the cluster's Prometheus.
 */
import { HISTORY_METRICS, HistoryParameterError, UsageHistory } from '../../collectors/prometheus/history.js';
import { PromClient, PromQueryError } from '../../collectors/prometheus/client.js';
import { HttpError } from '../http/errors.js';
import { defineRoute, type RouteSpec } from '../http/route.js';
import type { Cluster } from '../model/cluster.js';
import { z, Timestamp } from '../model/common.js';
import type { Tenant } from '../model/tenant.js';
import { UsageSchema, type Usage } from '../model/usage.js';
import { IdParams, PageQuery, pageSchema, pagingOptions } from './paging.js';
import { findAll } from '../store/find-all.js';

const TenantUsage = z
  .object({
    tenantId: z.string(),
    clusters: z.array(z.string()).describe('Clusters where the tenant has namespaces'),
    namespaces: z.number().int(),
    workloads: z.number().int(),
    pods: z.number().int(),
    cpuCores: z.number().describe('CPU cores in use now, summed over the tenant’s namespaces'),
    memoryBytes: z.number(),
    requestsCpuCores: z.number().describe('CPU cores requested by running and pending pods'),
    requestsMemoryBytes: z.number(),
    quota: z.record(z.string(), z.number()).describe('The tenant’s quota across clusters (base units)'),
    at: z.string().optional().describe('Oldest sample time among the namespaces'),
  })
  .openapi('TenantUsage');

const finite = (usage: Usage, metric: string): number => usage.metrics[metric]?.value ?? 0;

export function usageRoutes(): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/tenants/:id/usage',
      summary: 'Usage, requests, quota and workload counts of a tenant across all its clusters',
      tags: ['usage'],
      permission: 'metrics:read',
      params: IdParams,
      responses: { 200: { description: 'the roll-up', schema: TenantUsage } },
      handler: async ({ params, store }) => {
        const tenant = await store.collection<Tenant>('tenants').get(params.id);
        if (!tenant) throw new HttpError(404, 'not found');
        const usage = await findAll(store.collection<Usage>('usage'), {
          tenantId: tenant.id,
          kind: 'namespace',
        });
        const sum = (metric: string) => usage.reduce((total, u) => total + finite(u, metric), 0);
        return {
          body: {
            tenantId: tenant.id,
            clusters: [...new Set(usage.map((u) => u.clusterId))].sort(),
            namespaces: await store.collection('namespaces').count({ tenantId: tenant.id }),
            workloads: await store.collection('workloads').count({ tenantId: tenant.id }),
            pods: await store.collection('pods').count({ tenantId: tenant.id }),
            cpuCores: sum('cpuCores'),
            memoryBytes: sum('memoryBytes'),
            requestsCpuCores: sum('requests.cpuCores'),
            requestsMemoryBytes: sum('requests.memoryBytes'),
            quota: Object.fromEntries(Object.entries(tenant.quotas).filter(([, v]) => typeof v === 'number')),
            ...(usage.length ? { at: usage.map((u) => u.at).sort()[0] } : {}),
          },
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/metrics/usage',
      summary: 'Latest usage per node or namespace',
      tags: ['usage'],
      permission: 'metrics:read',
      query: z.object({
        ...PageQuery,
        clusterId: z.string().max(256).optional(),
        kind: z.enum(['node', 'namespace']).optional(),
      }),
      responses: { 200: { description: 'a page of usage', schema: pageSchema(UsageSchema, 'UsagePage') } },
      handler: async ({ query, store }) => ({
        body: await store.collection<Usage>('usage').find({
          filter: {
            ...(query.clusterId ? { clusterId: query.clusterId } : {}),
            ...(query.kind ? { kind: query.kind } : {}),
          },
          sort: { field: 'id', dir: 'asc' },
          ...pagingOptions(query),
        }),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/metrics/history',
      summary: 'History of one usage metric of a node or namespace, for charts',
      tags: ['usage'],
      permission: 'metrics:read',
      query: z.object({
        clusterId: z.string().min(1).max(256),
        metric: z.enum(HISTORY_METRICS as [string, ...string[]]),
        target: z.string().min(1).max(253).describe('Node or namespace name'),
        from: Timestamp,
        to: Timestamp,
        step: z.coerce.number().positive().describe('Seconds between points'),
      }),
      responses: { 200: { description: 'the series' }, 400: { description: 'bad parameters' } },
      handler: async ({ query, store }) => {
        const cluster = await store.collection<Cluster>('clusters').get(query.clusterId);
        if (!cluster) throw new HttpError(404, 'not found');
        if (!cluster.prometheus?.url) throw new HttpError(409, 'the cluster has no Prometheus configured');
        const history = new UsageHistory(() => new PromClient({ endpoint: cluster.prometheus!.url }));
        try {
          return {
            body: await history.history({
              clusterId: cluster.id,
              metric: query.metric as never,
              target: query.target,
              from: new Date(query.from),
              to: new Date(query.to),
              step: query.step,
            }),
          };
        } catch (error) {
          if (error instanceof HistoryParameterError)
            throw new HttpError(400, error.message, [
              { path: `query.${error.parameter}`, message: error.message },
            ]);
          // The cluster's Prometheus failed: a gateway error, in its own words.
          if (error instanceof PromQueryError)
            throw new HttpError(502, `Prometheus of ${cluster.id}: ${error.message}`, [
              { path: 'prometheus', message: `${error.status ?? ''} ${error.errorType ?? ''}`.trim() },
            ]);
          throw error;
        }
      },
    }),
  ];
}
