/**
 * A Kubernetes RoleBinding or ClusterRoleBinding as collected: who is granted which role, and the
 * risks the grant carries (computed by the collector, so the console can list risky bindings).
 */
import { z, StoredFields } from './common.js';
import { DerivedTenantId, K8sObjectFields, NamespaceName, SchemaVersion } from './fragments.js';

export const RoleBindingKind = z
  .enum(['RoleBinding', 'ClusterRoleBinding'])
  .describe('Kubernetes kind of the binding');
export type RoleBindingKind = z.infer<typeof RoleBindingKind>;

export const BindingRisk = z
  .enum([
    'cluster-admin-to-service-account',
    'binds-system-anonymous',
    'binds-system-unauthenticated',
    'wildcard-group',
  ])
  .describe(
    'Risky grant: cluster-admin-to-service-account (a pod token becomes cluster admin), binds-system-anonymous / binds-system-unauthenticated (unauthenticated callers get the role), wildcard-group (a group every authenticated user or service account is in)',
  );
export type BindingRisk = z.infer<typeof BindingRisk>;

const SubjectName = z.string().min(1).max(253);

export const BindingSubject = z
  .object({
    kind: z.enum(['User', 'Group', 'ServiceAccount']).describe('Subject kind'),
    name: SubjectName.describe('User, group or service account name, e.g. system:masters'),
    namespace: NamespaceName.optional().describe('Namespace of a ServiceAccount subject'),
  })
  .describe('Who the binding grants the role to');
export type BindingSubject = z.infer<typeof BindingSubject>;

export const RoleBindingSchema = z
  .object({
    ...StoredFields,
    schemaVersion: SchemaVersion,
    ...K8sObjectFields,
    // RBAC names are path segments, not DNS names: system:node, kubeadm:node-proxier.
    name: SubjectName.describe('Kubernetes object name'),
    kind: RoleBindingKind,
    namespace: NamespaceName.optional().describe(
      'Namespace of a RoleBinding; absent for a ClusterRoleBinding',
    ),
    tenantId: DerivedTenantId,
    roleRef: z
      .object({
        kind: z.enum(['Role', 'ClusterRole']).describe('Kind of the bound role'),
        name: SubjectName.describe('Name of the bound role, e.g. cluster-admin'),
      })
      .describe('The role granted'),
    subjects: z.array(BindingSubject).default([]).describe('Who the role is granted to'),
    risk: z.array(BindingRisk).default([]).describe('Risks of this grant; empty when none was found'),
    risky: z
      .boolean()
      .default(false)
      .describe(
        'Whether risk is non-empty; a scalar the stores can index and filter on, which the emptiness of an array is not',
      ),
  })
  .describe('A Kubernetes RoleBinding or ClusterRoleBinding')
  .openapi('RoleBinding');
export type RoleBinding = z.infer<typeof RoleBindingSchema>;
