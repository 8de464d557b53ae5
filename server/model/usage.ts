/**
 * Live resource usage of a node or namespace, as last read from the cluster's Prometheus. Kept apart
 * from the inventory documents, which the Kubernetes collector rewrites whole, so that neither
 * overwrites the other and usage refreshes do not churn inventory versions.
 */
import { z, StoredFields, TenantId, Timestamp } from './common.js';
import { SchemaVersion } from './fragments.js';

export const UsageValue = z
  .object({
    value: z.number().nullable().describe('The value; null for +Inf, -Inf and NaN, which JSON cannot hold'),
    raw: z.string().max(64).describe("Prometheus' own text for the value, e.g. 0.42 or +Inf"),
  })
  .describe('One sample value');

export const UsageSchema = z
  .object({
    ...StoredFields,
    schemaVersion: SchemaVersion,
    clusterId: z.string().min(1).max(256).describe('Cluster the object belongs to'),
    kind: z.enum(['node', 'namespace']).describe('What the usage is of'),
    name: z.string().min(1).max(253).describe('Node or namespace name'),
    tenantId: TenantId.optional().describe('Owning tenant of a namespace'),
    at: Timestamp.describe('Evaluation time of the queries'),
    metrics: z
      .record(z.string().max(64), UsageValue)
      .describe('Metric name → value, e.g. cpuUtilisation, memoryBytes, requests.cpuCores'),
  })
  .describe('Usage of a node or namespace')
  .openapi('Usage');
export type Usage = z.infer<typeof UsageSchema>;
