/**
 * Stored Kubernetes Warning events (`kube_events`, collected by collectors/kubernetes) → OCSF
 * Application Lifecycle (class 6002, activity 99 Other).
 *
 * Why 6002: a Warning event is a Kubernetes component (kubelet, scheduler, a controller) reporting
 * that a workload could not be created, scheduled, mounted, started or kept running. That is the
 * lifecycle of an application, which is what 6002 describes. It is not API Activity (6003: no actor
 * called an API; the audit log covers that) nor Process Activity (1007: no OS process is observed).
 * Activity 99 Other because the reason names what went wrong, not which lifecycle step it was.
 *
 * Every Warning event becomes a security event, at Low unless its reason is worth a closer look
 * (Medium, see MEDIUM_REASONS); which of them matter is for detection rules to decide.
 *
 * `sourceEventId` is `cluster/uid/count`: Kubernetes folds repeats into one Event object and raises
 * its count, so each new count is a new occurrence, while re-reading an unchanged event dedups.
 */
import type { z } from '../../model/common.js';
import { KubeEventSchema } from '../../model/kube-event.js';
import {
  OCSF_VERSION,
  accept,
  compact,
  emptyResult,
  ocsfIds,
  forEachValid,
  locateRecords,
  tenantFor,
  type NormalizeContext,
  type NormalizeResult,
} from './common.js';

/** A kube_events document as stored or about to be: the store-managed fields are not needed. */
const StoredKubeEvent = KubeEventSchema.omit({ id: true, version: true, createdAt: true, updatedAt: true });

/** Reasons that point at something a SOC may care about; all other Warning reasons are Low. */
const MEDIUM_REASONS = new Set([
  // A controller could not create pods: often an admission denial (Pod Security, a policy engine).
  'FailedCreate',
  // Probes failing: the workload is not doing what it should.
  'Unhealthy',
  // Memory exhaustion (runaway or hostile workloads, e.g. miners) and the evictions it causes.
  'OOMKilling',
  'SystemOOM',
  'Evicted',
  // A node restarted without being drained.
  'Rebooted',
]);

/** OCSF severity_id of a Warning event: 3 Medium for MEDIUM_REASONS, 2 Low otherwise. */
export const kubeEventSeverity = (reason: string): 2 | 3 => (MEDIUM_REASONS.has(reason) ? 3 : 2);

/**
 * The API resource of a kind, guessed as apimachinery's UnsafeGuessKindToResource does
 * (Pod → pods, NetworkPolicy → networkpolicies, Ingress → ingresses): OCSF resource types here are
 * resource names, as the audit log spells them.
 */
export function resourceOfKind(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('s')) return `${lower}es`;
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

type StoredKubeEvent = z.infer<typeof StoredKubeEvent>;

function toEvent(e: StoredKubeEvent, received: unknown, ctx: NormalizeContext): object {
  const involved = e.involvedObject;
  // Events about cluster-scoped objects (Nodes) are filed in `default`; they belong to no tenant.
  const namespace = involved.namespace;
  // The event's own times when it has them; the object's creation time as a last resort.
  const time = e.lastTimestamp ?? e.firstTimestamp ?? e.k8sCreatedAt;
  return {
    source: 'k8s-event',
    sourceEventId: `${e.clusterId}/${e.uid}/${e.count}`,
    ...ocsfIds(6002, 99),
    severity_id: kubeEventSeverity(e.reason),
    time,
    message: `${e.reason} ${involved.kind} ${[namespace, involved.name].filter(Boolean).join('/')}${
      e.message !== undefined ? `: ${e.message}` : ''
    }`,
    metadata: compact({
      product: { name: 'Kubernetes', vendor_name: 'CNCF' },
      version: OCSF_VERSION,
      uid: e.uid,
      original_time: time,
    }),
    resources: [
      compact({ type: resourceOfKind(involved.kind), name: involved.name, namespace, uid: involved.uid }),
    ],
    k8s: compact({
      clusterId: e.clusterId,
      namespace,
      pod: involved.kind === 'Pod' ? involved.name : undefined,
      node: involved.kind === 'Node' ? involved.name : undefined,
    }),
    tenantId: namespace !== undefined ? (e.tenantId ?? tenantFor(ctx, e.clusterId, namespace)) : undefined,
    raw: received,
  };
}

/**
 * Normalises stored Warning events: one document, an array, or NDJSON. The document already names
 * its cluster and tenant; `ctx.tenantOf` only fills a tenant the collector could not resolve.
 */
export function kubeEventEvents(payload: unknown, ctx: NormalizeContext = {}): NormalizeResult {
  const result = emptyResult();
  forEachValid(locateRecords(payload), StoredKubeEvent, result, (e, index, { at, value }) => {
    if (e.lastTimestamp === undefined && e.firstTimestamp === undefined && e.k8sCreatedAt === undefined) {
      result.rejected.push({
        index,
        path: `${at}.lastTimestamp`,
        message: 'a Warning event needs lastTimestamp, firstTimestamp or k8sCreatedAt',
      });
      return;
    }
    accept(result, index, `${at}→event`, toEvent(e, value, ctx));
  });
  return result;
}
