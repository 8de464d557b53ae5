// The rule index (rule-index.ts) must not change what a rule set matches: for random events, the
// indexed SigmaRuleSet gives exactly the rules that testing every compiled rule gives. Rules are
// the shipped pack, the SigmaHQ fixtures and hand-written edge cases; events are drawn from the
// rules' own fields and values so that many of them hit.
import { readFileSync } from 'node:fs';
import { Rng } from '../../../collectors/demo-fleet/random.js';
import { loadRulePack } from '../../../server/detection/rule-pack.js';
import { compileRule, fieldFor, type FieldMapping } from '../../../server/detection/sigma/compile.js';
import { parseSigmaRule, type SigmaRule } from '../../../server/detection/sigma/parse-rule.js';
import { ruleKey } from '../../../server/detection/sigma/rule-index.js';
import { SigmaRuleSet, type EventLogsource } from '../../../server/detection/sigma/rule-set.js';

const sigmaHq = [
  'gcp_kubernetes_rolebinding.yml',
  'gcp_kubernetes_secrets_modified_or_deleted.yml',
  'azure_kubernetes_cronjob.yml',
].map((name) => readFileSync(new URL(`../../fixtures/sigma/${name}`, import.meta.url), 'utf8'));

let nextId = 0;
/** A rule with a fresh id around a `detection:` block written as YAML lines. */
function rule(detection: string, logsource = 'product: kubernetes\n  service: audit'): string {
  const id = `00000000-0000-4000-8000-${String(++nextId).padStart(12, '0')}`;
  const body = detection
    .trim()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
  return `title: Edge case ${nextId}\nid: ${id}\nlogsource:\n  ${logsource}\ndetection:\n${body}\n`;
}

// Each is a way an index could go wrong: several keys, OR/AND/NOT, `of`, lists of maps, case,
// wildcards, escapes, numbers, booleans, null, empty strings, keywords, fieldref, arrays.
const EDGE_CASES = [
  rule('sel:\n  verb: [create, Patch]\n  objectRef.resource: secrets\ncondition: sel'),
  rule('a:\n  verb: create\nb:\n  verb: delete\ncondition: a or b'),
  rule('a:\n  verb: create\nb:\n  user.username|contains: admin\ncondition: a or b'),
  rule('a:\n  verb: create\nb:\n  verb: [create, get]\ncondition: a and b'),
  // Impossible for one verb, yet an array holding both matches.
  rule('a:\n  verb: get\nb:\n  verb: create\ncondition: a and b'),
  rule('a:\n  verb: get\ncondition: not a'),
  rule('sel1:\n  verb: create\nsel2:\n  verb: update\ncondition: 1 of sel*'),
  rule('sel1:\n  verb: create\nsel2:\n  objectRef.resource: pods\ncondition: all of sel*'),
  rule(
    'sel:\n  - verb: create\n    objectRef.resource: pods\n  - verb: create\n    objectRef.resource: secrets\ncondition: sel',
  ),
  rule('sel:\n  - verb: create\n  - objectRef.resource: pods\ncondition: sel'),
  rule('sel:\n  verb|cased: Create\ncondition: sel'),
  rule('sel:\n  verb: cre*\ncondition: sel'),
  rule("sel:\n  objectRef.name: 'a\\*b'\ncondition: sel"),
  rule('sel:\n  responseStatus.code: 403\ncondition: sel'),
  rule('sel:\n  requestObject.spec.hostNetwork: true\n  verb: create\ncondition: sel'),
  rule('sel:\n  objectRef.subresource: null\n  verb: delete\ncondition: sel'),
  rule("sel:\n  objectRef.subresource: ''\ncondition: sel"),
  rule('keywords:\n  - secrets\ncondition: keywords'),
  rule('sel:\n  user.username|fieldref: objectRef.name\ncondition: sel'),
  rule('sel:\n  verb|all:\n    - create\n    - get\ncondition: sel'),
  rule(
    'sel:\n  objectRef.resource: pods\nfilter:\n  verb: get\ncondition: sel and not filter',
    'product: kubernetes',
  ),
  rule('sel:\n  verb: create\ncondition: sel', 'product: kubernetes\n  category: other'),
];

const LOGSOURCES: EventLogsource[] = [
  { product: 'kubernetes', service: 'audit' },
  { product: 'Kubernetes' },
  { product: 'kubernetes', category: 'other' },
  { product: 'falco' },
  { product: 'gcp', service: 'gcp.audit' },
  { product: 'azure', service: 'activitylogs' },
];

