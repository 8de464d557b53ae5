/**
 * Compiles a parsed Sigma rule into a predicate over events. All parsing (wildcards, regexes,
 * CIDRs, base64 variants, field paths) happens here once; the predicate only runs closures, which
 * read fields through a per-event memo (EventFields) shared by every rule tested on the event.
 */
import { Buffer } from 'node:buffer';
import type { ConditionNode } from './condition.js';
import { EventFields, dotPath, pathField, unsharedField, type EventField } from './event-fields.js';
import { inNetwork, parseCidr, parseIp } from './ip.js';
import { SigmaRuleError, parseSigmaRule, type FieldMatcher, type SigmaRule } from './parse-rule.js';

export type SigmaEvent = Record<string, unknown>;
// Lives with the per-event memo that reads paths; exported here as before.
export { dotPath };
export type SigmaPredicate = (event: SigmaEvent) => boolean;

/**
 * How a Sigma field name reaches the event: a table from Sigma field to event dot-path (fields
 * not in the table are read by their own name), or a function doing the lookup itself.
 */
export type FieldMapping = Readonly<Record<string, string>> | ((field: string, event: SigmaEvent) => unknown);

export interface CompileOptions {
  fieldMapping?: FieldMapping;
}

export interface CompiledRule {
  rule: SigmaRule;
  match: SigmaPredicate;
}

/** A compiled rule or part of one, over an event's memoised fields. */
export type EventTest = (fields: EventFields) => boolean;

type Accessor = (event: SigmaEvent) => unknown;
/** Tests one value taken from the event; `fields` is there for `fieldref`. */
type ValueTest = (value: unknown, fields: EventFields) => boolean;
/**
 * Tests one string taken from the event: `text` as it is, `folded` lowercased for
 * case-insensitive matchers (else `text` again), so rules share one lowercasing per field.
 */
type TextTest = (text: string, folded: string) => boolean;

/** Reads a Sigma field from an event through the mapping; correlations group by fields the same way. */
export function accessorFor(field: string, mapping: FieldMapping | undefined): Accessor {
  if (typeof mapping === 'function') return (event) => mapping(field, event);
  return dotPath(mapping?.[field] ?? field);
}

/** The field a rule's `field` names; table-mapped fields are shared with other rules reading the same path. */
export function fieldFor(field: string, mapping: FieldMapping | undefined): EventField {
  if (typeof mapping === 'function') return unsharedField(accessorFor(field, mapping));
  return pathField(mapping?.[field] ?? field);
}

// One-entry cache: every `cidr` rule reads the same event IP.
let lastIpText = '';
let lastIp: Uint8Array | undefined;
function cachedIp(text: string): Uint8Array | undefined {
  if (text !== lastIpText) {
    lastIpText = text;
    lastIp = parseIp(text);
  }
  return lastIp;
}

/** Sigma compares as strings: numbers and booleans in the event are matched by their text. */
export function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

const ANY = Symbol('*');
const ONE = Symbol('?');
type Part = string | typeof ANY | typeof ONE;
type Pattern = Part[];
const OPEN: readonly Part[] = [ANY];
const NONE: readonly Part[] = [];

/** Splits a plain Sigma string into literals and wildcards, honouring the spec's `\` escapes. */
function parseWildcards(text: string): Pattern {
  const parts: Pattern = [];
  let literal = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '\\' && (next === '*' || next === '?' || next === '\\')) {
      literal += next;
      i++;
    } else if (c === '*' || c === '?') {
      if (literal) parts.push(literal);
      literal = '';
      parts.push(c === '*' ? ANY : ONE);
    } else {
      literal += c;
    }
  }
  if (literal) parts.push(literal);
  return parts;
}

const literalOf = (pattern: Pattern, path: string, modifier: string): string => {
  if (pattern.some((p) => typeof p !== 'string')) {
    throw new SigmaRuleError(path, `"${modifier}" cannot encode a value containing wildcards`);
  }
  return pattern.join('');
};

