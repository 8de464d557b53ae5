/**
 * Incidents: the queue, one incident with its alerts, and the analyst's changes (create by hand,
 * status / verdict / assignee / severity / title, comments, merge, split). Every route works on the
 * caller's tenant-scoped store, so another tenant's incident is "not found"; writes are audited.
 */
import { HttpError } from '../http/errors.js';
import { defineRoute, type RouteSpec } from '../http/route.js';
import { actorOf, type Principal } from '../identity/principal.js';
import { IncidentInputError, type Caller, type IncidentService } from '../incidents/incident-service.js';
import { LifecycleError } from '../incidents/lifecycle.js';
import { AlertSchema, type Alert } from '../model/alert.js';
import { z, Id, Timestamp } from '../model/common.js';
import { Severity, UserId, Verdict } from '../model/fragments.js';
import { IncidentCreateSchema, IncidentSchema, IncidentStatus, type Incident } from '../model/incident.js';
import { encodeCursor } from '../store/keyset.js';
import type { Filter, Page, SortSpec, Store } from '../store/port.js';
import { IdParams, PageQuery, pageSchema, pagingOptions } from './paging.js';

export interface IncidentRouteDeps {
  service: IncidentService;
}

/** Alerts shown with an incident: at most this many, newest first. */
const ALERTS_SHOWN = 1000;

const IncidentListQuery = z.object({
  ...PageQuery,
  status: IncidentStatus.optional(),
  severity: Severity.optional(),
  tenantId: z.string().max(128).optional(),
  clusterId: z.string().max(256).optional().describe('Incidents spanning this cluster'),
  assignee: z.string().max(256).optional(),
  from: Timestamp.optional().describe('detectedAt at or after'),
  to: Timestamp.optional().describe('detectedAt strictly before'),
  q: z.string().min(1).max(256).optional().describe('Case-insensitive text in the title or description'),
});

const IncidentPatch = z
  .strictObject({
    status: IncidentStatus.optional(),
    verdict: Verdict.optional().describe('Only together with (or on an already) closed incident'),
    assignee: UserId.nullable().optional().describe('null unassigns'),
    severity: Severity.optional(),
    title: z.string().min(1).max(1024).optional().describe('Incident title'),
    expectedVersion: z
      .int()
      .min(1)
      .optional()
      .describe('Refuse with 409 unless the incident is at this version'),
  })
  .openapi('IncidentPatch');

const CommentBody = z
  .strictObject({ text: z.string().min(1).max(16_384).describe('Comment text') })
  .openapi('IncidentComment');

const MergeBody = z
  .strictObject({
    ids: z
      .array(Id)
      .min(2)
      .max(100)
      .refine((ids) => new Set(ids).size === ids.length, 'ids must be distinct')
      .describe('The target first, then the incidents merged into it (and deleted)'),
  })
  .openapi('IncidentMerge');

const SplitBody = z
  .strictObject({ alertIds: z.array(Id).min(1).max(1000).describe('Alerts moved to the new incident') })
  .openapi('IncidentSplit');

const IncidentWithAlerts = z
  .object({
    incident: IncidentSchema,
    alerts: z.array(AlertSchema).describe(`The incident's alerts, newest first (at most ${ALERTS_SHOWN})`),
  })
  .openapi('IncidentWithAlerts');

const SplitResult = z
  .object({
    source: IncidentSchema.describe('The incident the alerts left'),
    split: IncidentSchema.describe('The new incident holding them'),
  })
  .openapi('IncidentSplitResult');

/** Rows read per request for a `q` search before answering with what was found so far. */
const SEARCH_SCAN_LIMIT = 5000;

const SORT: SortSpec = { field: 'detectedAt', dir: 'desc' };

/** The service's refusals as 400s naming the request field. */
async function answering<R>(location: 'body', work: () => Promise<R>): Promise<R> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof IncidentInputError || error instanceof LifecycleError)
      throw new HttpError(400, error.message, [
        { path: `${location}.${error.field}`, message: error.message },
      ]);
    throw error;
  }
}

const callerOf = (ctx: { principal: Principal; store: Store }): Caller => ({
  actor: actorOf(ctx.principal),
  store: ctx.store,
});

function listFilter(query: z.output<typeof IncidentListQuery>): Filter {
  const detectedAt = { ...(query.from ? { gte: query.from } : {}), ...(query.to ? { lt: query.to } : {}) };
  return {
    ...(query.status ? { status: query.status } : {}),
    ...(query.severity ? { severity: query.severity } : {}),
    ...(query.tenantId ? { tenantId: query.tenantId } : {}),
    ...(query.clusterId ? { clusterIds: { has: query.clusterId } } : {}),
    ...(query.assignee ? { assignee: query.assignee } : {}),
    ...(Object.keys(detectedAt).length ? { detectedAt } : {}),
  };
}

const matches = (incident: Incident, q: string): boolean =>
  [incident.title, incident.description ?? ''].some((text) => text.toLowerCase().includes(q.toLowerCase()));

/**
 * A page of incidents whose title or description contains `q`. The store filters on one field at
 * a time, so the text test runs here over keyset pages of the other filters; the cursor is the last
 * row returned (or examined, when the scan limit stops a sparse search early).
 */