// Spec: a rule applies when every logsource field it names equals the event's, case-insensitively.
const reaches = (ruleSource: SigmaRule['logsource'], eventSource: EventLogsource): boolean =>
  (['product', 'category', 'service'] as const).every(
    (f) => ruleSource[f] === undefined || ruleSource[f].toLowerCase() === eventSource[f]?.toLowerCase(),
  );

/** The rules' event paths, each with the values rules compare it to (wildcards filled in). */
function vocabulary(rules: SigmaRule[], mapping: Record<string, string>): Map<string, unknown[]> {
  const byPath = new Map<string, unknown[]>();
  for (const r of rules) {
    for (const alternatives of Object.values(r.detection)) {
      for (const matcher of alternatives.flat()) {
        if (matcher.field === undefined) continue;
        const path = mapping[matcher.field] ?? matcher.field;
        const values = byPath.get(path) ?? [];
        for (const v of matcher.values) {
          values.push(v, typeof v === 'string' ? v.replace(/\*/g, 'x1').replace(/\?/g, 'z') : v);
        }
        byPath.set(path, values);
      }
    }
  }
  return byPath;
}

const OTHER_VALUES: unknown[] = [
  '',
  'x',
  'get',
  'CREATE',
  'Pods',
  101,
  200,
  403,
  '403',
  true,
  'true',
  false,
  null,
];

function randomEvent(next: () => number, vocab: Map<string, unknown[]>): Record<string, unknown> {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const scalar = (own: unknown[]): unknown => {
    const v = next() < 0.75 && own.length > 0 ? pick(own) : pick(OTHER_VALUES);
    if (typeof v !== 'string') return v;
    return pick([v, v, v.toUpperCase(), v.toLowerCase()]);
  };
  const event: Record<string, unknown> = {};
  for (const [path, own] of vocab) {
    if (next() < 0.4) continue;
    const r = next();
    const value =
      r < 0.8
        ? scalar(own)
        : r < 0.93
          ? Array.from({ length: 1 + Math.floor(next() * 3) }, () => scalar(own))
          : { nested: scalar(own) };
    if (next() < 0.1) {
      event[path] = value; // ECS-style flat key
      continue;
    }
    const segments = path.split('.');
    let node = event;
    for (const segment of segments.slice(0, -1)) {
      const child = node[segment];
      if (typeof child !== 'object' || child === null || Array.isArray(child)) node[segment] = {};
      node = node[segment] as Record<string, unknown>;
    }
    node[segments.at(-1)!] = value;
  }
  return event;
}

async function allRuleTexts(): Promise<string[]> {
  const pack = (await loadRulePack()).filter((f) => !f.path.startsWith('correlations/')).map((f) => f.yaml);
  return [...pack, ...sigmaHq, ...EDGE_CASES];
}

function checkAgainstBruteForce(texts: string[], mapping: Record<string, string>, seed: number): number {
  const set = new SigmaRuleSet({ fieldMapping: mapping });
  const compiled = texts.map((text) => {
    set.add(text);
    return compileRule(parseSigmaRule(text), { fieldMapping: mapping });
  });
  const vocab = vocabulary(
    compiled.map((c) => c.rule),
    mapping,
  );
  // Seeded (mulberry32), so a failure can be replayed.
  const rng = new Rng(seed);
  const next = (): number => rng.next();
  let hits = 0;
  for (let i = 0; i < 4000; i++) {
    const event = randomEvent(next, vocab);
    for (const logsource of LOGSOURCES) {
      const expected = compiled
        .filter((c) => reaches(c.rule.logsource, logsource) && c.match(event))
        .map((c) => c.rule.id!);
      const actual = set.match(event, logsource);
      if ([...actual].sort().join() !== [...expected].sort().join()) {
        throw new Error(`event ${JSON.stringify(event)} from ${JSON.stringify(logsource)}:
  indexed     ${JSON.stringify(actual)}
  brute force ${JSON.stringify(expected)}`);
      }
      hits += actual.length;
    }
  }
  return hits;
}