function base64Offsets(text: string): string[] {
  // pySigma's three alignments: the stable middle of the encoding at byte shifts 0, 1 and 2.
  const value = Buffer.from(text, 'utf8');
  const starts = [0, 2, 3];
  const ends = [undefined, -3, -2];
  return [0, 1, 2].map((shift) =>
    Buffer.concat([Buffer.alloc(shift, ' '), value])
      .toString('base64')
      .slice(starts[shift], ends[(value.length + shift) % 3]),
  );
}

const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];

function windash(text: string): string[] {
  let results = [''];
  for (const c of text) {
    const options = DASHES.includes(c) ? DASHES : [c];
    results = results.flatMap((prefix) => options.map((o) => prefix + o));
  }
  return results;
}

function applyTransforms(matcher: FieldMatcher, value: string): Pattern[] {
  let patterns: Pattern[] = [parseWildcards(value)];
  for (const mod of matcher.modifiers) {
    switch (mod) {
      case 'windash':
        patterns = patterns.flatMap((p) => {
          const variants = p.map((part): Part[] => (typeof part === 'string' ? windash(part) : [part]));
          return variants.reduce<Pattern[]>(
            (acc, options) => acc.flatMap((prefix) => options.map((o): Pattern => [...prefix, o])),
            [[]],
          );
        });
        break;
      case 'base64':
        patterns = patterns.map((p) => [
          Buffer.from(literalOf(p, matcher.path, mod), 'utf8').toString('base64'),
        ]);
        break;
      case 'base64offset':
        patterns = patterns.flatMap((p) => base64Offsets(literalOf(p, matcher.path, mod)).map((s) => [s]));
        break;
      case 'contains':
        patterns = patterns.map((p): Pattern => [
          ...(p[0] === ANY ? NONE : OPEN),
          ...p,
          ...(p.at(-1) === ANY ? NONE : OPEN),
        ]);
        break;
      case 'startswith':
        patterns = patterns.map((p): Pattern => (p.at(-1) === ANY ? p : [...p, ANY]));
        break;
      case 'endswith':
        patterns = patterns.map((p): Pattern => (p[0] === ANY ? p : [ANY, ...p]));
        break;
      default:
        break;
    }
  }
  return patterns;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Turns a wildcard pattern into the cheapest string test: equality, starts/ends/includes, else RegExp. */
function compilePattern(pattern: Pattern, cased: boolean): TextTest {
  const inner = pattern.slice(pattern[0] === ANY ? 1 : 0, pattern.at(-1) === ANY ? -1 : undefined);
  if (inner.length <= 1 && inner.every((p) => typeof p === 'string')) {
    const literal = (inner[0] as string | undefined) ?? '';
    const needle = cased ? literal : literal.toLowerCase();
    const open = [pattern[0] === ANY, pattern.length > 1 && pattern.at(-1) === ANY] as const;
    if (open[0] && open[1]) return (_, folded) => folded.includes(needle);
    if (open[0]) return (_, folded) => folded.endsWith(needle);
    if (open[1]) return (_, folded) => folded.startsWith(needle);
    return (_, folded) => folded === needle;
  }
  const source = pattern
    .map((p) => (p === ANY ? '[\\s\\S]*' : p === ONE ? '[\\s\\S]' : escapeRegExp(p)))
    .join('');
  // The expression folds case itself, on the text as it is (lowercasing may change its length).
  const re = new RegExp(`^${source}$`, cased ? 'u' : 'iu');
  return (text) => re.test(text);
}

/**
 * The lowercased texts a plain equality matcher (no modifiers, no wildcards) accepts; undefined
 * for any other matcher. The event's text must be one of them for the matcher to hold.
 */
export function exactValues(matcher: FieldMatcher): string[] | undefined {
  if (matcher.field === undefined || matcher.modifiers.length > 0 || matcher.values[0] === null)
    return undefined;
  const texts: string[] = [];
  for (const raw of matcher.values) {
    const pattern = parseWildcards(String(raw));
    if (pattern.some((p) => typeof p !== 'string')) return undefined;
    texts.push(pattern.join('').toLowerCase());
  }
  return texts;
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return NaN;
}

/** A matcher's tests: on strings (patterns, regular expressions) or on any value (the rest). */
type MatcherTests =
  { kind: 'text'; fold: boolean; tests: TextTest[] } | { kind: 'value'; tests: ValueTest[] };

function compileTests(matcher: FieldMatcher, options: CompileOptions): MatcherTests {
  const has = (m: string): boolean => (matcher.modifiers as string[]).includes(m);
  const cased = has('cased');
  if (has('re')) {
    const flags = ['i', 'm', 's'].filter(has).join('');
    const tests = matcher.values.map((raw): TextTest => {
      let re: RegExp;
      try {
        re = new RegExp(String(raw), flags);
      } catch (err) {
        throw new SigmaRuleError(matcher.path, `invalid regular expression: ${(err as Error).message}`);
      }
      return (text) => re.test(text);
    });
    return { kind: 'text', fold: false, tests };
  }
  if (has('cidr')) {
    const tests = matcher.values.map((raw): ValueTest => {
      const net = parseCidr(String(raw));
      if (!net) throw new SigmaRuleError(matcher.path, `invalid CIDR "${String(raw)}"`);
      return (value) => {
        const ip = typeof value === 'string' ? cachedIp(value) : undefined;
        return ip !== undefined && inNetwork(ip, net);
      };
    });
    return { kind: 'value', tests };
  }
  if (has('fieldref')) {
    const tests = matcher.values.map((raw): ValueTest => {
      const other = fieldFor(String(raw), options.fieldMapping);
      return (value, fields) => {
        const a = asText(value);
        const b = asText(fields.value(other));
        return a !== undefined && b !== undefined && (cased ? a === b : a.toLowerCase() === b.toLowerCase());
      };
    });
    return { kind: 'value', tests };
  }
  const compare = (['gt', 'gte', 'lt', 'lte'] as const).find(has);
  if (compare) {
    const tests = matcher.values.map((raw): ValueTest => {
      const n = raw as number;
      if (compare === 'gt') return (v) => toNumber(v) > n;
      if (compare === 'gte') return (v) => toNumber(v) >= n;
      if (compare === 'lt') return (v) => toNumber(v) < n;
      return (v) => toNumber(v) <= n;
    });
    return { kind: 'value', tests };
  }
  const tests = matcher.values.flatMap((raw) =>
    applyTransforms(matcher, String(raw)).map((p) => compilePattern(p, cased)),
  );
  return { kind: 'text', fold: !cased, tests };
}

/** Whether any test holds; the common single test is returned as is, to save a call. */
function anyText(tests: TextTest[]): TextTest {
  if (tests.length === 1) return tests[0]!;
  return (text, folded) => {
    for (const test of tests) if (test(text, folded)) return true;
    return false;
  };
}

/** A text test as a test of any value: numbers and booleans by their text, other values fail. */
function onText(test: TextTest, fold: boolean): ValueTest {
  return (value) => {
    const text = asText(value);
    return text !== undefined && test(text, fold ? text.toLowerCase() : text);
  };
}

const asValueTests = (compiled: MatcherTests): ValueTest[] =>
  compiled.kind === 'value' ? compiled.tests : compiled.tests.map((t) => onText(t, compiled.fold));

/** Calls `test` on a scalar, or on each element of an array (any element may match). */
function onElements(value: unknown, fields: EventFields, test: ValueTest): boolean {
  if (!Array.isArray(value)) return test(value, fields);
  for (const element of value) if (test(element, fields)) return true;
  return false;
}

/** Every scalar in the event, for keyword search. */
function someLeaf(value: unknown, fields: EventFields, test: ValueTest): boolean {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) if (someLeaf(v, fields, test)) return true;
    return false;
  }
  return test(value, fields);
}

