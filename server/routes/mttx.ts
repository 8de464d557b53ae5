/**
 * GET /api/v1/metrics/mttx: MTTD / MTTA / MTTC / MTTR in seconds over incidents detected in a time
 * range, grouped by tenant, cluster, severity or source (see incidents/mttx.ts for definitions and
 * the nearest-rank percentiles). Tenant users see their tenants' incidents only.
 */
import { HttpError } from '../http/errors.js';
import { defineRoute, type RouteSpec } from '../http/route.js';
import { MTTX_GROUP_BY, mttx, type MttxGroupBy } from '../incidents/mttx.js';
import { z } from '../model/common.js';
import { Severity } from '../model/fragments.js';

const DEFAULT_RANGE_MS = 30 * 86_400_000;

/** Any ISO-8601 date-time; compared with stored timestamps after normalising to UTC milliseconds. */
const Instant = z.iso.datetime({ offset: true });

const MttxQuery = z.object({
  from: Instant.optional().describe('detectedAt at or after; default: 30 days before `to`'),
  to: Instant.optional().describe('detectedAt strictly before; default: now'),
  groupBy: z.enum(MTTX_GROUP_BY).default('severity').describe('tenant, cluster, severity or source'),
  severity: Severity.optional(),
  tenantId: z.string().max(128).optional(),
});

const Stats = z
  .object({
    count: z.int().describe('Incidents having both timestamps of the metric'),
    meanSeconds: z.number().nullable().describe('Mean, seconds; null when count is 0'),
    p50Seconds: z.number().nullable().describe('Median (nearest rank), seconds'),
    p90Seconds: z.number().nullable().describe('90th percentile (nearest rank), seconds'),
  })
  .describe('Duration statistics in seconds');

/** The group's key is named after the incident field it groups on. */
const KEY_NAMES: Record<MttxGroupBy, string> = {
  tenant: 'tenantId',
  cluster: 'clusterId',
  severity: 'severity',
  source: 'source',
};

const MttxReport = z
  .object({
    from: z.string().describe('Start of the range (UTC), detectedAt at or after'),
    to: z.string().describe('End of the range (UTC), detectedAt before'),
    groups: z.array(
      z.object({
        key: z
          .record(z.string(), z.string().nullable())
          .describe('e.g. { severity: "high" } or { tenantId: null } for platform-wide incidents'),
        count: z.int().describe('Incidents detected in the range'),
        mttd: Stats.describe('detectedAt − occurredAt'),
        mtta: Stats.describe('acknowledgedAt − detectedAt'),
        mttc: Stats.describe('containedAt − detectedAt'),
        mttr: Stats.describe('resolvedAt − detectedAt'),
      }),
    ),
  })
  .openapi('MttxReport');

export function mttxRoutes(): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/metrics/mttx',
      summary: 'MTTD / MTTA / MTTC / MTTR (seconds: mean, p50, p90) per tenant, cluster, severity or source',
      tags: ['metrics'],
      permission: 'metrics:read',
      query: MttxQuery,
      responses: { 200: { description: 'the statistics', schema: MttxReport } },
      handler: async ({ query, store }) => {
        const to = new Date(query.to ?? Date.now());
        const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_RANGE_MS);
        if (from >= to)
          throw new HttpError(400, 'from must be before to', [
            { path: 'query.from', message: 'must be before to' },
          ]);
        const range = { from: from.toISOString(), to: to.toISOString() };
        const groups = await mttx(store, {
          ...range,
          groupBy: query.groupBy,
          ...(query.severity ? { severity: query.severity } : {}),
          ...(query.tenantId ? { tenantId: query.tenantId } : {}),
        });
        return {
          body: {
            ...range,
            groups: groups.map(({ key, ...stats }) => ({
              key: { [KEY_NAMES[query.groupBy]]: key },
              ...stats,
            })),
          },
        };
      },
    }),
  ];
}
