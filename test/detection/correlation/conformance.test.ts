// Sigma correlation types on Kubernetes audit events, evaluated on event time.
import { DetectionEngine, type DetectionHit, type EngineEvent } from '../../../server/detection/engine.js';
import {
  BASE_RULES,
  CORRELATION_ID,
  FORBIDDEN_ID,
  MINUTE,
  SECOND,
  audit,
  correlation,
  type AuditShape,
} from './k8s.js';

function engineWith(correlationYaml: string, options = {}): DetectionEngine {
  const engine = new DetectionEngine(options);
  engine.load(`${BASE_RULES}---\n${correlationYaml}`);
  return engine;
}

/** Evaluates events in order; returns the correlation hits only. */
function run(engine: DetectionEngine, events: EngineEvent[]): DetectionHit[] {
  return events.flatMap((event) => engine.evaluate(event)).filter((hit) => hit.rule.kind === 'correlation');
}

const forbidden = (at: number, user = 'mallory', more: Partial<AuditShape> = {}): EngineEvent =>
  audit({ at, user, code: 403, ...more });
const secretRead = (at: number, name: string, user = 'mallory'): EngineEvent =>
  audit({ at, user, verb: 'list', resource: 'secrets', name });
const exec = (at: number, user = 'mallory'): EngineEvent =>
  audit({
    at,
    user,
    verb: 'create',
    resource: 'pods',
    subresource: 'exec',
    name: 'portal-api-5d8c7b9f4-x2k9q',
  });

const BRUTE_FORCE = correlation(`
type: event_count
rules:
  - k8s_forbidden
group-by:
  - user.username
timespan: 5m
condition:
  gte: 5`);

describe('event_count', () => {
  test('fires when the count reaches the threshold within the timespan, per group', () => {
    const engine = engineWith(BRUTE_FORCE);
    const events = [0, 1, 2, 3].map((i) => forbidden(i * 30 * SECOND));
    expect(run(engine, events)).toEqual([]);
    const last = forbidden(4 * MINUTE);
    const hits = run(engine, [last]);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({
      rule: { id: CORRELATION_ID, level: 'high' },
      groupBy: { 'user.username': 'mallory' },
      eventIds: [...events.map((e) => e.id), last.id],
      firstEventTime: events[0]!.time,
      lastEventTime: last.time,
    });
  });

  test('events that fall out of the sliding window no longer count', () => {
    const engine = engineWith(BRUTE_FORCE);
    // One every 2 minutes: never 5 within 5 minutes.
    expect(
      run(
        engine,
        [0, 1, 2, 3, 4, 5, 6, 7].map((i) => forbidden(i * 2 * MINUTE)),
      ),
    ).toEqual([]);
  });

  test('different users are counted apart', () => {
    const engine = engineWith(BRUTE_FORCE);
    const events = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => forbidden(i * SECOND, i % 2 ? 'alice' : 'bob'));
    expect(run(engine, events)).toEqual([]);
    const hits = run(engine, [forbidden(9 * SECOND, 'bob')]);
    expect(hits.map((h) => h.groupBy)).toEqual([{ 'user.username': 'bob' }]);
  });

  test('fires once per burst: the group is quiet for a timespan after firing', () => {
    const engine = engineWith(BRUTE_FORCE);
    // 20 forbidden requests in 20 s, then 5 more six minutes later.
    const burst = Array.from({ length: 20 }, (_, i) => forbidden(i * SECOND));
    expect(run(engine, burst)).toHaveLength(1);
    const later = Array.from({ length: 5 }, (_, i) => forbidden(6 * MINUTE + i * SECOND));
    expect(run(engine, later)).toHaveLength(1);
  });

  test('an event lacking a group-by field is not counted', () => {
    const engine = engineWith(
      correlation(`
type: event_count
rules: [k8s_forbidden]
group-by: [impersonatedUser.username]
timespan: 5m
condition: { gte: 2 }`),
    );
    expect(run(engine, [forbidden(0), forbidden(SECOND), forbidden(2 * SECOND)])).toEqual([]);
  });

  test('a range is judged when the window is over', () => {
    // Between 2 and 3 forbidden requests by a user in 1 minute: slow probing, not a flood.
    const engine = engineWith(
      correlation(`
type: event_count
rules: [k8s_forbidden]
group-by: [user.username]
timespan: 1m
condition:
  gte: 2
  lte: 3`),
    );
    const probe = [forbidden(0, 'alice'), forbidden(10 * SECOND, 'alice')];
    const flood = [0, 1, 2, 3].map((i) => forbidden(i * SECOND, 'bob'));
    expect(run(engine, [...probe, ...flood])).toEqual([]);
    // Event time passing the end of the windows (any event) judges them.
    const hits = run(engine, [audit({ at: 2 * MINUTE, user: 'carol' })]);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({
      groupBy: { 'user.username': 'alice' },
      eventIds: probe.map((e) => e.id),
    });
  });

  test('lt fires for a quiet group once its window is over, eq only on the exact count', () => {
    const lt = engineWith(
      correlation(`
type: event_count
rules: [k8s_forbidden]
group-by: [user.username]
timespan: 1m
condition: { lt: 2 }`),
    );
    expect(run(lt, [forbidden(0, 'alice'), forbidden(0, 'bob'), forbidden(SECOND, 'bob')])).toEqual([]);
    expect(run(lt, [audit({ at: 5 * MINUTE })]).map((h) => h.groupBy)).toEqual([
      { 'user.username': 'alice' },
    ]);

    const eq = engineWith(
      correlation(`
type: event_count
rules: [k8s_forbidden]
group-by: [user.username]
timespan: 1m
condition: { eq: 2 }`),
    );
    run(eq, [
      forbidden(0, 'alice'),
      forbidden(0, 'bob'),
      forbidden(SECOND, 'bob'),
      forbidden(2 * SECOND, 'carol'),
    ]);
    run(eq, [forbidden(3 * SECOND, 'carol'), forbidden(4 * SECOND, 'carol')]);
    expect(run(eq, [audit({ at: 5 * MINUTE })]).map((h) => h.groupBy)).toEqual([{ 'user.username': 'bob' }]);
  });
});

