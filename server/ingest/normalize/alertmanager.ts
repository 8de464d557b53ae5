/**
 * Prometheus Alertmanager webhook (payload version 4) → one OCSF Detection Finding (class 2004)
 * per alert: activity 1 Create while firing, 3 Close once resolved.
 *
 * `labels.severity` → severity_id: critical 5, error/high 4, warning/medium 3, low 2,
 * info/informational/none 1, missing or other 0 Unknown.
 *
 * The fingerprint identifies the alert series, not one notification: a resolved notification and a
 * later re-firing share it. The dedup key is therefore `fingerprint/status/startsAt`, which still
 * collapses Alertmanager's repeat notifications of the same firing; the bare fingerprint is kept in
 * `metadata.uid` and `finding_info.uid`.
 */
import { z } from '../../model/common.js';
import {
  OCSF_VERSION,
  SourceTime,
  accept,
  compact,
  emptyResult,
  ocsfIds,
  reject,
  splitRecords,
  tenantFor,
  toModelTime,
  type NormalizeContext,
  type NormalizeResult,
} from './common.js';

const Strings = z.record(z.string(), z.string());

const AmAlert = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  labels: Strings,
  annotations: Strings.default({}),
  startsAt: SourceTime,
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1).max(128),
});
type AmAlert = z.infer<typeof AmAlert>;

const Webhook = z.looseObject({
  version: z.literal('4'),
  receiver: z.string().optional(),
  externalURL: z.string().optional(),
  alerts: z.array(z.unknown()),
});

const SEVERITY: Record<string, 0 | 1 | 2 | 3 | 4 | 5> = {
  critical: 5,
  error: 4,
  high: 4,
  warning: 3,
  medium: 3,
  low: 2,
  info: 1,
  informational: 1,
  none: 1,
};

export const alertmanagerSeverity = (label: string | undefined): 0 | 1 | 2 | 3 | 4 | 5 =>
  (label !== undefined ? SEVERITY[label.toLowerCase()] : undefined) ?? 0;

function toEvent(alert: AmAlert, received: unknown, ctx: NormalizeContext): object {
  const { labels, annotations } = alert;
  const resolved = alert.status === 'resolved';
  // endsAt of a firing alert is only Alertmanager's expiry estimate; when resolved it is the time.
  const resolvedAt = resolved && alert.endsAt !== undefined ? toModelTime(alert.endsAt) : undefined;
  const sourceTime = resolvedAt !== undefined ? alert.endsAt! : alert.startsAt;
  const alertname = labels['alertname'] ?? alert.fingerprint;
  const clusterId = ctx.clusterId ?? labels['cluster'];
  const namespace = labels['namespace'];
  return {
    source: 'alertmanager',
    sourceEventId: `${alert.fingerprint}/${alert.status}/${alert.startsAt}`,
    ...ocsfIds(2004, resolved ? 3 : 1),
    severity_id: alertmanagerSeverity(labels['severity']),
    time: toModelTime(sourceTime),
    message: annotations['summary'] ?? annotations['description'] ?? alertname,
    metadata: {
      product: { name: 'Alertmanager', vendor_name: 'Prometheus' },
      version: OCSF_VERSION,
      uid: alert.fingerprint,
      original_time: sourceTime,
    },
    finding_info: compact({ uid: alert.fingerprint, title: alertname, desc: annotations['description'] }),
    resources: labels['pod'] !== undefined ? [compact({ type: 'pods', name: labels['pod'], namespace })] : [],
    k8s:
      clusterId !== undefined && clusterId !== ''
        ? compact({
            clusterId,
            namespace,
            pod: labels['pod'],
            container: labels['container'],
            node: labels['node'],
          })
        : undefined,
    tenantId: tenantFor(ctx, clusterId, namespace),
    raw: received,
  };
}

/**
 * Normalises one webhook payload (object or JSON text). Record indexes are alert positions; a
 * payload that is not a version 4 webhook is one rejection at index 0.
 */
export function alertmanagerEvents(payload: unknown, ctx: NormalizeContext = {}): NormalizeResult {
  const result = emptyResult();
  const [record] = splitRecords(payload);
  if (record === undefined || 'error' in record) {
    result.rejected.push({ index: 0, path: '', message: record?.error ?? 'empty payload' });
    return result;
  }
  const webhook = Webhook.safeParse(record.value);
  if (!webhook.success) {
    reject(result, 0, '', webhook.error.issues);
    return result;
  }
  webhook.data.alerts.forEach((value, index) => {
    const alert = AmAlert.safeParse(value);
    if (alert.success) accept(result, index, `alerts[${index}]→event`, toEvent(alert.data, value, ctx));
    else reject(result, index, `alerts[${index}]`, alert.error.issues);
  });
  return result;
}
