/** A Kubernetes pod as collected, with the per-container state triage needs. */
import { z, StoredFields, Timestamp } from './common.js';
import {
  DerivedTenantId,
  K8sObjectFields,
  NamespaceName,
  OwnerRef,
  ResourceQuantities,
  SchemaVersion,
} from './fragments.js';

export const PodPhase = z
  .enum(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'])
  .describe('Kubernetes pod status.phase');
export type PodPhase = z.infer<typeof PodPhase>;

export const ContainerStateKind = z
  .enum(['waiting', 'running', 'terminated', 'unknown'])
  .describe('Current container state');

const reason = z
  .string()
  .max(256)
  .optional()
  .describe('Machine-readable reason, e.g. CrashLoopBackOff, ImagePullBackOff, OOMKilled, StartError');
const message = z
  .string()
  .max(4096)
  .optional()
  .describe(
    'Human-readable detail, e.g. a runtime error ending in "exec format error" (image built for another arch)',
  );

export const ContainerStatus = z
  .object({
    name: z.string().min(1).max(253).describe('Container name'),
    image: z.string().min(1).max(1024).describe('Image reference from the pod spec'),
    imageId: z.string().max(1024).optional().describe('Resolved image id (digest) from the container status'),
    init: z.boolean().default(false).describe('Whether this is an init container'),
    ready: z.boolean().default(false).describe('Container readiness'),
    restartCount: z.int().nonnegative().default(0).describe('Restart count'),
    state: ContainerStateKind,
    reason,
    message,
    lastTermination: z
      .object({
        reason,
        message,
        exitCode: z.int().describe('Exit code of the last run'),
        finishedAt: Timestamp.optional().describe('When the last run ended'),
      })
      .optional()
      .describe('lastState.terminated: why the previous run ended'),
    requests: ResourceQuantities.default({}).describe('resources.requests'),
    limits: ResourceQuantities.default({}).describe('resources.limits'),
  })
  .describe('Spec and status of one container');
export type ContainerStatus = z.infer<typeof ContainerStatus>;

export const PodSchema = z
  .object({
    ...StoredFields,
    schemaVersion: SchemaVersion,
    ...K8sObjectFields,
    namespace: NamespaceName,
    tenantId: DerivedTenantId,
    phase: PodPhase,
    nodeName: z.string().max(253).optional().describe('Node the pod is scheduled on (spec.nodeName)'),
    owner: OwnerRef.optional().describe(
      'Top-level workload owning the pod, resolved through ReplicaSets and Jobs (e.g. the Deployment); absent for bare pods',
    ),
    podIp: z.union([z.ipv4(), z.ipv6()]).optional().describe('status.podIP'),
    qosClass: z.enum(['Guaranteed', 'Burstable', 'BestEffort']).optional().describe('status.qosClass'),
    startedAt: Timestamp.optional().describe('status.startTime'),
    containers: z.array(ContainerStatus).min(1).describe('Containers and init containers'),
  })
  .describe('A Kubernetes pod')
  .openapi('Pod');
export type Pod = z.infer<typeof PodSchema>;