/** Keywords are full-text terms: a bare keyword matches anywhere in any value of the event. */
function compileKeywords(matcher: FieldMatcher, options: CompileOptions): EventTest {
  const bare = !matcher.modifiers.some((m) => ['contains', 'startswith', 'endswith', 're'].includes(m));
  const tests = asValueTests(
    compileTests(bare ? { ...matcher, modifiers: [...matcher.modifiers, 'contains'] } : matcher, options),
  );
  return matcher.modifiers.includes('all')
    ? (fields) => tests.every((t) => someLeaf(fields.event, fields, t))
    : (fields) => tests.some((t) => someLeaf(fields.event, fields, t));
}

/** String tests on a field: a scalar's text is lowercased once per event for all the rules. */
function textMatcher(field: EventField, fold: boolean, tests: TextTest[], all: boolean): EventTest {
  if (all) {
    const elementTests = tests.map((t) => onText(t, fold));
    return (fields) => {
      const value = fields.value(field);
      if (Array.isArray(value)) return elementTests.every((t) => onElements(value, fields, t));
      const text = asText(value);
      if (text === undefined) return false;
      const folded = fold ? fields.lowerText(field, text) : text;
      for (const test of tests) if (!test(text, folded)) return false;
      return true;
    };
  }
  const test = anyText(tests);
  const elementTest = onText(test, fold);
  return (fields) => {
    const value = fields.value(field);
    if (Array.isArray(value)) return onElements(value, fields, elementTest);
    const text = asText(value);
    return text !== undefined && test(text, fold ? fields.lowerText(field, text) : text);
  };
}

