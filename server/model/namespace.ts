/** A Kubernetes namespace as collected; the unit tenants (委办局) own. */
import { z, StoredFields } from './common.js';
import { DerivedTenantId, K8sObjectFields, NamespaceName, SchemaVersion } from './fragments.js';

export const NamespacePhase = z.enum(['Active', 'Terminating']).describe('Kubernetes namespace status.phase');

export const NamespaceSchema = z
  .object({
    ...StoredFields,
    schemaVersion: SchemaVersion,
    ...K8sObjectFields,
    name: NamespaceName,
    tenantId: DerivedTenantId,
    phase: NamespacePhase.default('Active'),
  })
  .describe('A Kubernetes namespace')
  .openapi('Namespace');
export type Namespace = z.infer<typeof NamespaceSchema>;
