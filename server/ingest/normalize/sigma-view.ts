/**
 * The event as Sigma rules see it. Rules for `product: kubernetes, service: audit` name the audit
 * Event's own fields (`verb`, `objectRef.resource`, `user.username`, `responseStatus.code`…), and
 * Falco-oriented rules name Falco's output fields (`k8s.ns.name`, `proc.cmdline`…) plus `rule`
 * and `priority`; both views are rebuilt from the kept `raw` payload, so no mapping is needed.
 */
import type { EngineEvent } from '../../detection/engine.js';
import type { EventLogsource } from '../../detection/sigma/rule-set.js';
import type { SigmaEvent } from '../../detection/sigma/compile.js';
import { isObj, type NewSecurityEvent } from './common.js';
import { auditEventOf } from './k8s-audit.js';
import { kubeBenchResultOf } from './kube-bench.js';
import { trivyFindingOf } from './trivy.js';

/** Fields for `SigmaRuleSet.match`; sources without a Sigma convention expose the event itself. */
export function sigmaView(event: Pick<NewSecurityEvent, 'source' | 'raw'>): SigmaEvent {
  const raw = event.raw;
  if (event.source === 'k8s-audit') {
    const audit = auditEventOf(raw);
    if (isObj(audit)) return audit;
  }
  if (event.source === 'falco' && isObj(raw)) {
    const fields = isObj(raw['output_fields']) ? raw['output_fields'] : {};
    return {
      ...fields,
      rule: raw['rule'] ?? raw['Rule'],
      priority: raw['priority'],
      output: raw['output'],
      source: raw['source'],
      tags: raw['tags'],
      hostname: raw['hostname'],
      time: raw['time'],
    };
  }
  if (event.source === 'trivy') {
    const finding = trivyFindingOf(raw);
    if (finding !== undefined) return finding;
  }
  if (event.source === 'kube-bench') {
    const result = kubeBenchResultOf(raw);
    if (result !== undefined) return result;
  }
  // The stored KubeEvent: `reason`, `message`, `involvedObject.kind`, `count`, `sourceComponent`…
  if (event.source === 'k8s-event' && isObj(raw)) return raw;
  return { ...event };
}

/** The logsource to match an event's view against. */
export function sigmaLogsource(event: Pick<NewSecurityEvent, 'source'>): EventLogsource {
  switch (event.source) {
    case 'k8s-audit':
      return { product: 'kubernetes', service: 'audit' };
    case 'falco':
      return { product: 'falco' };
    // Sigma's taxonomy has no service for Kubernetes events; `events` sits beside `audit`.
    case 'k8s-event':
      return { product: 'kubernetes', service: 'events' };
    default:
      return { product: event.source };
  }
}

/** A security event as the DetectionEngine takes it, under the id it is (or would be) stored with. */
export function engineEventOf(
  id: string,
  event: Pick<NewSecurityEvent, 'source' | 'raw' | 'time'>,
): EngineEvent {
  return { id, time: Date.parse(event.time), view: sigmaView(event), logsource: sigmaLogsource(event) };
}
