import {
  PlaybookCreateSchema,
  PlaybookRunCreateSchema,
  PlaybookRunSchema,
  PlaybookSchema,
} from '../../server/model/index.js';
import { examples, issuePaths } from './examples.js';

describe('Playbook', () => {
  test('every trigger type parses; schedules default to Beijing time', () => {
    const playbook = PlaybookSchema.parse({
      ...examples.playbooks(),
      triggers: [
        ...examples.playbooks().triggers,
        { type: 'incident', match: { minSeverity: 'critical' } },
        { type: 'schedule', cron: '0 2 * * *' },
        { type: 'webhook', secretRef: 'secret:yunshu/webhooks/isolate-pod' },
      ],
    });
    expect(playbook.triggers.map((t) => t.type)).toEqual([
      'alert',
      'manual',
      'incident',
      'schedule',
      'webhook',
    ]);
    expect(playbook.triggers[3]).toEqual({ type: 'schedule', cron: '0 2 * * *', timezone: 'Asia/Shanghai' });
  });

  test('a new playbook starts disabled, with its definition left for the DSL to validate', () => {
    const {
      id: _i,
      version: _v,
      createdAt: _c,
      updatedAt: _u,
      revision: _r,
      enabled: _e,
      ...input
    } = examples.playbooks();
    const created = PlaybookCreateSchema.parse({ ...input, definition: 'any JSON the DSL will judge' });
    expect(created.enabled).toBe(false);
    expect(issuePaths(PlaybookCreateSchema, { ...input, revision: 9 })).toEqual(['']);
  });

  test.each([
    ['triggers', { triggers: [] }],
    ['triggers.0.type', { triggers: [{ type: 'email' }] }],
    ['triggers.0.cron', { triggers: [{ type: 'schedule', cron: 'every day' }] }],
    ['triggers.0.secretRef', { triggers: [{ type: 'webhook', secretRef: 'hunter2 hunter2' }] }],
    ['triggers.0.match.minSeverity', { triggers: [{ type: 'alert', match: { minSeverity: 'sev1' } }] }],
    ['format', { format: 'yunshu.playbook/v2' }],
    ['definition', { definition: undefined }],
    ['definition', { definition: null }],
    ['revision', { revision: 0 }],
  ])('rejects a bad %s', (path, patch) => {
    expect(issuePaths(PlaybookSchema, { ...examples.playbooks(), ...patch })).toEqual([path]);
  });
});

describe('PlaybookRun', () => {
  test('a run waiting for approval after a containment step', () => {
    const run = PlaybookRunSchema.parse(examples.playbook_runs());
    expect(run.trigger.inputs).toEqual({});
    expect(run.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['isolate', 'succeeded'],
      ['delete-pod', 'waiting_approval'],
    ]);
    expect(run.steps[0]?.approvals).toEqual([]);
  });

  const step = (stepId: string) => ({ stepId, status: 'pending', attempts: 0 });

  test.each([
    ['status', { status: 'paused' }],
    ['steps.1.stepId', { steps: [step('isolate'), step('isolate')] }],
    ['steps.0.status', { steps: [{ ...step('isolate'), status: 'done' }] }],
    ['steps.0.attempts', { steps: [{ ...step('isolate'), attempts: -1 }] }],
    [
      'steps.0.finishedAt',
      {
        steps: [
          {
            ...step('isolate'),
            startedAt: '2026-11-23T05:00:01.000Z',
            finishedAt: '2026-11-23T05:00:00.000Z',
          },
        ],
      },
    ],
    [
      'steps.0.approvals.0.decision',
      {
        steps: [
          {
            ...step('approve'),
            approvals: [{ userId: 'u', decision: 'ok', at: '2026-11-23T05:00:00.000Z' }],
          },
        ],
      },
    ],
    ['finishedAt', { finishedAt: '2026-11-23T04:00:00.000Z' }],
    ['trigger.type', { trigger: { type: 'cron' } }],
    ['playbookRevision', { playbookRevision: 1.5 }],
  ])('rejects a bad %s', (path, patch) => {
    expect(issuePaths(PlaybookRunSchema, { ...examples.playbook_runs(), ...patch })).toEqual([path]);
  });

  test('a manual start names the playbook and optional context only', () => {
    expect(PlaybookRunCreateSchema.parse({ playbookId: 'isolate-pod', alertId: 'alert-01JD4V8' })).toEqual({
      playbookId: 'isolate-pod',
      alertId: 'alert-01JD4V8',
      dryRun: false,
      inputs: {},
    });
    expect(issuePaths(PlaybookRunCreateSchema, { playbookId: 'isolate-pod', status: 'succeeded' })).toEqual([
      '',
    ]);
  });
});
