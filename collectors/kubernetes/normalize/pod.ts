/** Kubernetes Pod → model Pod, with the container state arch triage needs. */
import type { V1Container, V1ContainerState, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { PodPhase, type OwnerRef, type Pod } from '../../../server/model/index.js';
import type { NewDoc } from '../../../server/store/port.js';
import { clip, controllerOf, isoTime, objectFields, quantities, type TenantOf } from './common.js';

/**
 * The controller of a collected intermediate owner (ReplicaSet, Job): its own controlling owner,
 * `null` when it has none, `undefined` when that intermediate has not been collected.
 */
export type OwnerLookup = (namespace: string, owner: OwnerRef) => OwnerRef | null | undefined;

const INTERMEDIATE_KINDS = new Set(['ReplicaSet', 'Job']);
const QOS_CLASSES = new Set(['Guaranteed', 'Burstable', 'BestEffort']);

/**
 * The top-level workload of a pod. Through a collected ReplicaSet or Job, `lookup` gives its
 * controller. A ReplicaSet that was not collected is `<deployment>-<pod-template-hash>` by
 * construction, so the Deployment is its name minus the pod's `pod-template-hash` label; when the
 * two do not line up (a hand-made ReplicaSet) the ReplicaSet itself is the owner.
 */
export function podOwner(pod: V1Pod, lookup?: OwnerLookup): OwnerRef | undefined {
  const ref = controllerOf(pod.metadata);
  if (!ref) return undefined;
  const direct: OwnerRef = { kind: ref.kind, name: ref.name };
  if (!INTERMEDIATE_KINDS.has(ref.kind)) return direct;
  const looked = lookup?.(pod.metadata?.namespace ?? '', direct);
  if (looked !== undefined) return looked ?? direct;
  const hash = pod.metadata?.labels?.['pod-template-hash'];
  if (ref.kind === 'ReplicaSet' && hash && ref.name.endsWith(`-${hash}`)) {
    return { kind: 'Deployment', name: ref.name.slice(0, -hash.length - 1) };
  }
  return direct;
}

function stateOf(state: V1ContainerState | undefined) {
  if (state?.waiting) return { state: 'waiting' as const, ...detail(state.waiting) };
  if (state?.running) return { state: 'running' as const };
  if (state?.terminated) return { state: 'terminated' as const, ...detail(state.terminated) };
  return { state: 'unknown' as const };
}

const detail = (s: { reason?: string; message?: string }) => ({
  reason: clip(s.reason, 256),
  message: clip(s.message, 4096),
});

function containerFrom(spec: V1Container, status: V1ContainerStatus | undefined, init: boolean) {
  const last = status?.lastState?.terminated;
  return {
    name: spec.name,
    image: spec.image || status?.image || 'unknown',
    imageId: clip(status?.imageID, 1024),
    init,
    ready: status?.ready ?? false,
    restartCount: status?.restartCount ?? 0,
    ...stateOf(status?.state),
    lastTermination: last
      ? { ...detail(last), exitCode: last.exitCode, finishedAt: isoTime(last.finishedAt) }
      : undefined,
    requests: quantities(spec.resources?.requests),
    limits: quantities(spec.resources?.limits),
  };
}

export function podFrom(
  clusterId: string,
  k8sPod: V1Pod,
  tenantOf: TenantOf,
  lookup?: OwnerLookup,
): NewDoc<Pod> {
  const namespace = k8sPod.metadata?.namespace ?? '';
  const { spec, status } = k8sPod;
  const byName = (list: V1ContainerStatus[] | undefined, name: string) => list?.find((s) => s.name === name);
  const phase = PodPhase.safeParse(status?.phase);
  const qosClass = status?.qosClass;

  return {
    ...objectFields(clusterId, k8sPod.metadata),
    namespace,
    tenantId: tenantOf(clusterId, namespace),
    phase: phase.success ? phase.data : 'Unknown',
    nodeName: spec?.nodeName,
    owner: podOwner(k8sPod, lookup),
    podIp: status?.podIP || undefined,
    qosClass: qosClass && QOS_CLASSES.has(qosClass) ? (qosClass as Pod['qosClass']) : undefined,
    startedAt: isoTime(status?.startTime),
    containers: [
      ...(spec?.initContainers ?? []).map((c) =>
        containerFrom(c, byName(status?.initContainerStatuses, c.name), true),
      ),
      ...(spec?.containers ?? []).map((c) =>
        containerFrom(c, byName(status?.containerStatuses, c.name), false),
      ),
    ],
  };
}
