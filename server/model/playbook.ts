/**
 * A SOAR playbook: metadata and triggers are modelled here; the steps document stays opaque
 * (`definition`) until the playbook DSL validates it against `format`.
 */
import { z, Id, StoredFields, TenantId } from './common.js';
import {
  EventSource,
  MitreTactic,
  MitreTechniqueId,
  SchemaVersion,
  SecretRef,
  Severity,
} from './fragments.js';

export const PlaybookFormat = z
  .literal('yunshu.playbook/v1')
  .describe('Format of the definition document, validated by the playbook engine');

export const PlaybookTriggerType = z
  .enum(['alert', 'incident', 'schedule', 'manual', 'webhook'])
  .describe('What starts a run: alert, incident, schedule, manual, webhook');
export type PlaybookTriggerType = z.infer<typeof PlaybookTriggerType>;

export const TriggerMatch = z
  .object({
    minSeverity: Severity.optional().describe('Lowest severity that matches'),
    ruleIds: z.array(z.string().min(1).max(256)).optional().describe('Detection rule ids, any of'),
    sources: z.array(EventSource).optional().describe('Event sources, any of'),
    tactics: z.array(MitreTactic).optional().describe('ATT&CK tactics, any of'),
    techniques: z.array(MitreTechniqueId).optional().describe('ATT&CK techniques, any of'),
    clusterIds: z.array(Id).optional().describe('Clusters, any of'),
  })
  .describe('Conditions an alert or incident must meet: every given condition, any value within a list');

const triggerType = (type: PlaybookTriggerType) => z.literal(type).describe(`Trigger type ${type}`);

export const PlaybookTrigger = z
  .discriminatedUnion('type', [
    z
      .object({ type: triggerType('alert'), match: TriggerMatch })
      .describe('Run when an alert is created or recurs and matches'),
    z
      .object({ type: triggerType('incident'), match: TriggerMatch })
      .describe('Run when an incident is opened and matches'),
    z
      .object({
        type: triggerType('schedule'),
        cron: z
          .string()
          .regex(/^\S+( \S+){4,5}$/, 'expected a 5- or 6-field cron expression')
          .describe('Cron expression (5 fields, or 6 with seconds)'),
        timezone: z
          .string()
          .min(1)
          .max(64)
          .default('Asia/Shanghai')
          .describe('IANA time zone of the cron expression'),
      })
      .describe('Run on a schedule'),
    z.object({ type: triggerType('manual') }).describe('Run when a user starts it'),
    z
      .object({
        type: triggerType('webhook'),
        secretRef: SecretRef.describe('Reference to the HMAC key that signs webhook calls'),
      })
      .describe('Run when a signed webhook call arrives'),
  ])
  .describe('Playbook trigger');
export type PlaybookTrigger = z.infer<typeof PlaybookTrigger>;

const playbookInput = {
  name: z.string().min(1).max(256).describe('Playbook name, e.g. 隔离失陷Pod (isolate a compromised pod)'),
  description: z.string().max(16_384).optional().describe('What the playbook does and when to use it'),
  triggers: z.array(PlaybookTrigger).min(1).describe('Triggers, any of which starts a run'),
  format: PlaybookFormat,
  definition: z
    .unknown()
    .refine((v) => v !== undefined && v !== null, { message: 'the playbook definition is required' })
    .describe('Steps document in `format` (parsed YAML/JSON), validated by the playbook engine'),
  enabled: z.boolean().default(false).describe('Whether triggers start runs; new playbooks start disabled'),
  tenantId: TenantId.optional().describe(
    'Tenant the playbook belongs to and acts for; absent for platform playbooks',
  ),
};

export const PlaybookSchema = z
  .object({
    ...StoredFields,
    schemaVersion: SchemaVersion,
    ...playbookInput,
    revision: z
      .int()
      .min(1)
      .describe(
        'Content revision, incremented when triggers or definition change; runs record the one they execute',
      ),
  })
  .describe('A SOAR response playbook')
  .openapi('Playbook');
export type Playbook = z.infer<typeof PlaybookSchema>;

export const PlaybookCreateSchema = z
  .strictObject(playbookInput)
  .describe('Creation of a playbook')
  .openapi('PlaybookCreate');
export type PlaybookCreate = z.infer<typeof PlaybookCreateSchema>;
