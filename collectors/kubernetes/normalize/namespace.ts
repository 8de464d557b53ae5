/** Kubernetes Namespace → model Namespace. */
import type { V1Namespace } from '@kubernetes/client-node';
import type { Namespace } from '../../../server/model/index.js';
import type { NewDoc } from '../../../server/store/port.js';
import { objectFields, type TenantOf } from './common.js';

export function namespaceFrom(clusterId: string, k8sNs: V1Namespace, tenantOf: TenantOf): NewDoc<Namespace> {
  const fields = objectFields(clusterId, k8sNs.metadata);
  return {
    ...fields,
    tenantId: tenantOf(clusterId, fields.name, fields.labels),
    phase: k8sNs.status?.phase === 'Terminating' ? 'Terminating' : 'Active',
  };
}
