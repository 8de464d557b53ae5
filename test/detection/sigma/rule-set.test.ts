import { SigmaRuleSet } from '../../../server/detection/sigma/rule-set.js';

const rule = (id: string, logsource: string, field = 'Verb'): string =>
  `title: r\nid: ${id}\nlogsource:\n${logsource}\ndetection:\n  sel:\n    ${field}: delete\n  condition: sel\n`;

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';

describe('SigmaRuleSet', () => {
  test('a rule matches any event whose logsource has every field the rule names', () => {
    const set = new SigmaRuleSet();
    set.add(rule(A, '  product: kubernetes'));
    set.add(rule(B, '  product: kubernetes\n  service: audit'));
    set.add(rule(C, '  category: process_creation'));
    const event = { Verb: 'delete' };
    expect(set.match(event, { product: 'kubernetes', service: 'audit' }).sort()).toEqual([A, B]);
    expect(set.match(event, { product: 'kubernetes' })).toEqual([A]);
    expect(set.match(event, { product: 'linux', category: 'process_creation' })).toEqual([C]);
    expect(set.match({ Verb: 'get' }, { product: 'kubernetes', service: 'audit' })).toEqual([]);
    expect(set.size).toBe(3);
  });

  test('remove drops a rule; removing an unknown id is a no-op', () => {
    const set = new SigmaRuleSet();
    set.add(rule(A, '  product: kubernetes'));
    expect(set.remove(A)).toBe(true);
    expect(set.remove(A)).toBe(false);
    expect(set.match({ Verb: 'delete' }, { product: 'kubernetes' })).toEqual([]);
    set.add(rule(A, '  product: kubernetes'));
    expect(set.size).toBe(1);
  });

  test('duplicate ids, missing ids and broken rules are rejected without changing the set', () => {
    const set = new SigmaRuleSet();
    set.add(rule(A, '  product: kubernetes'));
    expect(() => set.add(rule(A, '  product: gcp'))).toThrow(`id: rule "${A}" is already loaded`);
    expect(() => set.add(rule(A, '  product: gcp').replace(/^id: .*\n/m, ''))).toThrow(
      'id: a rule in a rule set needs an id',
    );
    expect(() => set.add(rule(B, '  product: gcp', 'ip|cidr'))).toThrow(
      'detection.sel.ip|cidr: invalid CIDR "delete"',
    );
    expect(set.size).toBe(1);
  });
});
