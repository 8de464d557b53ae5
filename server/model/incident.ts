/**
 * An incident groups related alerts and carries the MTTx timestamps, exactly as DESIGN.md
 * defines them: MTTD = detectedAt − occurredAt, MTTA = acknowledgedAt − detectedAt,
 * MTTC = containedAt − detectedAt, MTTR = resolvedAt − detectedAt.
 */
import { z, Id, StoredFields, TenantId, Timestamp } from './common.js';
import {
  ActorRef,
  EventSource,
  ObjectRef,
  SchemaVersion,
  Severity,
  UserId,
  Verdict,
  requireNotBefore,
  verdictOnlyWhenClosed,
} from './fragments.js';

export const IncidentStatus = z
  .enum(['open', 'acknowledged', 'contained', 'resolved', 'closed'])
  .describe(
    'Lifecycle: open, acknowledged, contained (threat stopped), resolved (cause fixed), closed (reviewed)',
  );
export type IncidentStatus = z.infer<typeof IncidentStatus>;

export const ContainedBy = z
  .enum(['manual', 'playbook'])
  .describe(
    'How containment was reached: manual (marked by an analyst) or playbook (first successful containment step)',
  );

export const TimelineEntry = z
  .object({
    kind: z
      .enum(['event', 'alert', 'comment', 'playbook_step', 'status_change'])
      .describe('Entry kind: event, alert, comment, playbook_step, status_change'),
    at: Timestamp.describe('When it happened'),
    actor: ActorRef.optional().describe('Who did it; absent for source events and alerts'),
    text: z.string().max(16_384).describe('What happened, as shown in the timeline'),
    ref: ObjectRef.optional().describe('Object the entry is about (security event, alert, playbook run…)'),
  })
  .describe('One entry of the incident timeline');
export type TimelineEntry = z.infer<typeof TimelineEntry>;

const incidentInput = {
  title: z.string().min(1).max(1024).describe('Incident title'),
  description: z.string().max(16_384).optional().describe('Summary for responders'),
  severity: Severity,
  alertIds: z.array(Id).default([]).describe('Alerts grouped into the incident'),
  assignee: UserId.optional().describe('Responder the incident is assigned to'),
  tenantId: TenantId.optional().describe('Affected tenant (委办局); absent when platform-wide'),
};

/** Status implies the timestamp that recorded reaching it, so MTTx never silently lacks a data point. */
const STATUS_TIMESTAMP = {
  acknowledged: 'acknowledgedAt',
  contained: 'containedAt',
  resolved: 'resolvedAt',
  closed: 'resolvedAt',
} as const;

export const IncidentSchema = z
  .object({
    ...StoredFields,
    schemaVersion: SchemaVersion,
    ...incidentInput,
    status: IncidentStatus.default('open'),
    verdict: Verdict.optional(),
    occurredAt: Timestamp.optional().describe(
      'Time of the earliest source event (MTTD start); clamped to detectedAt when source clocks run ahead',
    ),
    detectedAt: Timestamp.describe(
      'Time of the first alert (MTTx origin); creation time for a hand-made incident',
    ),
    acknowledgedAt: Timestamp.optional().describe(
      'When a responder first acknowledged the incident (MTTA end)',
    ),
    containedAt: Timestamp.optional().describe(
      'First successful containment step, or when an analyst marked it contained (MTTC end)',
    ),
    containedBy: ContainedBy.optional(),
    resolvedAt: Timestamp.optional().describe('When the incident was resolved (MTTR end)'),
    closedAt: Timestamp.optional().describe('When the incident was closed after review'),
    clusterIds: z
      .array(Id)
      .default([])
      .describe('Clusters of the grouped alerts (denormalised for MTTx by cluster)'),
    sources: z
      .array(EventSource)
      .default([])
      .describe('Sources of the grouped alerts (denormalised for MTTx by source)'),
    timeline: z.array(TimelineEntry).max(10_000).default([]).describe('Timeline, oldest first'),
  })
  .superRefine((incident, ctx) => {
    verdictOnlyWhenClosed(incident, ctx);
    requireNotBefore(incident, ctx, 'detectedAt', 'occurredAt', 'occurredAt');
    for (const key of ['acknowledgedAt', 'containedAt', 'resolvedAt', 'closedAt'] as const) {
      requireNotBefore(incident, ctx, key, 'detectedAt');
    }
    if ((incident.containedAt === undefined) !== (incident.containedBy === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['containedBy'], message: 'containedBy goes with containedAt' });
    }
    const required = incident.status === 'open' ? undefined : STATUS_TIMESTAMP[incident.status];
    if (required !== undefined && incident[required] === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [required],
        message: `status ${incident.status} requires ${required}`,
      });
    }
  })
  .describe('A security incident')
  .openapi('Incident');
export type Incident = z.infer<typeof IncidentSchema>;

/** Analysts open incidents by hand; the server fills in the MTTx timestamps from the alerts. */
export const IncidentCreateSchema = z
  .strictObject(incidentInput)
  .describe('Creation of an incident')
  .openapi('IncidentCreate');
export type IncidentCreate = z.infer<typeof IncidentCreateSchema>;