describe('rule index', () => {
  test('indexed matching equals testing every rule, for random events', async () => {
    const hits = checkAgainstBruteForce(await allRuleTexts(), {}, 1);
    // Enough hits that the comparison means something.
    expect(hits).toBeGreaterThan(2000);
  });

  test('the same holds through a field mapping table', async () => {
    const mapping = { 'gcp.audit.method_name': 'protoPayload.methodName', verb: 'request.verb' };
    const hits = checkAgainstBruteForce(await allRuleTexts(), mapping, 2);
    expect(hits).toBeGreaterThan(2000);
  });

  test('a rule is keyed by the required equality with the fewest values', () => {
    const key = (detection: string, mapping?: FieldMapping) => {
      const k = ruleKey(parseSigmaRule(rule(detection)), { fieldMapping: mapping });
      return k && { field: k.field, texts: [...k.texts].sort() };
    };
    const verb = fieldFor('verb', undefined);
    const resource = fieldFor('objectRef.resource', undefined);
    expect(key('sel:\n  verb: [Create, patch]\n  objectRef.resource: secrets\ncondition: sel')).toEqual({
      field: resource,
      texts: ['secrets'],
    });
    expect(key('a:\n  verb: create\nb:\n  verb: [delete, create]\ncondition: a or b')).toEqual({
      field: verb,
      texts: ['create', 'delete'],
    });
    expect(key('a:\n  verb: [get, create]\nb:\n  verb: [create, patch]\ncondition: a and b')).toEqual({
      field: verb,
      texts: ['create'],
    });
    expect(key('sel:\n  - verb: create\n  - objectRef.resource: pods\ncondition: sel')).toBeUndefined();
    expect(key('a:\n  verb: get\ncondition: not a')).toBeUndefined();
    expect(key('sel:\n  verb|cased: Create\ncondition: sel')).toBeUndefined();
    expect(key('sel:\n  verb: cre*\ncondition: sel')).toBeUndefined();
    expect(key("sel:\n  verb: 'cre\\*'\ncondition: sel")).toEqual({ field: verb, texts: ['cre*'] });
    expect(key('sel:\n  responseStatus.code: 403\ncondition: sel')?.texts).toEqual(['403']);
    // A mapping function may read anything, so its fields are not shared or indexed.
    expect(key('sel:\n  verb: create\ncondition: sel', (f, e) => e[f])).toBeUndefined();
  });

  test('matches come in the order the rules were added, keyed or not, also after a remove', () => {
    const keyed = rule('sel:\n  verb: create\ncondition: sel');
    const unkeyed = rule('sel:\n  verb|startswith: cre\ncondition: sel');
    const otherKey = rule('sel:\n  objectRef.resource: pods\ncondition: sel');
    const ids = [keyed, unkeyed, otherKey].map((text) => parseSigmaRule(text).id!);
    const set = new SigmaRuleSet();
    for (const text of [otherKey, unkeyed, keyed]) set.add(text);
    const event = { verb: 'create', objectRef: { resource: 'pods' } };
    const audit = { product: 'kubernetes', service: 'audit' };
    expect(set.match(event, audit)).toEqual([ids[2], ids[1], ids[0]]);
    set.remove(ids[2]!);
    set.add(otherKey);
    expect(set.match(event, audit)).toEqual([ids[1], ids[0], ids[2]]);
    set.remove(ids[0]!);
    expect(set.match(event, audit)).toEqual([ids[1], ids[2]]);
  });

  test('a logsource sees rules added or removed after it was last matched', () => {
    const set = new SigmaRuleSet();
    const audit = { product: 'kubernetes', service: 'audit' };
    const event = { verb: 'create' };
    const first = rule('sel:\n  verb: create\ncondition: sel');
    const anyKubernetes = rule('sel:\n  verb: create\ncondition: sel', 'product: kubernetes');
    set.add(first);
    expect(set.match(event, audit)).toHaveLength(1);
    set.add(anyKubernetes);
    expect(set.match(event, audit)).toEqual([parseSigmaRule(first).id, parseSigmaRule(anyKubernetes).id]);
    set.remove(parseSigmaRule(anyKubernetes).id!);
    set.remove(parseSigmaRule(first).id!);
    expect(set.match(event, audit)).toEqual([]);
    set.add(first);
    expect(set.match(event, audit)).toEqual([parseSigmaRule(first).id]);
  });

  test('field values are read afresh for every match call, so a changed event is seen', () => {
    const set = new SigmaRuleSet();
    set.add(rule('sel:\n  verb: create\ncondition: sel'));
    const audit = { product: 'kubernetes', service: 'audit' };
    const event: Record<string, unknown> = { verb: 'get' };
    expect(set.match(event, audit)).toHaveLength(0);
    event['verb'] = 'CREATE';
    expect(set.match(event, audit)).toHaveLength(1);
  });
});
