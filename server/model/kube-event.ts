/** A Kubernetes Warning event as collected (Normal events are not kept: too many, too little signal). */
import { z, StoredFields, Timestamp } from './common.js';
import { DerivedTenantId, K8sObjectFields, NamespaceName, SchemaVersion } from './fragments.js';

const Field = z.string().min(1).max(253);

export const KubeEventSchema = z
  .object({
    ...StoredFields,
    schemaVersion: SchemaVersion,
    ...K8sObjectFields,
    namespace: NamespaceName,
    tenantId: DerivedTenantId,
    involvedObject: z
      .object({
        kind: Field.describe('Kind of the object, e.g. Pod, Node'),
        name: Field.describe('Name of the object'),
        namespace: NamespaceName.optional().describe(
          'Namespace of the object; absent for cluster-scoped ones',
        ),
        uid: z.string().max(64).optional().describe('metadata.uid of the object'),
      })
      .describe('The object the event is about'),
    reason: z.string().min(1).max(256).describe('Machine-readable reason, e.g. BackOff, FailedScheduling'),
    message: z.string().max(2000).optional().describe('Human-readable message, clipped to 2000 characters'),
    count: z.int().min(1).default(1).describe('How often the event occurred (series count included)'),
    firstTimestamp: Timestamp.optional().describe('When the event first occurred'),
    lastTimestamp: Timestamp.optional().describe('When the event last occurred'),
    sourceComponent: z
      .string()
      .max(253)
      .optional()
      .describe('Component that reported it: source.component or reportingComponent, e.g. kubelet'),
  })
  .describe('A Kubernetes Warning event')
  .openapi('KubeEvent');
export type KubeEvent = z.infer<typeof KubeEventSchema>;
