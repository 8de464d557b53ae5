/** A top-level Kubernetes workload (the controller users think in), as collected. */
import { z, Labels, StoredFields } from './common.js';
import {
  Arch,
  DerivedTenantId,
  K8sObjectFields,
  NamespaceName,
  OwnerRef,
  SchemaVersion,
} from './fragments.js';

export const WorkloadKind = z
  .enum(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'])
  .describe('Kubernetes workload kind');
export type WorkloadKind = z.infer<typeof WorkloadKind>;

export const WorkloadImage = z
  .object({
    image: z
      .string()
      .min(1)
      .max(1024)
      .describe('Image reference from the pod template, e.g. harbor.gov.cn/app/api:1.2'),
    archs: z
      .array(Arch)
      .optional()
      .describe('Architectures the image manifest provides; absent until the registry has been inspected'),
  })
  .describe('Container image used by the workload (init containers included)');

export const WorkloadSchema = z
  .object({
    ...StoredFields,
    schemaVersion: SchemaVersion,
    ...K8sObjectFields,
    namespace: NamespaceName,
    kind: WorkloadKind,
    tenantId: DerivedTenantId,
    replicas: z
      .object({
        desired: z
          .int()
          .nonnegative()
          .describe(
            'Desired pods: spec.replicas; DaemonSet desiredNumberScheduled; Job parallelism; CronJob active jobs',
          ),
        ready: z.int().nonnegative().describe('Ready pods (status.readyReplicas / numberReady / ready)'),
      })
      .describe('Replica counts'),
    images: z.array(WorkloadImage).default([]).describe('Images of the pod template'),
    nodeSelector: Labels.default({}).describe('Pod template spec.nodeSelector'),
    allowedArchs: z
      .array(Arch)
      .default([])
      .describe(
        'Architectures the pods may be scheduled on, from kubernetes.io/arch in the node selector or required node affinity; empty means unconstrained',
      ),
    owner: OwnerRef.optional().describe('Controlling owner, e.g. the CronJob of a Job'),
  })
  .describe('A Kubernetes workload')
  .openapi('Workload');
export type Workload = z.infer<typeof WorkloadSchema>;
