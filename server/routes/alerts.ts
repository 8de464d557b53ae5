/**
 * The alert queue: list with filters and free text, one alert with its evidence, and the triage
 * workflow new → acknowledged → in_progress → closed (with a verdict). A closed alert may be
 * reopened by hand; suppression keeps recurrences of a closed alert counted but quiet.
 */
import { HttpError } from '../http/errors.js';
import { defineRoute, type RouteSpec } from '../http/route.js';
import { actorOf } from '../identity/principal.js';
import { AlertSchema, AlertStatus, type Alert } from '../model/alert.js';
import { z, Timestamp } from '../model/common.js';
import { Severity, UserId, Verdict } from '../model/fragments.js';
import { SecurityEventSchema, type SecurityEvent } from '../model/security-event.js';
import type { Filter } from '../store/port.js';
import { ConflictError } from '../store/port.js';
import { IdParams, PageQuery, pageSchema, pagingOptions } from './paging.js';

/** Moves an analyst may make; anything else is refused, naming the field. */
const NEXT: Record<Alert['status'], readonly Alert['status'][]> = {
  new: ['acknowledged', 'in_progress', 'closed'],
  acknowledged: ['in_progress', 'closed'],
  in_progress: ['acknowledged', 'closed'],
  closed: ['new'],
};

const AlertQuery = z.object({
  ...PageQuery,
  status: AlertStatus.optional(),
  severity: Severity.optional(),
  ruleId: z.string().max(256).optional().describe('Rule id'),
  tenantId: z.string().max(128).optional(),
  clusterId: z.string().max(256).optional(),
  incidentId: z.string().max(256).optional(),
  from: Timestamp.optional().describe('Last seen at or after'),
  to: Timestamp.optional().describe('Last seen before'),
  q: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe('Free text over title, rule, entities, user and evidence ids (e.g. an auditID or Falco uuid)'),
});

const AlertPatch = z
  .strictObject({
    status: AlertStatus.optional(),
    verdict: Verdict.optional().describe('Required when closing'),
    assignee: UserId.nullable().optional().describe('null unassigns'),
    suppressForMinutes: z
      .int()
      .min(0)
      .max(60 * 24 * 90)
      .optional()
      .describe('Recurrences only count (no reopening) for this long; 0 lifts the suppression'),
    expectedVersion: z.int().min(1).optional().describe('Refuse with 409 if the alert changed since'),
  })
  .openapi('AlertPatch');

const AlertDetail = z
  .object({ alert: AlertSchema, evidence: z.array(SecurityEventSchema).describe('Up to 20 evidence events') })
  .openapi('AlertDetail');

export interface AlertRouteDeps {
  /** Incidents learn of acknowledgements (MTTA). */
  incidents?: { onAlertAcknowledged(alert: Alert, actor: ReturnType<typeof actorOf>): Promise<void> };
  now?: () => number;
}

