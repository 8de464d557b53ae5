/** Kubernetes Deployment / StatefulSet / DaemonSet / Job / CronJob → model Workload. */
import type {
  V1CronJob,
  V1DaemonSet,
  V1Deployment,
  V1Job,
  V1PodTemplateSpec,
  V1StatefulSet,
} from '@kubernetes/client-node';
import type { Workload, WorkloadKind } from '../../../server/model/index.js';
import type { NewDoc } from '../../../server/store/port.js';
import { allowedArchsOf, controllerOf, objectFields, ownerRef, type TenantOf } from './common.js';

export interface WorkloadObjects {
  Deployment: V1Deployment;
  StatefulSet: V1StatefulSet;
  DaemonSet: V1DaemonSet;
  Job: V1Job;
  CronJob: V1CronJob;
}

interface Shape {
  template: V1PodTemplateSpec | undefined;
  desired: number;
  ready: number;
}

/** Where each kind keeps its pod template and replica counts (see the model's `replicas`). */
function shapeOf<K extends WorkloadKind>(kind: K, obj: WorkloadObjects[K]): Shape {
  switch (kind) {
    case 'Deployment':
    case 'StatefulSet': {
      const o = obj as V1Deployment | V1StatefulSet;
      return {
        template: o.spec?.template,
        desired: o.spec?.replicas ?? 1,
        ready: o.status?.readyReplicas ?? 0,
      };
    }
    case 'DaemonSet': {
      const o = obj as V1DaemonSet;
      return {
        template: o.spec?.template,
        desired: o.status?.desiredNumberScheduled ?? 0,
        ready: o.status?.numberReady ?? 0,
      };
    }
    case 'Job': {
      const o = obj as V1Job;
      return { template: o.spec?.template, desired: o.spec?.parallelism ?? 1, ready: o.status?.ready ?? 0 };
    }
    default: {
      // A CronJob has no pods of its own: desired is its running Jobs, and readiness lives on them.
      const o = obj as V1CronJob;
      return {
        template: o.spec?.jobTemplate?.spec?.template,
        desired: o.status?.active?.length ?? 0,
        ready: 0,
      };
    }
  }
}

export function workloadFrom<K extends WorkloadKind>(
  clusterId: string,
  kind: K,
  obj: WorkloadObjects[K],
  tenantOf: TenantOf,
): NewDoc<Workload> {
  const namespace = obj.metadata?.namespace ?? '';
  const { template, desired, ready } = shapeOf(kind, obj);
  const podSpec = template?.spec;
  const images = [...(podSpec?.initContainers ?? []), ...(podSpec?.containers ?? [])]
    .map((c) => c.image)
    .filter((image): image is string => Boolean(image));

  return {
    ...objectFields(clusterId, obj.metadata),
    namespace,
    kind,
    tenantId: tenantOf(clusterId, namespace),
    replicas: { desired, ready },
    // Registry platforms are filled in later by the image-platform resolver.
    images: [...new Set(images)].map((image) => ({ image })),
    nodeSelector: { ...podSpec?.nodeSelector },
    allowedArchs: allowedArchsOf(podSpec),
    owner: ownerRef(controllerOf(obj.metadata)),
  };
}
