/** Kubernetes core/v1 Event → model KubeEvent; only Warning events are kept. */
import type { CoreV1Event } from '@kubernetes/client-node';
import type { KubeEvent } from '../../../server/model/index.js';
import type { NewDoc } from '../../../server/store/port.js';
import { clip, isoTime, objectFields, type TenantOf } from './common.js';

/** Undefined for anything but a Warning, in case an API server ignores the type=Warning selector. */
export function kubeEventFrom(
  clusterId: string,
  event: CoreV1Event,
  tenantOf: TenantOf,
): NewDoc<KubeEvent> | undefined {
  if (event.type !== 'Warning') return undefined;
  const namespace = event.metadata?.namespace ?? '';
  const involved = event.involvedObject;
  // Events written through events.k8s.io/v1 carry eventTime and a series instead of the legacy fields.
  const { series } = event;
  return {
    ...objectFields(clusterId, event.metadata),
    namespace,
    tenantId: tenantOf(clusterId, namespace),
    involvedObject: {
      kind: involved.kind ?? 'Unknown',
      name: involved.name ?? 'unknown',
      namespace: involved.namespace || undefined,
      uid: involved.uid || undefined,
    },
    reason: clip(event.reason, 256) ?? 'Unknown',
    message: clip(event.message, 2000),
    count: Math.max(1, series?.count ?? event.count ?? 1),
    firstTimestamp: isoTime(event.firstTimestamp ?? event.eventTime),
    lastTimestamp: isoTime(event.lastTimestamp ?? series?.lastObservedTime ?? event.eventTime),
    sourceComponent: event.source?.component || event.reportingComponent || undefined,
  };
}
