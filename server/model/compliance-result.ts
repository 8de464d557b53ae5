/**
 * The latest outcome of one compliance control for one scope (tenant, cluster or cloud):
 * 等保 2.0 level 3 (GB/T 22239-2019: 8.1 general requirements, 8.2 cloud extension) or the CIS
 * Kubernetes Benchmark as checked by kube-bench. One document per (scope, framework, control),
 * overwritten by each check.
 */
import { z, Id, StoredFields, TenantId, Timestamp } from './common.js';
import { ObjectRef, SchemaVersion } from './fragments.js';

export const ComplianceFramework = z
  .enum(['dengbao-2.0-l3', 'cis-kubernetes'])
  .describe(
    'Framework: dengbao-2.0-l3 (等保 2.0 第三级, GB/T 22239-2019) or cis-kubernetes (CIS Kubernetes Benchmark)',
  );
export type ComplianceFramework = z.infer<typeof ComplianceFramework>;

export const ComplianceStatus = z
  .enum(['pass', 'fail', 'manual', 'not_applicable'])
  .describe('Outcome: pass, fail, manual (needs a human assessment), not_applicable');
export type ComplianceStatus = z.infer<typeof ComplianceStatus>;

export const ComplianceScope = z
  .object({
    type: z.enum(['tenant', 'cluster', 'cloud']).describe('Kind of scope'),
    id: Id.describe('Tenant, cluster or cloud id'),
  })
  .describe('What the result applies to');

// 等保 ids are clause numbers, optionally with the item letter (8.1.4.1.a); CIS ids are dotted numbers.
const CONTROL_ID: Record<ComplianceFramework, RegExp> = {
  'dengbao-2.0-l3': /^8\.[12](\.\d+){1,3}(\.[a-z])?$/,
  'cis-kubernetes': /^\d+(\.\d+){1,3}$/,
};

export const ComplianceResultSchema = z
  .object({
    ...StoredFields,
    schemaVersion: SchemaVersion,
    framework: ComplianceFramework,
    controlId: z
      .string()
      .min(1)
      .max(32)
      .describe(
        'Control id: 等保 clause such as 8.1.4.1 (安全计算环境-身份鉴别) or 8.2.x (云计算扩展); CIS check such as 1.2.1',
      ),
    title: z
      .string()
      .min(1)
      .max(1024)
      .describe('Control title, e.g. 身份鉴别 (identification and authentication)'),
    status: ComplianceStatus,
    scope: ComplianceScope,
    tenantId: TenantId.optional().describe(
      'Equals scope.id when the scope is a tenant, so tenant scoping applies',
    ),
    evidenceRefs: z
      .array(ObjectRef)
      .default([])
      .describe('Evidence: security events, kube-bench runs, inventory objects…'),
    message: z
      .string()
      .max(16_384)
      .optional()
      .describe('Why the control failed, e.g. kube-bench actual_value vs expected'),
    remediation: z.string().max(16_384).optional().describe('How to fix it'),
    checkedBy: z
      .string()
      .max(256)
      .optional()
      .describe('Check that produced the result, e.g. kube-bench, or a user id for manual assessments'),
    checkedAt: Timestamp.describe('When the control was last checked'),
  })
  .superRefine((result, ctx) => {
    if (!CONTROL_ID[result.framework].test(result.controlId)) {
      ctx.addIssue({ code: 'custom', path: ['controlId'], message: `not a ${result.framework} control id` });
    }
    const tenantScope = result.scope.type === 'tenant' ? result.scope.id : undefined;
    if (result.tenantId !== tenantScope) {
      ctx.addIssue({
        code: 'custom',
        path: ['tenantId'],
        message: 'tenantId must equal scope.id for tenant scopes, and be absent otherwise',
      });
    }
  })
  .describe('Latest outcome of one compliance control for one scope')
  .openapi('ComplianceResult');
export type ComplianceResult = z.infer<typeof ComplianceResultSchema>;
