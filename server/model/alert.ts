/**
 * A deduplicated alert: every detection with the same fingerprint folds into one document
 * (occurrenceCount, lastSeenAt) instead of flooding the queue.
 */
import { z, Id, StoredFields, Timestamp } from './common.js';
import {
  DerivedTenantId,
  EventSource,
  K8sRef,
  MitreTactic,
  MitreTechniqueId,
  SchemaVersion,
  Severity,
  UserId,
  Verdict,
  requireNotBefore,
  verdictOnlyWhenClosed,
} from './fragments.js';
import { OcsfUser } from './security-event.js';

export const AlertStatus = z
  .enum(['new', 'acknowledged', 'in_progress', 'closed'])
  .describe(
    'Triage status: new, acknowledged (seen by an analyst), in_progress (being investigated), closed',
  );
export type AlertStatus = z.infer<typeof AlertStatus>;

export const MitreAttack = z
  .object({
    tactics: z.array(MitreTactic).default([]).describe('ATT&CK tactics'),
    techniques: z.array(MitreTechniqueId).default([]).describe('ATT&CK techniques / sub-techniques'),
  })
  .describe('MITRE ATT&CK mapping of the rule');

export const AlertSchema = z
  .object({
    ...StoredFields,
    schemaVersion: SchemaVersion,
    fingerprint: z
      .string()
      .regex(/^[0-9a-f]{16,128}$/, 'expected a lowercase hex digest')
      .describe(
        'Deduplication key (hex digest of the rule id and grouping fields); unique, so a recurrence after closing reopens this alert',
      ),
    ruleId: z.string().min(1).max(256).describe('Id of the detection rule (Sigma rule id, Falco rule name…)'),
    title: z.string().min(1).max(1024).describe('Rule title'),
    description: z.string().max(16_384).optional().describe('What was detected and why it matters'),
    severity: Severity,
    status: AlertStatus.default('new'),
    verdict: Verdict.optional(),
    source: EventSource.describe('Source of the evidence events'),
    occurrenceCount: z.int().min(1).describe('How many detections were folded into this alert'),
    firstSeenAt: Timestamp.describe('Time of the first detection'),
    lastSeenAt: Timestamp.describe('Time of the latest detection'),
    suppressedUntil: Timestamp.optional().describe(
      'Further occurrences only count, without notifying, until then',
    ),
    mitre: MitreAttack.default({ tactics: [], techniques: [] }),
    evidenceEventIds: z
      .array(Id)
      .max(100)
      .default([])
      .describe('Security events that triggered the alert (at most 100: the first ones and the latest)'),
    k8s: K8sRef.optional().describe('Kubernetes entities the alert is about'),
    user: OcsfUser.optional().describe(
      'Acting user the alert is about, e.g. the Kubernetes user of an audit event',
    ),
    searchText: z
      .string()
      .max(65_536)
      .default('')
      .describe(
        'Lowercased text the `q` filter searches: title, rule, entities, user and the evidence event ids (which embed the audit auditID / Falco uuid)',
      ),
    incidentId: Id.optional().describe('Incident the alert is grouped into'),
    assignee: UserId.optional().describe('Analyst the alert is assigned to'),
    tenantId: DerivedTenantId,
  })
  .superRefine((alert, ctx) => {
    verdictOnlyWhenClosed(alert, ctx);
    requireNotBefore(alert, ctx, 'lastSeenAt', 'firstSeenAt');
  })
  .describe('A deduplicated alert')
  .openapi('Alert');
export type Alert = z.infer<typeof AlertSchema>;