function compileMatcher(matcher: FieldMatcher, options: CompileOptions): EventTest {
  if (matcher.field === undefined) return compileKeywords(matcher, options);
  const field = fieldFor(matcher.field, options.fieldMapping);
  if (matcher.values[0] === null) {
    return (fields) => {
      const v = fields.value(field);
      return v === undefined || v === null;
    };
  }
  if (matcher.modifiers.includes('exists')) {
    // Spec: presence only, "not its value, be it empty or null".
    const wanted = matcher.values[0] === true;
    return (fields) => (fields.value(field) !== undefined) === wanted;
  }
  const all = matcher.modifiers.includes('all');
  const compiled = compileTests(matcher, options);
  if (compiled.kind === 'text') return textMatcher(field, compiled.fold, compiled.tests, all);
  const tests = compiled.tests;
  if (all) return (fields) => tests.every((t) => onElements(fields.value(field), fields, t));
  const any: ValueTest = tests.length === 1 ? tests[0]! : (v, fields) => tests.some((t) => t(v, fields));
  return (fields) => onElements(fields.value(field), fields, any);
}

function and(tests: EventTest[]): EventTest {
  if (tests.length === 1) return tests[0]!;
  if (tests.length === 2) {
    const [a, b] = tests as [EventTest, EventTest];
    return (fields) => a(fields) && b(fields);
  }
  return (fields) => {
    for (const test of tests) if (!test(fields)) return false;
    return true;
  };
}

function or(tests: EventTest[]): EventTest {
  if (tests.length === 1) return tests[0]!;
  if (tests.length === 2) {
    const [a, b] = tests as [EventTest, EventTest];
    return (fields) => a(fields) || b(fields);
  }
  return (fields) => {
    for (const test of tests) if (test(fields)) return true;
    return false;
  };
}

/** Compiles a parsed rule into a test over memoised fields; throws SigmaRuleError for values that cannot compile. */
export function compileRuleTest(rule: SigmaRule, options: CompileOptions = {}): EventTest {
  const identifiers = new Map<string, EventTest>();
  for (const [name, alternatives] of Object.entries(rule.detection)) {
    identifiers.set(name, or(alternatives.map((all) => and(all.map((m) => compileMatcher(m, options))))));
  }
  const build = (node: ConditionNode): EventTest => {
    switch (node.op) {
      case 'id':
        return identifiers.get(node.name)!;
      case 'and':
        return and(node.args.map(build));
      case 'or':
        return or(node.args.map(build));
      case 'not': {
        const inner = build(node.arg);
        return (fields) => !inner(fields);
      }
      case 'of': {
        const parts = node.names.map((name) => identifiers.get(name)!);
        return node.quantifier === 'all' ? and(parts) : or(parts);
      }
    }
  };
  return build(rule.condition);
}

/** Compiles a parsed rule; throws SigmaRuleError for values that cannot compile (bad regex, CIDR). */
export function compileRule(rule: SigmaRule, options: CompileOptions = {}): CompiledRule {
  const test = compileRuleTest(rule, options);
  return { rule, match: (event) => test(new EventFields(event)) };
}

/** Parses and compiles rule YAML in one step. */
export function compileSigma(yamlText: string, options: CompileOptions = {}): CompiledRule {
  return compileRule(parseSigmaRule(yamlText), options);
}
