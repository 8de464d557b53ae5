import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  AlertSchema,
  ComplianceResultSchema,
  IncidentCreateSchema,
  IncidentSchema,
  SecurityEventCreateSchema,
  SecurityEventSchema,
  type z,
} from '../../server/model/index.js';
import { examples, issuePaths } from './examples.js';

describe('SecurityEvent', () => {
  test('an audit event keeps OCSF ids, the k8s extension and the raw payload', () => {
    const event = SecurityEventSchema.parse(examples.security_events());
    expect(event).toMatchObject({ class_uid: 6003, type_uid: 600_301, k8s: { nodeArch: 'arm64' } });
    expect(event.raw).toMatchObject({ auditID: 'f47c68f2-d3ac-4f96-b2f4-5d497bf79b64' });
  });

  test.each([
    ['type_uid', { type_uid: 600_302 }],
    ['category_uid', { category_uid: 2 }],
    ['severity_id', { severity_id: 7 }],
    ['source', { source: 'syslog' }],
    ['time', { time: '2026-11-23T04:58:12.345678Z' }],
    ['metadata.version', { metadata: { ...examples.security_events().metadata, version: 'v1' } }],
    ['src_endpoint.ip', { src_endpoint: { ip: '12.000.22.33' } }],
    ['actor.user', { actor: { user: {} } }],
    ['k8s.clusterId', { k8s: { namespace: 'default' } }],
    ['k8s.nodeArch', { k8s: { clusterId: 'c1', nodeArch: 'x86' } }],
    ['raw', { raw: undefined }],
    ['sourceEventId', { sourceEventId: '' }],
  ])('rejects a bad %s', (path, patch) => {
    expect(issuePaths(SecurityEventSchema, { ...examples.security_events(), ...patch })).toEqual([path]);
  });

  test('an ingested event cannot choose its tenant', () => {
    const { id: _i, version: _v, createdAt: _c, updatedAt: _u, ...input } = examples.security_events();
    expect(issuePaths(SecurityEventCreateSchema, input)).toEqual(['']);
    const { tenantId: _t, ...withoutTenant } = input;
    expect(SecurityEventCreateSchema.safeParse(withoutTenant).success).toBe(true);
  });

  interface FalcoAlert {
    output: string;
    priority: string;
    rule: string;
    source: string;
    tags: string[];
    time: string;
    hostname: string;
    output_fields: Record<string, unknown>;
  }

  const FALCO_SEVERITY: Record<string, 0 | 1 | 2 | 3 | 4 | 5 | 6> = {
    Emergency: 6,
    Alert: 5,
    Critical: 5,
    Error: 4,
    Warning: 3,
    Notice: 2,
    Informational: 1,
    Debug: 1,
  };

  /** What the Falco normaliser does: an OCSF Detection Finding (class 2004, activity 1 Create). */
  function eventFromFalco(line: string): z.input<typeof SecurityEventCreateSchema> {
    const alert = JSON.parse(line) as FalcoAlert;
    const cmdLine = alert.output_fields['proc.cmdline'];
    return {
      source: 'falco',
      // Plain Falco output has no uuid (falcosidekick adds one): fall back to the payload digest.
      sourceEventId: createHash('sha256').update(line).digest('hex'),
      class_uid: 2004,
      category_uid: 2,
      activity_id: 1,
      type_uid: 200_401,
      severity_id: FALCO_SEVERITY[alert.priority] ?? 0,
      time: new Date(alert.time).toISOString(),
      message: alert.output,
      metadata: {
        product: { name: 'Falco', vendor_name: 'The Falco Authors' },
        version: '1.3.0',
        original_time: alert.time,
      },
      finding_info: { uid: alert.rule, title: alert.rule, types: alert.tags },
      actor: typeof cmdLine === 'string' ? { process: { cmd_line: cmdLine } } : undefined,
      src_endpoint: { hostname: alert.hostname },
      raw: alert,
    };
  }

  test('derives from real Falco json_output alerts (falco test fixture)', () => {
    const lines = readFileSync(
      new URL('../fixtures/falco/single_rule_with_cat_write.jsonl', import.meta.url),
      'utf8',
    )
      .split('\n')
      .filter((line) => line.trim() !== '');
    const events = lines.map((line) => SecurityEventCreateSchema.parse(eventFromFalco(line)));
    expect(events).toHaveLength(8);
    expect(events[0]).toMatchObject({
      severity_id: 3,
      time: '2016-08-04T16:17:57.881Z',
      metadata: { original_time: '2016-08-04T16:17:57.881781397Z' },
      finding_info: { title: 'open_from_cat', types: ['filesystem', 'process', 'testing'] },
      actor: { process: { cmd_line: 'cat /dev/null' } },
      resources: [],
    });
    // Distinct alerts within the same millisecond still get distinct dedup keys.
    expect(new Set(events.map((e) => e.sourceEventId)).size).toBe(8);
  });
});

