// The DetectionEngine API: loading (multi-document, all-or-nothing), rule management and evaluation.
import { DetectionEngine, type DetectionHit } from '../../server/detection/engine.js';
import { SigmaRuleError } from '../../server/detection/sigma/parse-rule.js';
import {
  BASE_RULES,
  CORRELATION_ID,
  EXEC,
  EXEC_ID,
  FORBIDDEN,
  FORBIDDEN_ID,
  SECOND,
  SECRET_READ,
  SECRET_READ_ID,
  audit,
  correlation,
} from './correlation/k8s.js';

const BRUTE_FORCE = correlation(
  `
type: event_count
rules:
  - k8s_forbidden
group-by:
  - user.username
timespan: 5m
condition:
  gte: 3`,
  'tags:\n  - attack.credential_access\n  - attack.t1110\n',
);
const forbidden = (at: number, user = 'mallory') => audit({ at, user, code: 403 });
const ids = (hits: DetectionHit[]): string[] => hits.map((hit) => hit.rule.id);

function thrown(action: () => unknown): SigmaRuleError {
  try {
    action();
  } catch (err) {
    if (err instanceof SigmaRuleError) return err;
    throw err;
  }
  throw new Error('expected a SigmaRuleError');
}

describe('load', () => {
  test('multi-document text: detections and correlations, described as LoadedRules', () => {
    const engine = new DetectionEngine();
    const loaded = engine.load(`${BASE_RULES}---\n${BRUTE_FORCE}`);
    expect(loaded.map((r) => [r.id, r.kind])).toEqual([
      [FORBIDDEN_ID, 'detection'],
      [SECRET_READ_ID, 'detection'],
      [EXEC_ID, 'detection'],
      [CORRELATION_ID, 'correlation'],
    ]);
    expect(engine.get(FORBIDDEN_ID)).toEqual({
      id: FORBIDDEN_ID,
      name: 'k8s_forbidden',
      kind: 'detection',
      title: 'Kubernetes request forbidden',
      level: 'low',
      tags: ['attack.discovery'],
      attack: { tactics: ['discovery'], techniques: [] },
      logsource: { product: 'kubernetes', service: 'audit' },
      enabled: true,
    });
    expect(engine.get(CORRELATION_ID)).toEqual({
      id: CORRELATION_ID,
      kind: 'correlation',
      title: 'Test correlation',
      level: 'high',
      tags: ['attack.credential_access', 'attack.t1110'],
      attack: { tactics: ['credential-access'], techniques: ['T1110'] },
      correlation: {
        type: 'event_count',
        rules: [FORBIDDEN_ID],
        groupBy: ['user.username'],
        timespanMs: 300_000,
      },
      enabled: true,
    });
    expect(engine.list()).toHaveLength(4);
  });

  test('a rule without level is medium; enabled can be chosen at load', () => {
    const engine = new DetectionEngine();
    const [rule] = engine.load(EXEC.replace('level: low\n', ''), { enabled: false });
    expect(rule).toMatchObject({ level: 'medium', enabled: false });
  });

  test('a correlation may reference rules loaded earlier, by id or by name', () => {
    const engine = new DetectionEngine();
    engine.load(BASE_RULES);
    engine.load(
      correlation(`
type: temporal
rules: [${SECRET_READ_ID}, k8s_pod_exec]
group-by: [user.username]
timespan: 10m`),
    );
    expect(engine.get(CORRELATION_ID)!.correlation!.rules).toEqual([SECRET_READ_ID, EXEC_ID]);
  });

  test('errors name the path and, in multi-document text, the document; nothing is loaded', () => {
    const engine = new DetectionEngine();
    const badTimespan = thrown(() =>
      engine.load(`${BASE_RULES}---\n${BRUTE_FORCE.replace('5m', '5 minutes')}`),
    );
    expect(badTimespan.path).toBe('correlation.timespan');
    expect(badTimespan.message).toContain('(document 4 of 4)');

    const unknown = thrown(() =>
      engine.load(`${FORBIDDEN}---\n${BRUTE_FORCE.replace('k8s_forbidden', 'k8s_forbiden')}`),
    );
    expect(unknown.message).toBe('correlation.rules[0]: unknown rule "k8s_forbiden" (document 2 of 2)');

    const badRegex = thrown(() =>
      engine.load(`${BASE_RULES}---\n${FORBIDDEN.replace('code: 403', 'code|re: "("')}`),
    );
    expect(badRegex.path).toBe('detection.selection.responseStatus.code|re');
    expect(engine.list()).toEqual([]);
  });

  test.each([
    ['', 'no rule in the text'],
    ['---\n---\n', 'no rule in the text'],
    ['just text', 'Invalid input'],
    ['- a\n- b', 'Invalid input'],
    ['title: x\ncorrelation: 5', 'correlation: Invalid input'],
    ['title: [unclosed', 'invalid YAML'],
  ])('garbage %j is a SigmaRuleError, not a crash', (text, message) => {
    expect(thrown(() => new DetectionEngine().load(text)).message).toContain(message);
  });

  test('every rule needs an id; ids and names are unique', () => {
    const engine = new DetectionEngine();
    expect(thrown(() => engine.load(EXEC.replace(/^id: .*\n/m, ''))).message).toBe(
      'id: every rule loaded into the engine needs an id',
    );
    expect(thrown(() => engine.load(`${EXEC}---\n${EXEC}`)).message).toMatch(/^id: rule ".*" appears twice/);
    engine.load(EXEC);
    const sameName = EXEC.replace(EXEC_ID, '11111111-2222-4333-8444-555555555555');
    expect(thrown(() => engine.load(sameName)).message).toBe(
      `name: "k8s_pod_exec" is already the name of rule ${EXEC_ID}`,
    );
  });

  test('reference cycles and incompatible chains are rejected', () => {
    const engine = new DetectionEngine();
    const a = correlation(
      'type: temporal\nrules: [b]\ntimespan: 1m',
      'name: a\n',
      '00000000-0000-4000-8000-00000000000a',
    );
    const b = correlation(
      'type: temporal\nrules: [a]\ntimespan: 1m',
      'name: b\n',
      '00000000-0000-4000-8000-00000000000b',
    );
    expect(thrown(() => engine.load(`${a}---\n${b}`)).message).toMatch(
      /^correlation\.rules: reference cycle/,
    );

    const inner = correlation(
      'type: event_count\nrules: [k8s_forbidden]\ngroup-by: [user.username]\ntimespan: 1m\ncondition: { gte: 2 }',
      'name: inner\n',
      '00000000-0000-4000-8000-00000000000c',
    );
    const outer = correlation(
      'type: temporal\nrules: [inner, k8s_pod_exec]\ngroup-by: [sourceIPs]\ntimespan: 1m',
    );
    expect(thrown(() => engine.load(`${BASE_RULES}---\n${inner}---\n${outer}`)).message).toContain(
      'correlation.group-by: rule 9d2f6b13-8e4a-4c07-b5d1-0a7c3e9f2b10: referenced correlation "00000000-0000-4000-8000-00000000000c" does not group by "sourceIPs"',
    );
  });

  test('loading a rule with an existing id replaces it', () => {
    const engine = new DetectionEngine();
    engine.load(EXEC);
    engine.load(EXEC.replace('verb: create', 'verb: get'));
    expect(engine.list()).toHaveLength(1);
    const exec = (verb: string) =>
      audit({ at: 0, verb, resource: 'pods', subresource: 'exec', name: 'portal-api-5d8c7b9f4-x2k9q' });
    expect(ids(engine.evaluate(exec('create')))).toEqual([]);
    expect(ids(engine.evaluate(exec('get')))).toEqual([EXEC_ID]);
  });
});