describe('value_count', () => {
  const SECRET_SWEEP = correlation(`
type: value_count
rules:
  - k8s_secret_read
group-by:
  - user.username
timespan: 10m
condition:
  field: objectRef.name
  gte: 3`);

  test('counts distinct values, not events', () => {
    const engine = engineWith(SECRET_SWEEP);
    const same = [0, 1, 2, 3, 4].map((i) => secretRead(i * SECOND, 'db-password'));
    expect(run(engine, same)).toEqual([]);
    expect(run(engine, [secretRead(10 * SECOND, 'registry-cred')])).toEqual([]);
    const hits = run(engine, [secretRead(20 * SECOND, 'tls-key')]);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.groupBy).toEqual({ 'user.username': 'mallory' });
    expect(hits[0]!.eventIds).toHaveLength(3);
  });

  test('values outside the timespan and other users do not count', () => {
    const engine = engineWith(SECRET_SWEEP);
    expect(
      run(engine, [
        secretRead(0, 'db-password'),
        secretRead(SECOND, 'registry-cred', 'alice'),
        secretRead(11 * MINUTE, 'registry-cred'),
        secretRead(12 * MINUTE, 'tls-key', 'bob'),
        secretRead(13 * MINUTE, 'tls-key'),
      ]),
    ).toEqual([]);
  });
});

describe('temporal', () => {
  const READ_THEN_EXEC = correlation(`
type: temporal
rules:
  - k8s_secret_read
  - k8s_pod_exec
group-by:
  - user.username
timespan: 10m`);

  test('all rules hit within the timespan for the same user, in any order', () => {
    const engine = engineWith(READ_THEN_EXEC);
    const first = exec(0);
    expect(run(engine, [first])).toEqual([]);
    const second = secretRead(9 * MINUTE, 'db-password');
    const hits = run(engine, [second]);
    expect(hits).toHaveLength(1);
    expect(hits[0]!.eventIds).toEqual([first.id, second.id]);
  });

  test('too far apart, or by different users: no hit', () => {
    const engine = engineWith(READ_THEN_EXEC);
    expect(run(engine, [exec(0), secretRead(11 * MINUTE, 'db-password')])).toEqual([]);
    expect(run(engine, [exec(20 * MINUTE, 'alice'), secretRead(21 * MINUTE, 'db-password', 'bob')])).toEqual(
      [],
    );
  });

  test('a condition can ask for fewer than all rules', () => {
    const engine = engineWith(
      correlation(`
type: temporal
rules: [k8s_forbidden, k8s_secret_read, k8s_pod_exec]
group-by: [user.username]
timespan: 10m
condition: { gte: 2 }`),
    );
    expect(run(engine, [forbidden(0), forbidden(SECOND)])).toEqual([]);
    expect(run(engine, [exec(2 * SECOND)])).toHaveLength(1);
  });
});