describe('Alert', () => {
  test('a closed, deduplicated alert with its verdict and ATT&CK mapping', () => {
    const alert = AlertSchema.parse(examples.alerts());
    expect(alert).toMatchObject({ status: 'closed', verdict: 'true_positive', occurrenceCount: 4 });
    expect(alert.mitre).toEqual({ tactics: ['execution'], techniques: ['T1609'] });
  });

  test('a new alert defaults its status and mapping', () => {
    const { verdict: _v, status: _s, mitre: _m, ...fresh } = examples.alerts();
    expect(AlertSchema.parse(fresh)).toMatchObject({ status: 'new', mitre: { tactics: [], techniques: [] } });
  });

  test.each([
    ['verdict', { status: 'in_progress' }],
    ['lastSeenAt', { lastSeenAt: '2026-11-23T04:00:00.000Z' }],
    ['fingerprint', { fingerprint: 'Not-A-Digest' }],
    ['severity', { severity: 'urgent' }],
    ['occurrenceCount', { occurrenceCount: 0 }],
    ['mitre.techniques.0', { mitre: { tactics: [], techniques: ['T16'] } }],
    ['mitre.tactics.0', { mitre: { tactics: ['Execution'], techniques: [] } }],
    ['evidenceEventIds', { evidenceEventIds: Array.from({ length: 101 }, (_, i) => `evt-${i}`) }],
    ['user', { user: {} }],
  ])('rejects a bad %s', (path, patch) => {
    expect(issuePaths(AlertSchema, { ...examples.alerts(), ...patch })).toEqual([path]);
  });
});

describe('Incident', () => {
  test('carries the MTTx timestamps (automated containment before acknowledgement)', () => {
    const incident = IncidentSchema.parse(examples.incidents());
    const ms = (from: string, to: string | undefined) => Date.parse(to ?? '') - Date.parse(from);
    expect(ms(incident.occurredAt ?? '', incident.detectedAt)).toBe(755); // MTTD
    expect(ms(incident.detectedAt, incident.containedAt)).toBe(1800); // MTTC
    expect(incident.containedBy).toBe('playbook');
    expect(incident.timeline.map((entry) => entry.kind)).toEqual(['alert', 'playbook_step', 'comment']);
  });

  test.each([
    ['occurredAt', { occurredAt: '2026-11-23T04:58:14.000Z' }],
    ['acknowledgedAt', { acknowledgedAt: '2026-11-23T04:58:13.000Z' }],
    ['containedBy', { containedBy: undefined }],
    ['resolvedAt', { resolvedAt: undefined }],
    ['verdict', { verdict: 'benign' }],
    ['detectedAt', { detectedAt: undefined }],
    ['status', { status: 'mitigated' }],
    ['timeline.0.kind', { timeline: [{ kind: 'note', at: '2026-11-23T05:00:00.000Z', text: 'x' }] }],
    [
      'timeline.0.actor.type',
      {
        timeline: [
          { kind: 'comment', at: '2026-11-23T05:00:00.000Z', text: 'x', actor: { type: 'bot', id: 'x' } },
        ],
      },
    ],
  ])('rejects a bad %s', (path, patch) => {
    expect(issuePaths(IncidentSchema, { ...examples.incidents(), ...patch })).toEqual([path]);
  });

  test('status acknowledged requires acknowledgedAt', () => {
    const { acknowledgedAt: _a, ...incident } = { ...examples.incidents(), status: 'acknowledged' as const };
    expect(issuePaths(IncidentSchema, incident)).toEqual(['acknowledgedAt']);
  });

  test('analysts create incidents without MTTx timestamps, which the server derives', () => {
    const input = {
      title: '可疑挖矿进程 (suspected miner)',
      severity: 'medium',
      alertIds: ['alert-1', 'alert-2'],
    };
    expect(IncidentCreateSchema.parse(input)).toMatchObject({ alertIds: ['alert-1', 'alert-2'] });
    expect(issuePaths(IncidentCreateSchema, { ...input, detectedAt: '2026-11-23T05:00:00.000Z' })).toEqual([
      '',
    ]);
  });
});

describe('ComplianceResult', () => {
  test('a failing 等保 control for a tenant', () => {
    expect(ComplianceResultSchema.parse(examples.compliance_results())).toMatchObject({
      framework: 'dengbao-2.0-l3',
      status: 'fail',
      evidenceRefs: [{ type: 'user', id: 'user-ops-legacy' }],
    });
  });

  const cisResult = () => ({
    ...examples.compliance_results(),
    id: 'cluster/cluster-gz-prod-1/cis-kubernetes/1.2.1',
    framework: 'cis-kubernetes',
    controlId: '1.2.1',
    title: 'Ensure that the --anonymous-auth argument is set to false',
    status: 'pass',
    scope: { type: 'cluster', id: 'cluster-gz-prod-1' },
    tenantId: undefined,
    checkedBy: 'kube-bench',
  });

  test('a CIS check from kube-bench for a cluster', () => {
    expect(ComplianceResultSchema.parse(cisResult())).toMatchObject({
      controlId: '1.2.1',
      scope: { type: 'cluster' },
    });
  });

  test.each([
    ['controlId', { controlId: '1.2.1' }],
    ['controlId', { controlId: '8.3.1' }],
    ['tenantId', { tenantId: 'tenant-other' }],
    ['status', { status: 'passed' }],
    ['scope.type', { scope: { type: 'namespace', id: 'x' } }],
  ])('rejects a 等保 result with a bad %s', (path, patch) => {
    expect(issuePaths(ComplianceResultSchema, { ...examples.compliance_results(), ...patch })).toContain(
      path,
    );
  });

  test.each([
    ['controlId', { controlId: 'V-242381' }],
    ['tenantId', { tenantId: 'tenant-gzdsj' }],
  ])('rejects a CIS result with a bad %s', (path, patch) => {
    expect(issuePaths(ComplianceResultSchema, { ...cisResult(), ...patch })).toEqual([path]);
  });
});
