// Correlation rules are validated at load; errors name the YAML path.
import { parse } from 'yaml';
import { parseCorrelationRule } from '../../../server/detection/correlation/parse-correlation.js';
import { SigmaRuleError } from '../../../server/detection/sigma/parse-rule.js';
import { correlation } from './k8s.js';

const parseBody = (body: string, extra = '') => parseCorrelationRule(parse(correlation(body, extra)));

const VALID = `
type: event_count
rules: [k8s_forbidden]
group-by: [user.username]
timespan: 5m
condition: { gte: 5 }`;

test('a valid rule: timespan in ms, defaults, ATT&CK from tags', () => {
  const rule = parseBody(VALID, 'tags:\n  - attack.credential_access\n  - attack.t1110\n');
  expect(rule.correlation).toEqual({
    type: 'event_count',
    rules: ['k8s_forbidden'],
    groupBy: ['user.username'],
    timespanMs: 300_000,
    condition: { gte: 5 },
    aliases: {},
    generate: false,
  });
  expect(rule.attack).toEqual({ tactics: ['credential-access'], techniques: ['T1110'] });
});

test.each([
  ['30s', 30_000],
  ['90m', 5_400_000],
  ['1h', 3_600_000],
  ['2d', 172_800_000],
])('timespan %s', (timespan, ms) => {
  expect(parseBody(VALID.replace('5m', timespan)).correlation.timespanMs).toBe(ms);
});

test('temporal defaults to all rules; generate is read inside or beside correlation', () => {
  const temporal = parseBody('type: temporal\nrules: [a, b, c]\ngroup-by: [x]\ntimespan: 1m\ngenerate: true');
  expect(temporal.correlation.condition).toEqual({ gte: 3 });
  expect(temporal.correlation.generate).toBe(true);
  expect(parseBody(VALID, 'generate: true\n').correlation.generate).toBe(true);
});

const errors: [name: string, body: string, message: string][] = [
  ['unknown type', VALID.replace('event_count', 'event_sum'), 'correlation.type: Invalid option'],
  [
    'timespan unit',
    VALID.replace('5m', '5w'),
    'correlation.timespan: must be a positive number followed by s, m, h or d, e.g. 5m',
  ],
  ['zero timespan', VALID.replace('5m', '0s'), 'correlation.timespan: must be a positive number'],
  ['missing rules', VALID.replace('rules: [k8s_forbidden]\n', ''), 'correlation.rules: Invalid input'],
  [
    'rule listed twice',
    VALID.replace('[k8s_forbidden]', '[a, b, a]'),
    'correlation.rules[2]: rule listed twice',
  ],
  [
    'missing condition',
    VALID.replace('condition: { gte: 5 }', ''),
    'correlation.condition: required for event_count',
  ],
  [
    'unknown operator',
    VALID.replace('gte: 5', 'gte: 5, neq: 3'),
    'correlation.condition.neq: unknown operator',
  ],
  [
    'negative count',
    VALID.replace('gte: 5', 'gte: -1'),
    'correlation.condition.gte: must be a whole number ≥ 0',
  ],
  [
    'impossible range',
    VALID.replace('gte: 5', 'gt: 10, lt: 5'),
    'correlation.condition: no count can satisfy it',
  ],
  [
    'value_count without field',
    VALID.replace('event_count', 'value_count'),
    'correlation.condition.field: value_count needs',
  ],
  [
    'field on event_count',
    VALID.replace('gte: 5', 'gte: 5, field: x'),
    'correlation.condition.field: only value_count',
  ],
  ['unknown key', `${VALID}\ngroupby: [x]`, 'correlation: Unrecognized key: "groupby"'],
  [
    'alias for an unlisted rule',
    `${VALID}\naliases:\n  who:\n    other_rule: user.username`,
    'correlation.aliases.who.other_rule: not one of correlation.rules',
  ],
  [
    'partial temporal_ordered',
    'type: temporal_ordered\nrules: [a, b, c]\ntimespan: 1m\ncondition: { gte: 2 }',
    'correlation.condition: temporal_ordered requires every listed rule, in order',
  ],
];

test.each(errors)('%s', (_name, body, message) => {
  let error: unknown;
  try {
    parseBody(body);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(SigmaRuleError);
  expect((error as SigmaRuleError).message).toContain(message);
});

test('header errors name their field too', () => {
  expect(() => parseBody(VALID, 'status: final\n')).toThrow(/^status: /);
});