describe('temporal_ordered', () => {
  const READ_THEN_EXEC = correlation(`
type: temporal_ordered
rules:
  - k8s_secret_read
  - k8s_pod_exec
group-by:
  - user.username
timespan: 10m`);

  test('fires when the rules hit in the listed order', () => {
    const engine = engineWith(READ_THEN_EXEC);
    expect(run(engine, [secretRead(0, 'db-password'), exec(MINUTE)])).toHaveLength(1);
  });

  test('the wrong order, or a gap longer than the timespan, does not fire', () => {
    const engine = engineWith(READ_THEN_EXEC);
    expect(run(engine, [exec(0), secretRead(MINUTE, 'db-password')])).toEqual([]);
    expect(run(engine, [secretRead(20 * MINUTE, 'db-password'), exec(31 * MINUTE)])).toEqual([]);
  });

  test('a chained correlation: a burst of forbidden requests followed by an exec (spec example)', () => {
    const engine = new DetectionEngine();
    engine.load(`title: Forbidden burst followed by exec
id: 2b7e0c94-6d31-4f8a-a0e5-7c9d1b3f5e20
level: critical
correlation:
  type: temporal_ordered
  rules:
    - forbidden_burst
    - k8s_pod_exec
  group-by:
    - user.username
  timespan: 10m
---
title: Forbidden burst
id: 2b7e0c94-6d31-4f8a-a0e5-7c9d1b3f5e21
name: forbidden_burst
correlation:
  type: event_count
  rules:
    - k8s_forbidden
  group-by:
    - user.username
  timespan: 5m
  condition:
    gte: 3
---
${BASE_RULES}`);
    const burst = [0, 1, 2].map((i) => forbidden(i * SECOND));
    const all = [...burst, exec(MINUTE)].flatMap((event) => engine.evaluate(event));
    // Neither the base rules nor the inner correlation report on their own (generate defaults to false).
    expect(all.map((h) => h.rule.id)).toEqual(['2b7e0c94-6d31-4f8a-a0e5-7c9d1b3f5e20']);
    expect(all[0]!.eventIds).toHaveLength(4);
    expect(all[0]!.firstEventTime).toBe(burst[0]!.time);
  });
});

describe('aliases', () => {
  test('group-by reads a differently named field per rule', () => {
    // The namespace of the forbidden request and the name of a pod exec'd into in that namespace…
    const engine = engineWith(
      correlation(`
type: temporal
rules: [k8s_forbidden, k8s_pod_exec]
group-by: [target]
timespan: 10m
aliases:
  target:
    k8s_forbidden: objectRef.namespace
    k8s_pod_exec: objectRef.name`),
    );
    expect(run(engine, [forbidden(0, 'mallory', { namespace: 'web-1' })])).toEqual([]);
    expect(
      run(engine, [
        audit({ at: SECOND, verb: 'create', resource: 'pods', subresource: 'exec', name: 'db-1' }),
      ]),
    ).toEqual([]);
    const hits = run(engine, [
      audit({ at: 2 * SECOND, verb: 'create', resource: 'pods', subresource: 'exec', name: 'web-1' }),
    ]);
    expect(hits.map((h) => h.groupBy)).toEqual([{ target: 'web-1' }]);
  });
});

describe('state bounds', () => {
  test('past the group cap the least recently active group is evicted', () => {
    const engine = engineWith(BRUTE_FORCE, { maxGroupsPerCorrelation: 2 });
    const events = [
      ...[0, 1, 2, 3].map((i) => forbidden(i * SECOND, 'alice')),
      forbidden(5 * SECOND, 'bob'),
      forbidden(6 * SECOND, 'carol'), // evicts alice, who was 1 short
      forbidden(7 * SECOND, 'alice'),
    ];
    expect(run(engine, events)).toEqual([]);

    const roomy = engineWith(BRUTE_FORCE, { maxGroupsPerCorrelation: 3 });
    expect(run(roomy, events).map((h) => h.groupBy)).toEqual([{ 'user.username': 'alice' }]);
  });

  test('groups whose window is over are forgotten', () => {
    const engine = engineWith(BRUTE_FORCE);
    // Four forbidden requests, then an hour of quiet, then one: the old four must not count.
    run(
      engine,
      [0, 1, 2, 3].map((i) => forbidden(i * SECOND)),
    );
    expect(run(engine, [audit({ at: 60 * MINUTE, user: 'carol' }), forbidden(60 * MINUTE + SECOND)])).toEqual(
      [],
    );
  });
});

test('evidence is capped at 50 event ids: the oldest and the latest', () => {
  const engine = engineWith(
    correlation(`
type: event_count
rules: [${FORBIDDEN_ID}]
group-by: [user.username]
timespan: 1h
condition: { gte: 80 }`),
  );
  const events = Array.from({ length: 80 }, (_, i) => forbidden(i * SECOND));
  const [hit] = run(engine, events);
  expect(hit!.eventIds).toEqual([...events.slice(0, 49).map((e) => e.id), events[79]!.id]);
});
