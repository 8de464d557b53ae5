// Load errors name what is wrong and where, as `path: detail`.
import { compileSigma } from '../../../server/detection/sigma/compile.js';
import { SigmaRuleError, parseSigmaRule } from '../../../server/detection/sigma/parse-rule.js';
import { ruleYaml } from './helpers.js';

const errors: [name: string, detection: string, message: string][] = [
  [
    'unknown modifier',
    'selection:\n  Verb|containz: x\ncondition: selection',
    'detection.selection.Verb|containz: unknown modifier "containz"',
  ],
  [
    'unknown modifier in a list of maps',
    'selection:\n  - A: 1\n  - Verb|bogus: x\ncondition: selection',
    'detection.selection[1].Verb|bogus: unknown modifier "bogus"',
  ],
  [
    'unsupported modifier',
    'selection:\n  Verb|expand: "%x%"\ncondition: selection',
    'detection.selection.Verb|expand: unsupported modifier "expand"',
  ],
  [
    'unknown identifier',
    'selection:\n  Verb: x\ncondition: selecton',
    'detection.condition: unknown identifier "selecton"',
  ],
  [
    'unknown identifier in a condition list',
    'selection:\n  Verb: x\ncondition:\n  - selection\n  - not filter',
    'detection.condition[1]: unknown identifier "filter"',
  ],
  [
    'pattern matching nothing',
    'selection:\n  Verb: x\ncondition: selection and not 1 of filter*',
    'detection.condition: "1 of filter*" matches no search identifier',
  ],
  [
    'unbalanced parenthesis',
    'selection:\n  Verb: x\ncondition: (selection',
    'detection.condition: expected ")" but found end of condition',
  ],
  [
    'dangling operator',
    'selection:\n  Verb: x\ncondition: selection and',
    'detection.condition: unexpected end of condition',
  ],
  [
    'stray token',
    'selection:\n  Verb: x\ncondition: selection selection',
    'detection.condition: unexpected "selection" at column 11',
  ],
  ['missing condition', 'selection:\n  Verb: x', 'detection.condition: Invalid input'],
  [
    'sub-modifier without re',
    'selection:\n  Verb|i: x\ncondition: selection',
    'detection.selection.Verb|i: modifier "i" requires "re"',
  ],
  [
    'conflicting types',
    'selection:\n  ip|cidr|re: x\ncondition: selection',
    'detection.selection.ip|cidr|re: modifiers "cidr" and "re" cannot be combined',
  ],
  [
    'contains with re',
    'selection:\n  Verb|contains|re: x\ncondition: selection',
    'detection.selection.Verb|contains|re: modifier "contains" cannot be combined with "re"',
  ],
  [
    'all with one value',
    'selection:\n  Verb|contains|all: x\ncondition: selection',
    'detection.selection.Verb|contains|all: "all" needs more than one value',
  ],
  [
    'null inside a list',
    "selection:\n  Verb: ['', null]\ncondition: selection",
    'detection.selection.Verb[1]: null must be the only value',
  ],
  [
    'exists with a string',
    'selection:\n  Verb|exists: yes\ncondition: selection',
    'detection.selection.Verb|exists: "exists" takes true or false',
  ],
  [
    'gt with a string',
    'selection:\n  size|gt: big\ncondition: selection',
    'detection.selection.size|gt: "gt" takes a number',
  ],
  [
    'nested map as value',
    'selection:\n  Verb:\n    a: b\ncondition: selection',
    'detection.selection.Verb: value must be a string',
  ],
  [
    'empty search identifier',
    'selection: []\ncondition: selection',
    'detection.selection: search identifier must be a map or a non-empty list',
  ],
];

describe('parse errors', () => {
  test.each(errors)('%s', (_name, detection, message) => {
    expect(() => parseSigmaRule(ruleYaml(detection))).toThrow(message);
  });

  test('errors are SigmaRuleErrors carrying the path', () => {
    try {
      parseSigmaRule(ruleYaml('selection:\n  Verb|containz: x\ncondition: selection'));
      throw new Error('expected a SigmaRuleError');
    } catch (err) {
      expect(err).toBeInstanceOf(SigmaRuleError);
      expect(err).toMatchObject({
        path: 'detection.selection.Verb|containz',
        detail: 'unknown modifier "containz"',
      });
    }
  });

  test.each([
    ['bad regex', "sel:\n  Cmd|re: '(a'\ncondition: sel", 'detection.sel.Cmd|re: invalid regular expression'],
    [
      'bad CIDR',
      'sel:\n  ip|cidr: 10.0.0.0/33\ncondition: sel',
      'detection.sel.ip|cidr: invalid CIDR "10.0.0.0/33"',
    ],
    [
      'base64 of a wildcard',
      "sel:\n  Data|base64: 'a*'\ncondition: sel",
      'detection.sel.Data|base64: "base64" cannot encode a value containing wildcards',
    ],
  ])('values that cannot compile: %s', (_name, detection, message) => {
    expect(() => compileSigma(ruleYaml(detection))).toThrow(message);
  });

  test.each([
    ['title', 'title: Test rule\n', '', 'title: Invalid input'],
    ['level', '', 'level: severe\n', 'level: Invalid option'],
    ['status', '', 'status: draft\n', 'status: Invalid option'],
    ['tags', '', 'tags:\n  - Attack.T1609\n', 'tags[0]: must look like namespace.name'],
    ['id', 'id: 5f0c2b8e-1b7a-4c8e-9d3f-2a6b7c8d9e0f\n', 'id: not-a-uuid\n', 'id: Invalid'],
  ])('header field %s', (_name, remove, extra, message) => {
    const text = ruleYaml('sel:\n  A: 1\ncondition: sel', extra).replace(remove, '');
    expect(() => parseSigmaRule(text)).toThrow(message);
  });

  test('malformed YAML and duplicate keys are reported', () => {
    expect(() => parseSigmaRule('title: [unclosed\n')).toThrow('invalid YAML');
    expect(() => parseSigmaRule(ruleYaml('sel:\n  A: 1\n  A: 2\ncondition: sel'))).toThrow('invalid YAML');
  });

  test('tactics in both spellings and technique ids are extracted', () => {
    const rule = parseSigmaRule(
      ruleYaml(
        'sel:\n  A: 1\ncondition: sel',
        'tags:\n  - attack.t1609\n  - attack.privilege_escalation\n  - attack.g0001\n  - cve.2021-44228\n',
      ),
    );
    expect(rule.attack).toEqual({ techniques: ['T1609'], tactics: ['privilege-escalation'] });
    expect(rule.tags).toHaveLength(4);
  });
});
