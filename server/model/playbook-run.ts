/**
 * One execution of a playbook, persisted step by step so a restarted process resumes it and no
 * side-effecting step runs twice (the idempotency key is recorded before the side effect).
 */
import { z, Id, StoredFields, Timestamp } from './common.js';
import { ActorRef, DerivedTenantId, SchemaVersion, UserId, requireNotBefore } from './fragments.js';
import { PlaybookTriggerType } from './playbook.js';

export const PlaybookRunStatus = z
  .enum(['pending', 'running', 'waiting_approval', 'succeeded', 'failed', 'cancelled', 'reverted'])
  .describe('Run status; succeeded, failed, cancelled and reverted are final');
export type PlaybookRunStatus = z.infer<typeof PlaybookRunStatus>;

export const StepStatus = z
  .enum(['pending', 'running', 'waiting_approval', 'succeeded', 'failed', 'skipped', 'cancelled', 'reverted'])
  .describe('Step status');
export type StepStatus = z.infer<typeof StepStatus>;

export const RunError = z
  .object({
    message: z.string().min(1).max(16_384).describe('What went wrong'),
    code: z.string().max(128).optional().describe('Machine-readable code, e.g. TIMEOUT, FORBIDDEN, K8S_409'),
  })
  .describe('Error of a failed run or step');

export const Approval = z
  .object({
    userId: UserId.describe('Approver'),
    decision: z.enum(['approve', 'reject']).describe('Decision'),
    at: Timestamp.describe('When the decision was made'),
    comment: z.string().max(4096).optional().describe('Reason given by the approver'),
  })
  .describe('An approver’s decision on an approval step');

const RunInputs = z.record(z.string(), z.unknown()).default({}).describe('Input parameters given to the run');

export const StepState = z
  .object({
    stepId: z
      .string()
      .min(1)
      .max(256)
      .describe('Step id from the definition; foreach iterations are suffixed with [index], e.g. isolate[2]'),
    status: StepStatus,
    attempts: z.int().nonnegative().default(0).describe('Attempts started so far (retries included)'),
    startedAt: Timestamp.optional().describe('Start of the first attempt'),
    finishedAt: Timestamp.optional().describe('End of the last attempt'),
    idempotencyKey: z
      .string()
      .max(512)
      .optional()
      .describe(
        'Key of the side effect, recorded before it is performed so a resumed run does not repeat it',
      ),
    output: z.unknown().optional().describe('Step output (JSON), available to later steps'),
    error: RunError.optional(),
    approvals: z.array(Approval).default([]).describe('Decisions on an approval step'),
  })
  .superRefine((step, ctx) => requireNotBefore(step, ctx, 'finishedAt', 'startedAt'))
  .describe('Persisted state of one step');
export type StepState = z.infer<typeof StepState>;

export const PlaybookRunSchema = z
  .object({
    ...StoredFields,
    schemaVersion: SchemaVersion,
    playbookId: Id.describe('Playbook that was run'),
    playbookRevision: z.int().min(1).describe('Playbook revision executed'),
    tenantId: DerivedTenantId.describe('Tenant the run acts for (from the playbook or the triggering alert)'),
    trigger: z
      .object({
        type: PlaybookTriggerType,
        alertId: Id.optional().describe('Triggering alert'),
        incidentId: Id.optional().describe('Triggering or related incident'),
        requestedBy: ActorRef.optional().describe('Who started a manual run'),
        inputs: RunInputs,
      })
      .describe('What started the run, and with which inputs'),
    status: PlaybookRunStatus.default('pending'),
    dryRun: z.boolean().default(false).describe('Steps report what they would do without side effects'),
    steps: z.array(StepState).default([]).describe('Step states in execution order'),
    startedAt: Timestamp.optional().describe('When the first step started'),
    finishedAt: Timestamp.optional().describe('When the run reached a final status'),
    error: RunError.optional(),
  })
  .superRefine((run, ctx) => {
    requireNotBefore(run, ctx, 'finishedAt', 'startedAt');
    // Resumption looks steps up by id; a duplicate would make it pick the wrong one.
    const seen = new Set<string>();
    run.steps.forEach((step, i) => {
      if (seen.has(step.stepId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'stepId'],
          message: `duplicate stepId ${step.stepId}`,
        });
      }
      seen.add(step.stepId);
    });
  })
  .describe('One execution of a playbook')
  .openapi('PlaybookRun');
export type PlaybookRun = z.infer<typeof PlaybookRunSchema>;

/** A user starting a playbook by hand; the server records the trigger and the requester. */
export const PlaybookRunCreateSchema = z
  .strictObject({
    playbookId: Id.describe('Playbook to run'),
    dryRun: z.boolean().default(false).describe('Run without side effects'),
    alertId: Id.optional().describe('Alert to run against'),
    incidentId: Id.optional().describe('Incident to run against'),
    inputs: RunInputs,
  })
  .describe('Manual start of a playbook run')
  .openapi('PlaybookRunCreate');
export type PlaybookRunCreate = z.infer<typeof PlaybookRunCreateSchema>;
