/**
 * Rule management: upload Sigma YAML (detection and correlation rules, unmodified), list with hit
 * counts, enable / disable, delete custom rules, and test a rule against sample events before
 * enabling it. Rules are platform-wide; managing them needs `rules:write`.
 */
import express from 'express';
import { HttpError } from '../http/errors.js';
import { defineRoute, type RouteSpec } from '../http/route.js';
import { z } from '../model/common.js';
import { DetectionRuleSchema, RuleLevel, type DetectionRule } from '../model/detection-rule.js';
import { DetectionEngine } from '../detection/engine.js';
import { RuleConflictError, type RuleRegistry } from '../detection/rule-registry.js';
import { SigmaRuleError } from '../detection/sigma/parse-rule.js';
import { securityEventId } from '../ingest/ingest-pipeline.js';
import { RECEIVERS, type ReceiverSource } from '../ingest/receivers.js';
import { engineEventOf, formatRejection } from '../ingest/normalize/index.js';
import { findAll } from '../store/find-all.js';
import type { Filter } from '../store/port.js';
import { IdParams, PageQuery, pageSchema, pagingOptions } from './paging.js';

const YAML_LIMIT = '256kb';
const readYaml = express.text({
  type: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'],
  limit: YAML_LIMIT,
});

const RuleView = DetectionRuleSchema.extend({
  loadError: z.string().optional().describe('Why the stored rule is not in force, if it is not'),
}).openapi('DetectionRuleView');

const RuleTest = z
  .strictObject({
    yaml: z.string().min(1).max(262_144).optional().describe('A Sigma document to test (not stored)'),
    ruleId: z.string().min(1).max(256).optional().describe('Or a stored rule'),
    source: z
      .enum(Object.keys(RECEIVERS) as [ReceiverSource, ...ReceiverSource[]])
      .describe('Format of the sample events'),
    events: z.unknown().describe('Sample events as that source sends them: one, an array, or NDJSON text'),
  })
  .refine((t) => (t.yaml === undefined) !== (t.ruleId === undefined), {
    message: 'give either yaml or ruleId',
    path: ['yaml'],
  })
  .openapi('RuleTest');

const RuleTestResult = z
  .object({
    events: z.int().describe('Sample events normalised'),
    hits: z.array(
      z.object({
        ruleId: z.string(),
        title: z.string(),
        kind: z.enum(['detection', 'correlation']),
        eventIds: z.array(z.string()).describe('Events that hit (ids as they would be stored)'),
      }),
    ),
  })
  .openapi('RuleTestResult');

function sigmaError(err: unknown): never {
  if (err instanceof SigmaRuleError)
    throw new HttpError(400, `invalid rule: ${err.message}`, [
      { path: `body${err.path ? `.${err.path}` : ''}`, message: err.message },
    ]);
  if (err instanceof RuleConflictError) throw new HttpError(409, err.message);
  throw err;
}

