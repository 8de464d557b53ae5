// One positive and one negative event for every supported modifier and condition form.
import { predicate } from './helpers.js';

type Case = [
  name: string,
  detection: string,
  matching: Record<string, unknown>,
  other: Record<string, unknown>,
];

const values: Case[] = [
  [
    'plain string (exact, case-insensitive)',
    'sel:\n  Verb: create\ncondition: sel',
    { Verb: 'CREATE' },
    { Verb: 'created' },
  ],
  [
    'list of values is OR',
    'sel:\n  Verb: [create, patch]\ncondition: sel',
    { Verb: 'patch' },
    { Verb: 'delete' },
  ],
  [
    'map is AND of fields',
    'sel:\n  Verb: create\n  Kind: Secret\ncondition: sel',
    { Verb: 'create', Kind: 'secret' },
    { Verb: 'create', Kind: 'Pod' },
  ],
  [
    'list of maps is OR of maps',
    'sel:\n  - Verb: create\n  - Kind: Secret\ncondition: sel',
    { Kind: 'Secret' },
    { Verb: 'get', Kind: 'Pod' },
  ],
  [
    'nested field by dot path',
    'sel:\n  objectRef.resource: secrets\ncondition: sel',
    { objectRef: { resource: 'secrets' } },
    { objectRef: { resource: 'pods' } },
  ],
  [
    'flat dotted key',
    'sel:\n  gcp.audit.method_name: x\ncondition: sel',
    { 'gcp.audit.method_name': 'x' },
    { gcp: { audit: { other: 'x' } } },
  ],
  ['null means absent or null', 'sel:\n  User: null\ncondition: sel', { Other: 1 }, { User: 'alice' }],
  ['null matches an explicit null', 'sel:\n  User: null\ncondition: sel', { User: null }, { User: '' }],
  ['empty string', "sel:\n  User: ''\ncondition: sel", { User: '' }, { Other: '' }],
  ['wildcard *', 'sel:\n  Verb: cre*te\ncondition: sel', { Verb: 'CREAaaTE' }, { Verb: 'crate!' }],
  ['wildcard ?', 'sel:\n  Verb: cr?ate\ncondition: sel', { Verb: 'crxate' }, { Verb: 'crate' }],
  ['escaped \\* is literal', "sel:\n  Path: 'a\\*b'\ncondition: sel", { Path: 'a*b' }, { Path: 'axxb' }],
  [
    'escaped backslash before wildcard',
    "sel:\n  Path: 'C:\\\\*'\ncondition: sel",
    { Path: 'C:\\Windows' },
    { Path: 'D:\\Windows' },
  ],
  [
    'single backslash is literal',
    "sel:\n  Image|endswith: '\\cmd.exe'\ncondition: sel",
    { Image: 'C:\\x\\cmd.exe' },
    { Image: 'C:\\x\\xcmd.exe' },
  ],
  [
    'number compares as number or its text',
    'sel:\n  EventID: 4769\ncondition: sel',
    { EventID: '4769' },
    { EventID: 47690 },
  ],
  [
    'number field equals number',
    'sel:\n  EventID: 4769\ncondition: sel',
    { EventID: 4769 },
    { EventID: 4768 },
  ],
  ['boolean', 'sel:\n  allowed: false\ncondition: sel', { allowed: false }, { allowed: true }],
  ['boolean does not match absent', 'sel:\n  allowed: false\ncondition: sel', { allowed: 'false' }, {}],
  [
    'array field: any element',
    'sel:\n  groups: admins\ncondition: sel',
    { groups: ['dev', 'Admins'] },
    { groups: ['dev'] },
  ],
  [
    'keywords (list of plain values)',
    'kw:\n  - mimikatz\n  - evil\ncondition: kw',
    { a: { b: 'run MIMIKATZ now' } },
    { a: 'benign' },
  ],
  [
    "keywords with '|all'",
    "kw:\n  '|all':\n    - Oab\n    - ExternalUrl\ncondition: kw",
    { m: 'Set-OabVirtualDirectory -ExternalUrl x' },
    { m: 'Set-OabVirtualDirectory' },
  ],
];

