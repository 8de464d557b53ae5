/**
 * The sources that have a receiver route, with their normaliser: one table read by the routes, the
 * pipeline and the normalisation worker threads.
 */
import type { EventSource } from '../model/fragments.js';
import {
  alertmanagerEvents,
  falcoEvents,
  k8sAuditEvents,
  kubeBenchEvents,
  ocsfEvents,
  trivyEvents,
  type KubeBenchContext,
  type NormalizeResult,
} from './normalize/index.js';

export type Normalizer = (payload: unknown, ctx: KubeBenchContext) => NormalizeResult;

export const RECEIVERS = {
  'k8s-audit': k8sAuditEvents,
  falco: falcoEvents,
  alertmanager: alertmanagerEvents,
  ocsf: ocsfEvents,
  // Uploads of scanner output: kube-bench --json of one node, Trivy-operator reports (kubectl get -o json).
  'kube-bench': kubeBenchEvents,
  trivy: trivyEvents,
} satisfies Partial<Record<EventSource, Normalizer>>;
export type ReceiverSource = keyof typeof RECEIVERS;

export const isReceiverSource = (source: string): source is ReceiverSource =>
  Object.hasOwn(RECEIVERS, source);
