/** The audit log for the audit admin (审计管理员): browse, verify the SM3 chain, export. */
import { HttpError } from '../http/errors.js';
import { defineRoute, type RouteSpec } from '../http/route.js';
import type { AuditLog } from '../audit/audit-log.js';
import { AuditEntrySchema, AuditResult, type AuditEntry } from '../model/audit-entry.js';
import { z, Timestamp } from '../model/common.js';
import { PageQuery, pageSchema, pagingOptions } from './paging.js';

const Range = {
  from: Timestamp.optional().describe('At or after this time'),
  to: Timestamp.optional().describe('Before this time'),
  tenantId: z.string().max(128).optional(),
};

const AuditQuery = z.object({
  ...PageQuery,
  ...Range,
  actorId: z.string().max(256).optional(),
  action: z.string().max(128).optional(),
  result: AuditResult.optional(),
});

const VerifyReply = z
  .object({
    ok: z.boolean(),
    checked: z.number().int().describe('Entries checked'),
    headSeq: z.number().int().optional().describe('Last entry of an intact chain'),
    brokenAt: z.number().int().optional().describe('First entry that fails verification'),
    reason: z.string().optional(),
  })
  .openapi('AuditVerification');

const ExportQuery = z.object({ ...Range, format: z.enum(['jsonl', 'csv']).default('jsonl') });

export function auditRoutes(deps: { audit: AuditLog }): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/audit',
      summary: 'Browse audit entries, newest first',
      tags: ['audit'],
      permission: 'audit:read',
      query: AuditQuery,
      responses: {
        200: { description: 'a page of entries', schema: pageSchema(AuditEntrySchema, 'AuditPage') },
      },
      handler: async ({ query, store }) => ({
        body: await store.collection<AuditEntry>('audit_entries').find({
          filter: {
            ...(query.from || query.to
              ? { at: { ...(query.from ? { gte: query.from } : {}), ...(query.to ? { lt: query.to } : {}) } }
              : {}),
            ...(query.tenantId ? { tenantId: query.tenantId } : {}),
            ...(query.actorId ? { 'actor.id': query.actorId } : {}),
            ...(query.action ? { action: query.action } : {}),
            ...(query.result ? { result: query.result } : {}),
          },
          sort: { field: 'seq', dir: 'desc' },
          ...pagingOptions(query),
        }),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/audit/verify',
      summary: 'Re-walk the SM3 hash chain; names the first broken entry',
      tags: ['audit'],
      permission: 'audit:verify',
      audit: { action: 'audit.verify', targetType: 'audit_log' },
      responses: { 200: { description: 'the verification result', schema: VerifyReply } },
      handler: async ({ principal, auditDetails }) => {
        // The chain spans every tenant; only platform-wide auditors walk it.
        if (principal.tenantIds) throw new HttpError(403, 'the audit chain is verified by platform auditors');
        const result = await deps.audit.verify();
        auditDetails({ ok: result.ok, checked: result.checked });
        return { body: result };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/audit/export',
      summary: 'Export audit entries as JSON Lines or CSV',
      tags: ['audit'],
      permission: 'audit:export',
      query: ExportQuery,
      audit: { action: 'audit.export', targetType: 'audit_log' },
      responses: {
        200: {
          description: 'the entries, in seq order',
          schema: z.string(),
          contentType: 'application/x-ndjson',
        },
      },
      handler: ({ query, principal, auditDetails }) => {
        const { format, ...filter } = query;
        // The export reads below the scoped store, so the tenant limit is applied here.
        if (principal.tenantIds) {
          if (filter.tenantId && !principal.tenantIds.includes(filter.tenantId))
            throw new HttpError(404, 'not found');
          filter.tenantId = principal.tenantIds[0]!;
        }
        auditDetails({ format, ...filter });
        const stamp = new Date().toISOString().slice(0, 10);
        return {
          stream: deps.audit.export(format, filter),
          contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
          headers: { 'Content-Disposition': `attachment; filename="yunshu-audit-${stamp}.${format}"` },
        };
      },
    }),
  ];
}