const modifiers: Case[] = [
  ['contains', 'sel:\n  Cmd|contains: secret\ncondition: sel', { Cmd: 'get SECRETS' }, { Cmd: 'get pods' }],
  [
    'startswith',
    'sel:\n  Cmd|startswith: kubectl\ncondition: sel',
    { Cmd: 'KubeCtl get' },
    { Cmd: 'x kubectl' },
  ],
  ['endswith', 'sel:\n  Cmd|endswith: /write\ncondition: sel', { Cmd: 'a/b/WRITE' }, { Cmd: 'a/write/b' }],
  [
    'contains keeps inner wildcards',
    'sel:\n  Cmd|contains: a*c\ncondition: sel',
    { Cmd: 'xxabbbcxx' },
    { Cmd: 'xxcbax' },
  ],
  [
    'all',
    'sel:\n  Cmd|contains|all: [get, secrets]\ncondition: sel',
    { Cmd: 'get secrets' },
    { Cmd: 'get pods' },
  ],
  [
    'all over an array field',
    'sel:\n  groups|all: [a, b]\ncondition: sel',
    { groups: ['b', 'a'] },
    { groups: ['a', 'c'] },
  ],
  [
    're (case-sensitive by default)',
    "sel:\n  Cmd|re: '^get .*s$'\ncondition: sel",
    { Cmd: 'get pods' },
    { Cmd: 'GET pods' },
  ],
  ['re|i', "sel:\n  Cmd|re|i: '^get'\ncondition: sel", { Cmd: 'GET pods' }, { Cmd: 'list' }],
  ['re|m', "sel:\n  Cmd|re|m: '^two$'\ncondition: sel", { Cmd: 'one\ntwo\nthree' }, { Cmd: 'one two' }],
  ['re|s', "sel:\n  Cmd|re|s: 'a.b'\ncondition: sel", { Cmd: 'a\nb' }, { Cmd: 'a\n\nb' }],
  [
    're without s: dot skips newline',
    "sel:\n  Cmd|re: 'a.b'\ncondition: sel",
    { Cmd: 'axb' },
    { Cmd: 'a\nb' },
  ],
  ['cidr IPv4', 'sel:\n  ip|cidr: 10.0.0.0/8\ncondition: sel', { ip: '10.200.3.4' }, { ip: '11.0.0.1' }],
  [
    'cidr IPv4 non-byte prefix',
    'sel:\n  ip|cidr: 192.168.4.0/22\ncondition: sel',
    { ip: '192.168.7.255' },
    { ip: '192.168.8.0' },
  ],
  [
    'cidr IPv4 list',
    'sel:\n  ip|cidr: [10.0.0.0/8, 172.16.0.0/12]\ncondition: sel',
    { ip: '172.31.0.1' },
    { ip: '172.32.0.1' },
  ],
  [
    'cidr IPv4-mapped IPv6 event',
    'sel:\n  ip|cidr: 10.0.0.0/8\ncondition: sel',
    { ip: '::ffff:10.1.2.3' },
    { ip: '::ffff:11.1.2.3' },
  ],
  [
    'cidr IPv6',
    "sel:\n  ip|cidr: '2001:db8::/32'\ncondition: sel",
    { ip: '2001:DB8:0:1::5' },
    { ip: '2001:db9::1' },
  ],
  ['cidr IPv6 /127', "sel:\n  ip|cidr: 'fe80::a/127'\ncondition: sel", { ip: 'fe80::b' }, { ip: 'fe80::c' }],
  [
    'cidr ignores non-addresses',
    'sel:\n  ip|cidr: 0.0.0.0/0\ncondition: sel',
    { ip: '1.2.3.4' },
    { ip: 'localhost' },
  ],
  [
    'base64',
    "sel:\n  Data|base64: 'kubectl'\ncondition: sel",
    { Data: Buffer.from('kubectl').toString('base64') },
    { Data: 'kubectl' },
  ],
  [
    'base64|contains',
    "sel:\n  Data|base64|contains: 'abc'\ncondition: sel",
    { Data: `xx${Buffer.from('abc').toString('base64')}` },
    { Data: 'abc' },
  ],
  ...[0, 1, 2].map((shift): Case => [
    `base64offset|contains (shift ${shift})`,
    "sel:\n  Data|base64offset|contains: 'http://'\ncondition: sel",
    { Data: Buffer.from(`${'x'.repeat(shift)}curl http://evil`).toString('base64') },
    { Data: Buffer.from(`${'x'.repeat(shift)}curl https://evil`).toString('base64') },
  ]),
  [
    'windash',
    "sel:\n  Cmd|windash|contains: ' -enc '\ncondition: sel",
    { Cmd: 'ps /enc abc' },
    { Cmd: 'ps enc abc' },
  ],
  [
    'windash en dash',
    "sel:\n  Cmd|windash|contains: ' -enc '\ncondition: sel",
    { Cmd: 'ps \u2013enc abc' },
    { Cmd: 'ps +enc abc' },
  ],
  ['exists: true', 'sel:\n  User|exists: true\ncondition: sel', { User: null }, { Other: 1 }],
  ['exists: false', 'sel:\n  User|exists: false\ncondition: sel', { Other: 1 }, { User: '' }],
  ['cased', 'sel:\n  Verb|cased: Create\ncondition: sel', { Verb: 'Create' }, { Verb: 'create' }],
  [
    'cased|contains',
    'sel:\n  Verb|cased|contains: Sec\ncondition: sel',
    { Verb: 'xSecx' },
    { Verb: 'xsecx' },
  ],
  [
    'fieldref',
    'sel:\n  user|fieldref: target\ncondition: sel',
    { user: 'Alice', target: 'alice' },
    { user: 'alice', target: 'bob' },
  ],
  [
    'fieldref needs both fields',
    'sel:\n  user|fieldref: target\ncondition: sel',
    { user: 'a', target: 'a' },
    { user: 'a' },
  ],
  ['gt', 'sel:\n  size|gt: 10\ncondition: sel', { size: 11 }, { size: 10 }],
  ['gte', 'sel:\n  size|gte: 10\ncondition: sel', { size: '10' }, { size: 9.5 }],
  ['lt', 'sel:\n  size|lt: 10\ncondition: sel', { size: -1 }, { size: 'abc' }],
  ['lte', 'sel:\n  size|lte: 10\ncondition: sel', { size: 10 }, { size: 10.1 }],
];