export function ruleRoutes(deps: { registry: RuleRegistry }): RouteSpec[] {
  const { registry } = deps;
  const view = (rule: DetectionRule) => {
    const loadError = registry.loadErrors.get(rule.id);
    return loadError ? { ...rule, loadError } : rule;
  };
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/rules',
      summary: 'Detection and correlation rules with their hit counts',
      tags: ['rules'],
      permission: 'rules:read',
      query: z.object({
        ...PageQuery,
        kind: z.enum(['detection', 'correlation']).optional(),
        level: RuleLevel.optional(),
        enabled: z.enum(['true', 'false']).optional(),
        origin: z.enum(['builtin', 'custom']).optional(),
        q: z.string().min(1).max(256).optional().describe('Text in the title'),
      }),
      responses: {
        200: { description: 'a page of rules', schema: pageSchema(RuleView, 'DetectionRulePage') },
      },
      handler: async ({ query, store }) => {
        const filter: Filter = {
          ...(query.kind ? { kind: query.kind } : {}),
          ...(query.level ? { level: query.level } : {}),
          ...(query.enabled ? { enabled: query.enabled === 'true' } : {}),
          ...(query.origin ? { origin: query.origin } : {}),
          ...(query.q ? { title: { contains: query.q } } : {}),
        };
        const page = await store
          .collection<DetectionRule>('detection_rules')
          .find({ filter, sort: { field: 'title', dir: 'asc' }, ...pagingOptions(query) });
        return { body: { ...page, items: page.items.map(view) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/rules/:id',
      summary: 'One rule, with its YAML',
      tags: ['rules'],
      permission: 'rules:read',
      params: IdParams,
      responses: { 200: { description: 'the rule', schema: RuleView }, 404: { description: 'not found' } },
      handler: async ({ params, store }) => {
        const rule = await store.collection<DetectionRule>('detection_rules').get(params.id);
        if (!rule) throw new HttpError(404, 'not found');
        return { body: view(rule) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/rules',
      summary:
        'Upload Sigma rules (Content-Type: application/yaml; several documents allowed, all or nothing)',
      tags: ['rules'],
      permission: 'rules:write',
      middleware: [readYaml],
      audit: { action: 'rule.create', targetType: 'detection_rule' },
      responses: {
        201: { description: 'the stored rules', schema: z.object({ items: z.array(DetectionRuleSchema) }) },
        400: { description: 'invalid Sigma; details name the YAML path' },
        409: { description: 'a rule with that id exists' },
        415: { description: 'not YAML' },
      },
      handler: async ({ req, auditDetails }) => {
        if (typeof req.body !== 'string')
          throw new HttpError(415, 'send the Sigma rule as Content-Type: application/yaml', [
            { path: 'content-type', message: String(req.headers['content-type'] ?? 'missing') },
          ]);
        const created = await registry.create(req.body).catch(sigmaError);
        auditDetails({ ids: created.map((r) => r.id), titles: created.map((r) => r.title) });
        return { status: 201, body: { items: created } };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/rules/:id',
      summary: 'Enable or disable a rule',
      tags: ['rules'],
      permission: 'rules:write',
      params: IdParams,
      body: z.strictObject({ enabled: z.boolean() }).openapi('RulePatch'),
      audit: { action: 'rule.update', targetType: 'detection_rule' },
      responses: {
        200: { description: 'the rule', schema: DetectionRuleSchema },
        404: { description: 'not found' },
      },
      handler: async ({ params, body, auditDetails }) => {
        const updated = await registry.setEnabled(params.id, body.enabled).catch(sigmaError);
        if (!updated) throw new HttpError(404, 'not found');
        auditDetails({ enabled: body.enabled });
        return { body: updated };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/rules/:id',
      summary: 'Delete a custom rule (builtin rules can only be disabled)',
      tags: ['rules'],
      permission: 'rules:write',
      params: IdParams,
      audit: { action: 'rule.delete', targetType: 'detection_rule' },
      responses: {
        204: { description: 'deleted' },
        404: { description: 'not found' },
        409: { description: 'builtin, or a correlation still refers to it' },
      },
      handler: async ({ params }) => {
        const removed = await registry.remove(params.id).catch((err: unknown) => {
          if (err instanceof SigmaRuleError) throw new HttpError(409, err.message);
          return sigmaError(err);
        });
        if (!removed) throw new HttpError(404, 'not found');
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/rules/test',
      summary: 'Run a rule (uploaded or stored) over sample events without storing anything',
      tags: ['rules'],
      permission: 'rules:read',
      body: RuleTest,
      audit: { action: 'rule.test', targetType: 'detection_rule' },
      responses: { 200: { description: 'which sample events hit', schema: RuleTestResult } },
      handler: async ({ body, store }) => {
        const stored = await findAll(store.collection<DetectionRule>('detection_rules'));
        let yaml = body.yaml;
        if (body.ruleId) {
          yaml = stored.find((r) => r.id === body.ruleId)?.yaml;
          if (!yaml)
            throw new HttpError(404, 'no such rule', [{ path: 'body.ruleId', message: body.ruleId }]);
        }
        // A scratch engine with the stored detection rules, so a tested correlation can name them.
        const engine = new DetectionEngine();
        for (const rule of stored) {
          if (rule.kind === 'detection' && rule.id !== body.ruleId) {
            try {
              engine.load(rule.yaml, { enabled: true });
            } catch {
              // A stored rule that no longer compiles is reported by GET /rules, not here.
            }
          }
        }
        let tested: string[];
        try {
          tested = engine.load(yaml!, { enabled: true }).map((r) => r.id);
        } catch (err) {
          return sigmaError(err);
        }
        const normalized = RECEIVERS[body.source](body.events, {});
        if (normalized.rejected.length)
          throw new HttpError(
            400,
            `invalid sample events: ${formatRejection(normalized.rejected[0]!)}`,
            normalized.rejected
              .slice(0, 100)
              .map((r) => ({ path: `body.events${r.path}`, message: r.message })),
          );
        const hits = new Map<
          string,
          { ruleId: string; title: string; kind: 'detection' | 'correlation'; eventIds: string[] }
        >();
        for (const event of normalized.events) {
          const id = securityEventId(event.source, event.sourceEventId);
          for (const hit of engine.evaluate(engineEventOf(id, event))) {
            if (!tested.includes(hit.rule.id)) continue;
            const entry = hits.get(hit.rule.id) ?? {
              ruleId: hit.rule.id,
              title: hit.rule.title,
              kind: hit.rule.kind,
              eventIds: [],
            };
            entry.eventIds.push(...hit.eventIds.filter((e) => !entry.eventIds.includes(e)));
            hits.set(hit.rule.id, entry);
          }
        }
        return { body: { events: normalized.events.length, hits: [...hits.values()] } };
      },
    }),
  ];
}
