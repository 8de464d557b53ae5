/** Kubernetes Node → model Node. */
import type { V1Node } from '@kubernetes/client-node';
import { osFamilyOf, toArch, type Node, type TaintEffect } from '../../../server/model/index.js';
import type { NewDoc } from '../../../server/store/port.js';
import { acceleratorsOf } from '../../heterogeneity/accelerators.js';
import { cpuProfileOf } from '../../heterogeneity/cpu-profile.js';
import { osProfileOf } from '../../heterogeneity/os-profile.js';
import { objectFields, quantities } from './common.js';

const TAINT_EFFECTS: readonly string[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function nodeFrom(clusterId: string, k8sNode: V1Node): NewDoc<Node> {
  const info = k8sNode.status?.nodeInfo;
  const conditions = k8sNode.status?.conditions ?? [];
  const isTrue = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
  const ready = conditions.find((c) => c.type === 'Ready')?.status;
  const cpu = cpuProfileOf(k8sNode);
  const os = osProfileOf(info?.osImage ?? '');
  const reportedArch = info?.architecture || 'unknown';

  return {
    ...objectFields(clusterId, k8sNode.metadata),
    arch: toArch(reportedArch),
    reportedArch,
    cpu,
    osFamily: osFamilyOf(info?.osImage ?? ''),
    osImage: info?.osImage ?? '',
    ...(os.version ? { osVersion: [os.version, os.servicePack].filter(Boolean).join(' ') } : {}),
    kernelVersion: info?.kernelVersion ?? '',
    containerRuntimeVersion: info?.containerRuntimeVersion ?? '',
    kubeletVersion: info?.kubeletVersion ?? '',
    internalIp: k8sNode.status?.addresses?.find((a) => a.type === 'InternalIP')?.address,
    capacity: quantities(k8sNode.status?.capacity),
    allocatable: quantities(k8sNode.status?.allocatable),
    accelerators: acceleratorsOf(k8sNode),
    conditions: {
      ready: ready === 'True' ? 'true' : ready === 'False' ? 'false' : 'unknown',
      memoryPressure: isTrue('MemoryPressure'),
      diskPressure: isTrue('DiskPressure'),
      pidPressure: isTrue('PIDPressure'),
      networkUnavailable: isTrue('NetworkUnavailable'),
    },
    taints: (k8sNode.spec?.taints ?? [])
      .filter((t) => TAINT_EFFECTS.includes(t.effect))
      .map((t) => ({ key: t.key, value: t.value || undefined, effect: t.effect as TaintEffect })),
    unschedulable: k8sNode.spec?.unschedulable ?? false,
  };
}
