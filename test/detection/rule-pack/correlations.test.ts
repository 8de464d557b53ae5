// The shipped correlation rules (server/detection/rules/correlations), run with the whole pack in a
// DetectionEngine over audit events that take the product's path (normaliser → Sigma view).
import { DetectionEngine, type DetectionHit } from '../../../server/detection/engine.js';
import { loadRulePack } from '../../../server/detection/rule-pack.js';
import { engineEventOf, k8sAuditEvents } from '../../../server/ingest/normalize/index.js';
import { isCorrelation } from './helpers.js';

const EXEC_THEN_SECRETS = '7c2f4a1e-9b3d-4e8a-a6f1-2d5c8e0b9a41';
const SECRETS_ACROSS_NAMESPACES = '5e8b3c6d-0f2a-4b7e-9c1d-4a6f8e2b7d53';
const T0 = Date.parse('2026-11-23T02:00:00.000Z');

const pack = await loadRulePack();
const correlations = pack.filter(isCorrelation);

function engine(): DetectionEngine {
  const e = new DetectionEngine();
  for (const file of [...pack.filter((f) => !isCorrelation(f)), ...correlations]) e.load(file.yaml);
  return e;
}

let seq = 0;
type Step = { kind: 'exec' | 'secret'; user: string; namespace?: string; atSeconds: number };

function auditEvent({ kind, user, namespace = 'gzdsj-portal', atSeconds }: Step): unknown {
  seq++;
  const time = new Date(T0 + atSeconds * 1000).toISOString();
  const objectRef =
    kind === 'exec'
      ? { resource: 'pods', subresource: 'exec', namespace, name: 'portal-api-7d9f-abcde', apiVersion: 'v1' }
      : { resource: 'secrets', namespace, name: `db-credentials-${seq}`, apiVersion: 'v1' };
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `corr-${seq}`,
    stage: 'ResponseComplete',
    requestURI: `/api/v1/namespaces/${namespace}/${objectRef.resource}/${objectRef.name}${kind === 'exec' ? '/exec?command=sh' : ''}`,
    verb: kind === 'exec' ? 'create' : 'get',
    user: { username: user, groups: ['system:authenticated'] },
    objectRef,
    responseStatus: { metadata: {}, code: kind === 'exec' ? 101 : 200 },
    requestReceivedTimestamp: time,
    stageTimestamp: time,
  };
}

/** Ids of the correlation rules that fired over the story. */
function correlationsFiring(steps: Step[]): string[] {
  const e = engine();
  const { events, rejected } = k8sAuditEvents(steps.map(auditEvent), { clusterId: 'gz-prod-x86' });
  expect(rejected).toEqual([]);
  const hits: DetectionHit[] = events.flatMap((event) =>
    e.evaluate(engineEventOf(event.sourceEventId, event)),
  );
  return hits.filter((h) => h.rule.kind === 'correlation').map((h) => h.rule.id);
}

describe('shipped correlation rules', () => {
  test('each loads with the pack, carries ATT&CK tags and a level, and keeps its steps alerting', () => {
    const e = engine();
    expect(correlations.length).toBeGreaterThanOrEqual(2);
    for (const rule of e.list().filter((r) => r.kind === 'correlation')) {
      expect(rule.attack.techniques.length).toBeGreaterThan(0);
      expect(['high', 'critical']).toContain(rule.level);
    }
    // `generate: true`: the exec step still alerts on its own.
    const { events } = k8sAuditEvents(auditEvent({ kind: 'exec', user: 'li.ming', atSeconds: 0 }), {
      clusterId: 'c',
    });
    const hits = e.evaluate(engineEventOf('x', events[0]!));
    expect(hits.map((h) => h.rule.title)).toContain('Exec or Attach Into a Pod');
  });

  describe('exec into a pod, then secret reads', () => {
    test('fires when the same user execs and then reads a secret within ten minutes', () => {
      expect(
        correlationsFiring([
          { kind: 'exec', user: 'li.ming@gzdsj.gov.cn', atSeconds: 0 },
          { kind: 'secret', user: 'li.ming@gzdsj.gov.cn', atSeconds: 90 },
        ]),
      ).toEqual([EXEC_THEN_SECRETS]);
    });

    test('does not fire in the wrong order, for another user, or after the timespan', () => {
      expect(
        correlationsFiring([
          { kind: 'secret', user: 'li.ming', atSeconds: 0 },
          { kind: 'exec', user: 'li.ming', atSeconds: 30 },
        ]),
      ).toEqual([]);
      expect(
        correlationsFiring([
          { kind: 'exec', user: 'li.ming', atSeconds: 0 },
          { kind: 'secret', user: 'wang.fang', atSeconds: 30 },
        ]),
      ).toEqual([]);
      expect(
        correlationsFiring([
          { kind: 'exec', user: 'li.ming', atSeconds: 0 },
          { kind: 'secret', user: 'li.ming', atSeconds: 11 * 60 },
        ]),
      ).toEqual([]);
    });
  });

  describe('secrets read in many namespaces', () => {
    test('fires at the third distinct namespace within fifteen minutes', () => {
      expect(
        correlationsFiring(
          ['gzdsj-portal', 'gzgat-app', 'gzwjw-health'].map((namespace, i) => ({
            kind: 'secret' as const,
            user: 'system:serviceaccount:gzdsj-portal:ci',
            namespace,
            atSeconds: i * 60,
          })),
        ),
      ).toEqual([SECRETS_ACROSS_NAMESPACES]);
    });

    test('does not fire for many reads in two namespaces, or spread over more than fifteen minutes', () => {
      const user = 'system:serviceaccount:gzdsj-portal:ci';
      expect(
        correlationsFiring(
          ['gzdsj-portal', 'gzdsj-portal', 'gzgat-app', 'gzgat-app'].map((namespace, i) => ({
            kind: 'secret' as const,
            user,
            namespace,
            atSeconds: i * 30,
          })),
        ),
      ).toEqual([]);
      expect(
        correlationsFiring(
          ['gzdsj-portal', 'gzgat-app', 'gzwjw-health'].map((namespace, i) => ({
            kind: 'secret' as const,
            user,
            namespace,
            atSeconds: i * 10 * 60,
          })),
        ),
      ).toEqual([]);
    });
  });
});
