/** A Kubernetes cluster registered with Yunshu, and the health of Yunshu's connection to it. */
import { z, Id, Labels, StoredFields, Timestamp } from './common.js';
import { SchemaVersion, SecretRef } from './fragments.js';

export const ClusterStatus = z
  .enum(['connected', 'degraded', 'unreachable', 'unknown'])
  .describe(
    'Connection health: connected, degraded (partly failing, e.g. an informer or Prometheus down), unreachable (API server not answering; inventory is stale, not empty), unknown (never contacted)',
  );
export type ClusterStatus = z.infer<typeof ClusterStatus>;

const HttpUrl = z.url({ protocol: /^https?$/ }).max(2048);

export const PrometheusConfig = z
  .object({
    url: HttpUrl.describe('Base URL of the Prometheus HTTP API, e.g. https://prometheus.gz-1.example:9090'),
    authRef: SecretRef.optional().describe(
      'Reference to the Prometheus credentials (basic auth or bearer token)',
    ),
  })
  .describe('Where to query this cluster’s metrics');

const clusterInput = {
  cloudId: Id.describe('Cloud the cluster runs on'),
  name: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a lowercase DNS label, e.g. gz-prod-1')
    .describe('Short name, unique within the cloud, e.g. gz-prod-1'),
  displayName: z.string().max(256).optional().describe('Human-readable name, e.g. 贵阳政务生产集群一'),
  apiServerUrl: HttpUrl.describe('Kubernetes API server URL'),
  credentialRef: SecretRef.describe(
    'Reference to the kubeconfig or service-account token; never the credential itself',
  ),
  prometheus: PrometheusConfig.optional(),
  labels: Labels.default({}),
};

export const ClusterSchema = z
  .object({
    ...StoredFields,
    schemaVersion: SchemaVersion,
    ...clusterInput,
    status: ClusterStatus.default('unknown'),
    lastSeenAt: Timestamp.optional().describe('Last successful contact with the API server'),
    statusMessage: z.string().max(2000).optional().describe('Why the cluster is degraded or unreachable'),
    kubernetesVersion: z
      .string()
      .max(64)
      .optional()
      .describe('API server version as discovered (version.gitVersion), e.g. v1.28.3'),
  })
  .describe('A Kubernetes cluster')
  .openapi('Cluster');
export type Cluster = z.infer<typeof ClusterSchema>;

export const ClusterCreateSchema = z
  .strictObject(clusterInput)
  .describe('Registration of a Kubernetes cluster')
  .openapi('ClusterCreate');
export type ClusterCreate = z.infer<typeof ClusterCreateSchema>;
