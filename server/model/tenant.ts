/** A tenant: a government department (委办局) whose namespaces may span clusters. */
import { z, Id, Labels, StoredFields, TenantId } from './common.js';
import { NamespaceName, ResourceQuantities, SchemaVersion } from './fragments.js';

export const TenantLevel = z
  .enum(['province', 'city', 'county', 'township'])
  .describe('Administrative level: province (省), city (市), county (县/区), township (乡/镇)');
export type TenantLevel = z.infer<typeof TenantLevel>;

export const NamespaceRef = z
  .object({
    clusterId: Id.describe('Cluster id'),
    namespace: NamespaceName,
  })
  .describe('A namespace in a given cluster');

export const LabelSelectorRequirement = z
  .object({
    key: z.string().min(1).max(316).describe('Label key'),
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']).describe('Kubernetes selector operator'),
    values: z
      .array(z.string().max(63))
      .default([])
      .describe('Values; non-empty for In/NotIn, empty otherwise'),
  })
  .superRefine((req, ctx) => {
    const needsValues = req.operator === 'In' || req.operator === 'NotIn';
    if (needsValues !== req.values.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['values'],
        message: needsValues ? `${req.operator} needs values` : `${req.operator} takes no values`,
      });
    }
  })
  .describe('One Kubernetes label-selector requirement');

export const NamespaceSelector = z
  .object({
    clusterIds: z
      .array(Id)
      .optional()
      .describe('Clusters the selector applies to; absent means every cluster'),
    matchLabels: Labels.default({}).describe('Namespace labels that must all match'),
    matchExpressions: z
      .array(LabelSelectorRequirement)
      .default([])
      .describe('Requirements that must all hold'),
  })
  .superRefine((sel, ctx) => {
    // An empty Kubernetes selector matches everything: here it would hand a tenant every namespace.
    if (Object.keys(sel.matchLabels).length === 0 && sel.matchExpressions.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['matchLabels'],
        message: 'an empty selector would match every namespace',
      });
    }
  })
  .describe('Label selector over namespace labels, e.g. {matchLabels: {"gov.cn/tenant": "gzdsj"}}');

export const TenantContact = z
  .object({
    name: z.string().min(1).max(128).describe('Contact name'),
    role: z
      .string()
      .max(128)
      .optional()
      .describe('Role, e.g. 安全负责人 (security officer), 运维联系人 (ops contact)'),
    phone: z.string().max(32).optional().describe('Phone number'),
    email: z.email().optional().describe('Email address'),
  })
  .describe('Contact person of the tenant');

const tenantInput = {
  name: z.string().min(1).max(256).describe('Department name, e.g. 贵州省大数据发展管理局'),
  code: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'expected letters, digits, _ . -')
    .describe('Short unique code, e.g. gzdsj or the unified social credit code (统一社会信用代码)'),
  regionCode: z
    .string()
    .regex(/^\d{6}(\d{3}|\d{6})?$/, 'expected a 6-, 9- or 12-digit administrative division code')
    .describe(
      'Administrative division code (行政区划代码, GB/T 2260; 9/12 digits below county), e.g. 520000',
    ),
  regionName: z.string().min(1).max(128).describe('Region name, e.g. 贵州省'),
  level: TenantLevel,
  parentId: TenantId.optional().describe('Parent tenant (上级单位); absent for top-level tenants'),
  contacts: z.array(TenantContact).default([]).describe('Contact people'),
  namespaces: z.array(NamespaceRef).default([]).describe('Namespaces explicitly assigned to the tenant'),
  namespaceSelector: NamespaceSelector.optional().describe('Namespaces assigned to the tenant by label'),
  quotas: ResourceQuantities.default({}).describe(
    'Resource quota across all clusters; absent amounts are unlimited',
  ),
  labels: Labels.default({}),
};

export const TenantSchema = z
  .object({ ...StoredFields, schemaVersion: SchemaVersion, ...tenantInput })
  .describe('A tenant (委办局): its id is the tenantId other documents carry')
  .openapi('Tenant');
export type Tenant = z.infer<typeof TenantSchema>;

export const TenantCreateSchema = z
  .strictObject(tenantInput)
  .describe('Creation of a tenant')
  .openapi('TenantCreate');
export type TenantCreate = z.infer<typeof TenantCreateSchema>;
