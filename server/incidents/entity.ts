/**
 * "The same entity" for grouping alerts into incidents: the same tenant and the same workload
 * (cluster + namespace + workload name), the same pod, or the same acting user name. An alert names
 * up to three entities; two alerts are about the same thing when they share one.
 */
import type { Alert } from '../model/alert.js';
import type { Filter } from '../store/port.js';

export interface EntityRef {
  /** Stable text identifying the entity within its tenant; also the in-process lock key. */
  key: string;
  /** The alerts collection filter finding alerts about this entity. */
  filter: Filter;
}

/** The tenant part of every key and filter: an alert without a tenant is platform-wide. */
const tenantOf = (alert: Pick<Alert, 'tenantId'>) => alert.tenantId ?? null;

export function entitiesOf(alert: Pick<Alert, 'tenantId' | 'k8s' | 'user'>): EntityRef[] {
  const tenantId = tenantOf(alert);
  const prefix = `${tenantId ?? '-'}|`;
  const out: EntityRef[] = [];
  const k8s = alert.k8s;
  if (k8s?.namespace && k8s.workloadName)
    out.push({
      key: `${prefix}workload|${k8s.clusterId}|${k8s.namespace}|${k8s.workloadName}`,
      filter: {
        tenantId,
        'k8s.clusterId': k8s.clusterId,
        'k8s.namespace': k8s.namespace,
        'k8s.workloadName': k8s.workloadName,
      },
    });
  if (k8s?.pod)
    out.push({
      key: `${prefix}pod|${k8s.clusterId}|${k8s.namespace ?? ''}|${k8s.pod}`,
      filter: {
        tenantId,
        'k8s.clusterId': k8s.clusterId,
        'k8s.namespace': k8s.namespace ?? null,
        'k8s.pod': k8s.pod,
      },
    });
  if (alert.user?.name)
    out.push({ key: `${prefix}user|${alert.user.name}`, filter: { tenantId, 'user.name': alert.user.name } });
  return out;
}

export function sameEntity(
  a: Pick<Alert, 'tenantId' | 'k8s' | 'user'>,
  b: Pick<Alert, 'tenantId' | 'k8s' | 'user'>,
): boolean {
  const keys = new Set(entitiesOf(a).map((e) => e.key));
  return entitiesOf(b).some((e) => keys.has(e.key));
}
