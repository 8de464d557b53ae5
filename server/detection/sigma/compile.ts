/**
 * Compiles a parsed Sigma rule into a predicate over events. All parsing (wildcards, regexes,
 * CIDRs, base64 variants, field paths) happens here once; the predicate only runs closures.
 */
import { Buffer } from 'node:buffer';
import type { ConditionNode } from './condition.js';
import { inNetwork, parseCidr, parseIp } from './ip.js';
import { SigmaRuleError, parseSigmaRule, type FieldMatcher, type SigmaRule } from './parse-rule.js';

export type SigmaEvent = Record<string, unknown>;
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

type Accessor = (event: SigmaEvent) => unknown;
/** Tests one scalar taken from the event; `event` is there for `fieldref`. */
type ValueTest = (value: unknown, event: SigmaEvent) => boolean;

const hasOwn = Object.hasOwn;

/** Reads `a.b.c` as a flat key first (ECS-style flattened events), then as a nested path. */
export function dotPath(path: string): Accessor {
  const segments = path.split('.');
  return (event) => {
    if (hasOwn(event, path)) return event[path];
    let current: unknown = event;
    for (const segment of segments) {
      if (typeof current !== 'object' || current === null || !hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
    return current;
  };
}

/** Reads a Sigma field from an event through the mapping; correlations group by fields the same way. */
export function accessorFor(field: string, mapping: FieldMapping | undefined): Accessor {
  if (typeof mapping === 'function') return (event) => mapping(field, event);
  return dotPath(mapping?.[field] ?? field);
}

// One-entry cache: the same event string is usually lowercased by several values and rules in a row.
let lastRaw = '';
let lastLower = '';
function lower(text: string): string {
  if (text !== lastRaw) {
    lastRaw = text;
    lastLower = text.toLowerCase();
  }
  return lastLower;
}

// Same idea for addresses: every `cidr` rule reads the same event IP.
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
function asText(value: unknown): string | undefined {
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
function compilePattern(pattern: Pattern, cased: boolean): (text: string) => boolean {
  const fold = (s: string): string => (cased ? s : s.toLowerCase());
  const prep = cased ? (s: string): string => s : lower;
  const inner = pattern.slice(pattern[0] === ANY ? 1 : 0, pattern.at(-1) === ANY ? -1 : undefined);
  if (inner.length <= 1 && inner.every((p) => typeof p === 'string')) {
    const needle = fold((inner[0] as string | undefined) ?? '');
    const open = [pattern[0] === ANY, pattern.length > 1 && pattern.at(-1) === ANY] as const;
    if (open[0] && open[1]) return (t) => prep(t).includes(needle);
    if (open[0]) return (t) => prep(t).endsWith(needle);
    if (open[1]) return (t) => prep(t).startsWith(needle);
    return (t) => prep(t) === needle;
  }
  const source = pattern
    .map((p) => (p === ANY ? '[\\s\\S]*' : p === ONE ? '[\\s\\S]' : escapeRegExp(p)))
    .join('');
  const re = new RegExp(`^${source}$`, cased ? 'u' : 'iu');
  return (t) => re.test(t);
}

function textTest(test: (text: string) => boolean): ValueTest {
  return (value) => {
    const text = asText(value);
    return text !== undefined && test(text);
  };
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return NaN;
}

function compileValueTests(matcher: FieldMatcher, options: CompileOptions): ValueTest[] {
  const has = (m: string): boolean => (matcher.modifiers as string[]).includes(m);
  const cased = has('cased');
  return matcher.values.flatMap((raw): ValueTest[] => {
    if (has('re')) {
      const flags = ['i', 'm', 's'].filter(has).join('');
      let re: RegExp;
      try {
        re = new RegExp(String(raw), flags);
      } catch (err) {
        throw new SigmaRuleError(matcher.path, `invalid regular expression: ${(err as Error).message}`);
      }
      return [textTest((t) => re.test(t))];
    }
    if (has('cidr')) {
      const net = parseCidr(String(raw));
      if (!net) throw new SigmaRuleError(matcher.path, `invalid CIDR "${String(raw)}"`);
      return [
        (value) => {
          const ip = typeof value === 'string' ? cachedIp(value) : undefined;
          return ip !== undefined && inNetwork(ip, net);
        },
      ];
    }
    if (has('fieldref')) {
      const other = accessorFor(String(raw), options.fieldMapping);
      return [
        (value, event) => {
          const a = asText(value);
          const b = asText(other(event));
          return (
            a !== undefined && b !== undefined && (cased ? a === b : a.toLowerCase() === b.toLowerCase())
          );
        },
      ];
    }
    const n = raw as number;
    if (has('gt')) return [(v) => toNumber(v) > n];
    if (has('gte')) return [(v) => toNumber(v) >= n];
    if (has('lt')) return [(v) => toNumber(v) < n];
    if (has('lte')) return [(v) => toNumber(v) <= n];
    return applyTransforms(matcher, String(raw)).map((p) => textTest(compilePattern(p, cased)));
  });
}

/** Calls `test` on a scalar, or on each element of an array (any element may match). */
function onElements(value: unknown, event: SigmaEvent, test: ValueTest): boolean {
  return Array.isArray(value) ? value.some((v) => test(v, event)) : test(value, event);
}

/** Every scalar in the event, for keyword search. */
function someLeaf(value: unknown, event: SigmaEvent, test: ValueTest): boolean {
  if (typeof value === 'object' && value !== null) {
    return Object.values(value).some((v) => someLeaf(v, event, test));
  }
  return test(value, event);
}

function compileMatcher(matcher: FieldMatcher, options: CompileOptions): SigmaPredicate {
  if (matcher.field === undefined) {
    // Keywords are full-text terms: a bare keyword matches anywhere in any value of the event.
    const bare = !matcher.modifiers.some((m) => ['contains', 'startswith', 'endswith', 're'].includes(m));
    const tests = compileValueTests(
      bare ? { ...matcher, modifiers: [...matcher.modifiers, 'contains'] } : matcher,
      options,
    );
    return matcher.modifiers.includes('all')
      ? (event) => tests.every((t) => someLeaf(event, event, t))
      : (event) => tests.some((t) => someLeaf(event, event, t));
  }
  const get = accessorFor(matcher.field, options.fieldMapping);
  if (matcher.values[0] === null) {
    return (event) => {
      const v = get(event);
      return v === undefined || v === null;
    };
  }
  if (matcher.modifiers.includes('exists')) {
    // Spec: presence only, "not its value, be it empty or null".
    const wanted = matcher.values[0] === true;
    return (event) => (get(event) !== undefined) === wanted;
  }
  const tests = compileValueTests(matcher, options);
  if (matcher.modifiers.includes('all')) {
    return (event) => {
      const v = get(event);
      return tests.every((t) => onElements(v, event, t));
    };
  }
  const single = tests.length === 1 ? tests[0]! : undefined;
  if (single) return (event) => onElements(get(event), event, single);
  const any: ValueTest = (v, event) => tests.some((t) => t(v, event));
  return (event) => onElements(get(event), event, any);
}

function and(predicates: SigmaPredicate[]): SigmaPredicate {
  if (predicates.length === 1) return predicates[0]!;
  return (event) => predicates.every((p) => p(event));
}

function or(predicates: SigmaPredicate[]): SigmaPredicate {
  if (predicates.length === 1) return predicates[0]!;
  return (event) => predicates.some((p) => p(event));
}

/** Compiles a parsed rule; throws SigmaRuleError for values that cannot compile (bad regex, CIDR). */
export function compileRule(rule: SigmaRule, options: CompileOptions = {}): CompiledRule {
  const identifiers = new Map<string, SigmaPredicate>();
  for (const [name, alternatives] of Object.entries(rule.detection)) {
    identifiers.set(name, or(alternatives.map((all) => and(all.map((m) => compileMatcher(m, options))))));
  }
  const build = (node: ConditionNode): SigmaPredicate => {
    switch (node.op) {
      case 'id':
        return identifiers.get(node.name)!;
      case 'and':
        return and(node.args.map(build));
      case 'or':
        return or(node.args.map(build));
      case 'not': {
        const inner = build(node.arg);
        return (event) => !inner(event);
      }
      case 'of': {
        const parts = node.names.map((name) => identifiers.get(name)!);
        return node.quantifier === 'all' ? and(parts) : or(parts);
      }
    }
  };
  return { rule, match: build(rule.condition) };
}

/** Parses and compiles rule YAML in one step. */
export function compileSigma(yamlText: string, options: CompileOptions = {}): CompiledRule {
  return compileRule(parseSigmaRule(yamlText), options);
}