async function searchPage(
  store: Store,
  filter: Filter,
  q: string,
  paging: { limit: number; cursor?: string },
): Promise<Page<Incident>> {
  const incidents = store.collection<Incident>('incidents');
  const items: Incident[] = [];
  let cursor = paging.cursor;
  let scanned = 0;
  for (;;) {
    const page = await incidents.find({ filter, sort: SORT, limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const [i, incident] of page.items.entries()) {
      scanned++;
      if (matches(incident, q)) items.push(incident);
      if (i === page.items.length - 1 && !page.nextCursor) return { items };
      if (items.length === paging.limit || scanned >= SEARCH_SCAN_LIMIT)
        return { items, nextCursor: encodeCursor({ value: incident.detectedAt, id: incident.id }) };
    }
    if (!page.nextCursor) return { items };
    cursor = page.nextCursor;
  }
}

export function incidentRoutes(deps: IncidentRouteDeps): RouteSpec[] {
  const incidents = deps.service;
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/incidents',
      summary: 'List incidents, newest detection first',
      tags: ['incidents'],
      permission: 'incidents:read',
      query: IncidentListQuery,
      responses: {
        200: { description: 'a page of incidents', schema: pageSchema(IncidentSchema, 'IncidentPage') },
      },
      handler: async ({ query, store }) => {
        const filter = listFilter(query);
        if (query.q) return { body: await searchPage(store, filter, query.q, pagingOptions(query)) };
        return {
          body: await store
            .collection<Incident>('incidents')
            .find({ filter, sort: SORT, ...pagingOptions(query) }),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/incidents/:id',
      summary: 'An incident with its alerts',
      tags: ['incidents'],
      permission: 'incidents:read',
      params: IdParams,
      responses: {
        200: { description: 'the incident', schema: IncidentWithAlerts },
        404: { description: 'not found' },
      },
      handler: async ({ params, store }) => {
        const incident = await store.collection<Incident>('incidents').get(params.id);
        if (!incident) throw new HttpError(404, 'not found');
        const alerts = await store.collection<Alert>('alerts').find({
          filter: { incidentId: incident.id },
          sort: { field: 'lastSeenAt', dir: 'desc' },
          limit: ALERTS_SHOWN,
        });
        return { body: { incident, alerts: alerts.items } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/incidents',
      summary: 'Open an incident by hand from alerts not yet in an incident',
      tags: ['incidents'],
      permission: 'incidents:create',
      body: IncidentCreateSchema,
      audit: { action: 'incident.create', targetType: 'incident' },
      responses: {
        201: { description: 'created', schema: IncidentSchema },
        400: { description: 'bad input' },
      },
      handler: async (ctx) => ({
        status: 201,
        body: await answering('body', () => incidents.create(callerOf(ctx), ctx.body)),
      }),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/incidents/:id',
      summary: 'Change status (recording its MTTx timestamp), verdict, assignee, severity or title',
      tags: ['incidents'],
      permission: 'incidents:update',
      params: IdParams,
      body: IncidentPatch,
      audit: { action: 'incident.update', targetType: 'incident' },
      responses: {
        200: { description: 'the changed incident', schema: IncidentSchema },
        400: { description: 'a refused transition or value, naming the field' },
        409: { description: 'expectedVersion is stale' },
      },
      handler: async (ctx) => {
        const { expectedVersion, ...change } = ctx.body;
        ctx.auditDetails({ change });
        return {
          body: await answering('body', () =>
            incidents.change(callerOf(ctx), ctx.params.id, {
              ...change,
              ...(expectedVersion !== undefined ? { expectedVersion } : {}),
            }),
          ),
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/incidents/:id/comments',
      summary: 'Add a comment to the timeline',
      tags: ['incidents'],
      permission: 'incidents:update',
      params: IdParams,
      body: CommentBody,
      audit: { action: 'incident.comment', targetType: 'incident' },
      responses: { 201: { description: 'the incident with the comment', schema: IncidentSchema } },
      handler: async (ctx) => ({
        status: 201,
        body: await incidents.comment(callerOf(ctx), ctx.params.id, ctx.body.text),
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/incidents/merge',
      summary: 'Merge incidents into the first one (earliest MTTx timestamps win; the others are deleted)',
      tags: ['incidents'],
      permission: 'incidents:update',
      body: MergeBody,
      audit: { action: 'incident.merge', targetType: 'incident' },
      responses: { 200: { description: 'the merged incident', schema: IncidentSchema } },
      handler: async (ctx) => {
        const [target, ...others] = ctx.body.ids;
        ctx.auditDetails({ merged: others });
        return { body: await answering('body', () => incidents.merge(callerOf(ctx), target!, others)) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/incidents/:id/split',
      summary: 'Move alerts into a new incident, its MTTx timestamps recomputed from them',
      tags: ['incidents'],
      permission: 'incidents:update',
      params: IdParams,
      body: SplitBody,
      audit: { action: 'incident.split', targetType: 'incident' },
      responses: { 201: { description: 'both incidents', schema: SplitResult } },
      handler: async (ctx) => {
        const result = await answering('body', () =>
          incidents.split(callerOf(ctx), ctx.params.id, ctx.body.alertIds),
        );
        ctx.auditDetails({ alertIds: ctx.body.alertIds, splitId: result.split.id });
        return { status: 201, body: result };
      },
    }),
  ];
}