describe('evaluate', () => {
  test('a detection hit names the rule and the event', () => {
    const engine = new DetectionEngine();
    engine.load(BASE_RULES);
    const event = forbidden(0);
    expect(engine.evaluate(event)).toEqual([
      {
        rule: engine.get(FORBIDDEN_ID),
        groupBy: {},
        eventIds: [event.id],
        firstEventTime: event.time,
        lastEventTime: event.time,
      },
    ]);
    expect(engine.evaluate(audit({ at: 0, verb: 'watch', resource: 'configmaps' }))).toEqual([]);
  });

  test('rules referenced by a correlation are silent unless it says generate: true', () => {
    const silent = new DetectionEngine();
    silent.load(`${BASE_RULES}---\n${BRUTE_FORCE}`);
    const hits = [0, 1, 2].flatMap((i) => silent.evaluate(forbidden(i * SECOND)));
    expect(ids(hits)).toEqual([CORRELATION_ID]);

    const loud = new DetectionEngine();
    loud.load(
      `${BASE_RULES}---\n${BRUTE_FORCE.replace('correlation:\n', 'correlation:\n  generate: true\n')}`,
    );
    const all = [0, 1, 2].flatMap((i) => loud.evaluate(forbidden(i * SECOND)));
    expect(ids(all)).toEqual([FORBIDDEN_ID, FORBIDDEN_ID, FORBIDDEN_ID, CORRELATION_ID]);
  });

  test('a disabled rule neither hits nor feeds correlations', () => {
    const engine = new DetectionEngine();
    engine.load(
      `${BASE_RULES}---\n${BRUTE_FORCE.replace('correlation:\n', 'correlation:\n  generate: true\n')}`,
    );
    expect(engine.setEnabled(FORBIDDEN_ID, false).enabled).toBe(false);
    expect([0, 1, 2].flatMap((i) => engine.evaluate(forbidden(i * SECOND)))).toEqual([]);
    engine.setEnabled(FORBIDDEN_ID, true);
    const hits = [3, 4, 5].flatMap((i) => engine.evaluate(forbidden(i * SECOND)));
    expect(ids(hits).filter((id) => id === CORRELATION_ID)).toHaveLength(1);
  });

  test('disabling a correlation stops it and forgets its state', () => {
    const engine = new DetectionEngine();
    engine.load(`${BASE_RULES}---\n${BRUTE_FORCE}`);
    engine.evaluate(forbidden(0));
    engine.evaluate(forbidden(SECOND));
    engine.setEnabled(CORRELATION_ID, false);
    expect(engine.evaluate(forbidden(2 * SECOND))).toEqual([]);
    engine.setEnabled(CORRELATION_ID, true);
    expect(engine.evaluate(forbidden(3 * SECOND))).toEqual([]);
    engine.evaluate(forbidden(4 * SECOND));
    expect(ids(engine.evaluate(forbidden(5 * SECOND)))).toEqual([CORRELATION_ID]);
  });

  test('an event time that is not a number is refused by name', () => {
    const engine = new DetectionEngine();
    expect(() => engine.evaluate({ ...forbidden(0), time: Number.NaN })).toThrow(/^event\.time: /);
  });

  test('a field mapping applies to detections and to group-by fields alike', () => {
    const engine = new DetectionEngine({
      fieldMapping: { User: 'user.username', Code: 'responseStatus.code' },
    });
    engine.load(
      `${FORBIDDEN.replace('responseStatus.code', 'Code')}---\n${BRUTE_FORCE.replace('user.username', 'User')}`,
    );
    const hits = [0, 1, 2].flatMap((i) => engine.evaluate(forbidden(i * SECOND)));
    expect(hits.map((hit) => hit.groupBy)).toEqual([{ User: 'mallory' }]);
  });
});