const S = 'a:\n  A: 1\nb:\n  B: 1\nc:\n  C: 1\n_d:\n  D: 1\n';
const conditions: Case[] = [
  ['and', `${S}condition: a and b`, { A: 1, B: 1 }, { A: 1 }],
  ['or', `${S}condition: a or b`, { B: 1 }, { C: 1 }],
  ['not', `${S}condition: a and not b`, { A: 1 }, { A: 1, B: 1 }],
  ['parentheses', `${S}condition: a and (b or c)`, { A: 1, C: 1 }, { B: 1, C: 1 }],
  ['and binds tighter than or', `${S}condition: a or b and c`, { A: 1 }, { B: 1 }],
  ['not binds tighter than and', `${S}condition: not a and b`, { B: 1 }, { A: 1, B: 1 }],
  ['not not', `${S}condition: not not a`, { A: 1 }, { B: 1 }],
  ['operators are case-insensitive', `${S}condition: a AND NOT b`, { A: 1 }, { A: 1, B: 1 }],
  [
    '1 of pattern',
    'sel_a:\n  A: 1\nsel_b:\n  B: 1\nother:\n  C: 1\ncondition: 1 of sel_*',
    { B: 1 },
    { C: 1 },
  ],
  [
    'all of pattern',
    'sel_a:\n  A: 1\nsel_b:\n  B: 1\nother:\n  C: 1\ncondition: all of sel_*',
    { A: 1, B: 1 },
    { A: 1, C: 1 },
  ],
  ['1 of them', `${S}condition: 1 of them`, { C: 1 }, { E: 1 }],
  ['1 of them skips _ identifiers', `${S}condition: 1 of them`, { A: 1 }, { D: 1 }],
  ['all of them', `${S}condition: all of them`, { A: 1, B: 1, C: 1 }, { A: 1, B: 1 }],
  [
    '1 of x and not 1 of filter',
    'sel:\n  A: 1\nfilter_1:\n  B: 1\nfilter_2:\n  C: 1\ncondition: 1 of sel* and not 1 of filter*',
    { A: 1 },
    { A: 1, C: 1 },
  ],
  ['not (1 of x)', `${S}condition: not (1 of them)`, { E: 1 }, { B: 1 }],
  ['list of conditions is OR', `${S}condition:\n  - a and b\n  - c`, { C: 1 }, { A: 1 }],
];

describe.each([
  ['values', values],
  ['modifiers', modifiers],
  ['conditions', conditions],
])('Sigma %s', (_group, cases) => {
  test.each(cases)('%s', (_name, detection, matching, other) => {
    const match = predicate(detection);
    expect(match(matching)).toBe(true);
    expect(match(other)).toBe(false);
  });
});

describe('field mapping', () => {
  const detection = 'sel:\n  Verb: delete\n  Resource|startswith: secret\ncondition: sel';
  const event = { protoPayload: { methodName: 'delete', resourceName: 'secrets/db' } };

  test('a table maps Sigma fields to event dot-paths; unmapped fields are read by name', () => {
    const match = predicate(detection, {
      fieldMapping: { Verb: 'protoPayload.methodName', Resource: 'protoPayload.resourceName' },
    });
    expect(match(event)).toBe(true);
    expect(match({ ...event, protoPayload: { ...event.protoPayload, methodName: 'get' } })).toBe(false);
    expect(predicate(detection)(event)).toBe(false);
  });

  test('a function does the lookup itself', () => {
    const seen: string[] = [];
    const match = predicate(detection, {
      fieldMapping: (field, ev) => {
        seen.push(field);
        const payload = ev.protoPayload as Record<string, unknown>;
        return field === 'Verb' ? payload.methodName : payload.resourceName;
      },
    });
    expect(match(event)).toBe(true);
    expect(seen).toEqual(['Verb', 'Resource']);
  });

  test('fieldref goes through the mapping too', () => {
    const match = predicate('sel:\n  Actor|fieldref: Owner\ncondition: sel', {
      fieldMapping: { Actor: 'a.name', Owner: 'o.name' },
    });
    expect(match({ a: { name: 'x' }, o: { name: 'X' } })).toBe(true);
    expect(match({ a: { name: 'x' }, o: { name: 'y' } })).toBe(false);
  });
});
