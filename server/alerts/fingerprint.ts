/**
 * Alert fingerprints: which detections are "the same alert". A detection rule's hits fold per
 * entity (tenant, cluster, namespace, workload or pod, acting user), so one noisy pod is one alert
 * and two attacked workloads are two; a correlation's hits fold per its own group-by values.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { DetectionHit } from '../detection/engine.js';
import type { SecurityEvent } from '../model/security-event.js';

/** The values that decide which alert a hit folds into, besides the rule. */
export function groupingOf(hit: DetectionHit, event: SecurityEvent): Record<string, string> {
  if (hit.rule.kind === 'correlation') return { tenant: event.tenantId ?? '', ...hit.groupBy };
  const k8s = event.k8s;
  return {
    tenant: event.tenantId ?? '',
    cluster: k8s?.clusterId ?? '',
    namespace: k8s?.namespace ?? '',
    // A workload's pods come and go; the workload is the thing under attack.
    object: k8s?.workloadName ? `${k8s.workloadKind ?? ''}/${k8s.workloadName}` : (k8s?.pod ?? ''),
    user: event.actor?.user?.name ?? '',
  };
}

/** SHA-256 of the rule id and the canonical JSON of the grouping values, as 32 hex characters. */
export function alertFingerprint(ruleId: string, grouping: Record<string, string>): string {
  return createHash('sha256')
    .update(canonicalize({ ruleId, grouping }) ?? '')
    .digest('hex')
    .slice(0, 32);
}