describe('remove and setEnabled', () => {
  test('remove drops a rule; unknown ids are a no-op', () => {
    const engine = new DetectionEngine();
    engine.load(BASE_RULES);
    expect(engine.remove(FORBIDDEN_ID)).toBe(true);
    expect(engine.remove(FORBIDDEN_ID)).toBe(false);
    expect(engine.get(FORBIDDEN_ID)).toBeUndefined();
    expect(engine.evaluate(forbidden(0))).toEqual([]);
  });

  test('a rule a correlation references cannot be removed before the correlation', () => {
    const engine = new DetectionEngine();
    engine.load(`${BASE_RULES}---\n${BRUTE_FORCE}`);
    expect(thrown(() => engine.remove(FORBIDDEN_ID)).message).toBe(
      `id: rule "${FORBIDDEN_ID}" is referenced by correlation "${CORRELATION_ID}"; remove that first`,
    );
    expect(engine.remove(CORRELATION_ID)).toBe(true);
    // No correlation left to keep it silent: the base rule reports its own hits again.
    expect(ids(engine.evaluate(forbidden(0)))).toEqual([FORBIDDEN_ID]);
    expect(engine.remove(FORBIDDEN_ID)).toBe(true);
  });

  test('setEnabled on an unknown rule throws', () => {
    expect(() => new DetectionEngine().setEnabled(SECRET_READ_ID, true)).toThrow(
      `id: unknown rule "${SECRET_READ_ID}"`,
    );
  });

  test('loading SECRET_READ alone works without correlations', () => {
    const engine = new DetectionEngine();
    engine.load(SECRET_READ);
    expect(ids(engine.evaluate(audit({ at: 0, verb: 'list', resource: 'secrets' })))).toEqual([
      SECRET_READ_ID,
    ]);
  });
});