export function alertRoutes(deps: AlertRouteDeps = {}): RouteSpec[] {
  const now = deps.now ?? Date.now;
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/alerts',
      summary: 'The alert queue, newest activity first',
      tags: ['alerts'],
      permission: 'alerts:read',
      query: AlertQuery,
      responses: { 200: { description: 'a page of alerts', schema: pageSchema(AlertSchema, 'AlertPage') } },
      handler: async ({ query, store }) => {
        const lastSeenAt = {
          ...(query.from ? { gte: query.from } : {}),
          ...(query.to ? { lt: query.to } : {}),
        };
        const filter: Filter = {
          ...(query.status ? { status: query.status } : {}),
          ...(query.severity ? { severity: query.severity } : {}),
          ...(query.ruleId ? { ruleId: query.ruleId } : {}),
          ...(query.tenantId ? { tenantId: query.tenantId } : {}),
          ...(query.clusterId ? { 'k8s.clusterId': query.clusterId } : {}),
          ...(query.incidentId ? { incidentId: query.incidentId } : {}),
          ...(Object.keys(lastSeenAt).length ? { lastSeenAt } : {}),
          ...(query.q ? { searchText: { contains: query.q.toLowerCase() } } : {}),
        };
        return {
          body: await store
            .collection<Alert>('alerts')
            .find({ filter, sort: { field: 'lastSeenAt', dir: 'desc' }, ...pagingOptions(query) }),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/alerts/:id',
      summary: 'One alert with its evidence events',
      tags: ['alerts'],
      permission: 'alerts:read',
      params: IdParams,
      responses: {
        200: { description: 'the alert', schema: AlertDetail },
        404: { description: 'not found' },
      },
      handler: async ({ params, store }) => {
        const alert = await store.collection<Alert>('alerts').get(params.id);
        if (!alert) throw new HttpError(404, 'not found');
        const ids = alert.evidenceEventIds.slice(-20);
        const evidence = ids.length
          ? (
              await store
                .collection<SecurityEvent>('security_events')
                .find({ filter: { id: { in: ids } }, sort: { field: 'time', dir: 'asc' }, limit: ids.length })
            ).items
          : [];
        return { body: { alert, evidence } };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/alerts/:id',
      summary: 'Triage an alert: status, verdict, assignee, suppression',
      tags: ['alerts'],
      permission: 'alerts:update',
      params: IdParams,
      body: AlertPatch,
      audit: { action: 'alert.update', targetType: 'alert' },
      responses: {
        200: { description: 'the updated alert', schema: AlertSchema },
        400: { description: 'a move the workflow does not allow' },
        404: { description: 'not found' },
        409: { description: 'changed meanwhile (expectedVersion)' },
      },
      handler: async ({ params, body, store, principal, auditDetails }) => {
        const alerts = store.collection<Alert>('alerts');
        const alert = await alerts.get(params.id);
        if (!alert) throw new HttpError(404, 'not found');
        if (body.expectedVersion !== undefined && body.expectedVersion !== alert.version)
          throw new HttpError(409, `the alert is at version ${alert.version}`, [
            { path: 'body.expectedVersion', message: `current version is ${alert.version}` },
          ]);
        const patch: Partial<Alert> = {};
        const status = body.status ?? alert.status;
        if (body.status && body.status !== alert.status) {
          if (!NEXT[alert.status].includes(body.status))
            throw new HttpError(400, `an alert cannot go from ${alert.status} to ${body.status}`, [
              {
                path: 'body.status',
                message: `allowed from ${alert.status}: ${NEXT[alert.status].join(', ')}`,
              },
            ]);
          patch.status = body.status;
        }
        if (status === 'closed' && alert.status !== 'closed' && !body.verdict)
          throw new HttpError(400, 'closing an alert needs a verdict', [
            { path: 'body.verdict', message: 'true_positive, false_positive or benign' },
          ]);
        if (body.verdict) {
          if (status !== 'closed')
            throw new HttpError(400, 'a verdict is given when closing', [
              { path: 'body.verdict', message: 'set status closed' },
            ]);
          patch.verdict = body.verdict;
        }
        if (status === 'new') Object.assign(patch, { verdict: undefined });
        if (body.assignee !== undefined) Object.assign(patch, { assignee: body.assignee ?? undefined });
        if (body.suppressForMinutes !== undefined)
          Object.assign(patch, {
            suppressedUntil: body.suppressForMinutes
              ? new Date(now() + body.suppressForMinutes * 60_000).toISOString()
              : undefined,
          });
        let updated: Alert;
        try {
          updated = await alerts.update(alert.id, patch, { expectedVersion: alert.version });
        } catch (err) {
          if (err instanceof ConflictError)
            throw new HttpError(409, 'the alert changed meanwhile; reload and retry');
          throw err;
        }
        auditDetails({ from: alert.status, ...body });
        const engaged = patch.status === 'acknowledged' || patch.status === 'in_progress';
        if (engaged && deps.incidents) await deps.incidents.onAlertAcknowledged(updated, actorOf(principal));
        return { body: updated };
      },
    }),
  ];
}
