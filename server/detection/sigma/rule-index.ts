/**
 * Indexes rules by a field value they require, so an event is only tested against the rules that
 * could match it. A rule whose condition can only hold when, say, `objectRef.resource` is
 * `secrets` or `configmaps` is filed under those two texts and skipped for every other event;
 * rules with no such requirement are tested every time. The result is the same as testing every
 * rule: only plain case-insensitive equalities (which the event's text must equal) make keys.
 */
import { asText, exactValues, fieldFor, type CompileOptions, type EventTest } from './compile.js';
import type { ConditionNode } from './condition.js';
import type { EventField, EventFields } from './event-fields.js';
import type { FieldMatcher, SigmaRule } from './parse-rule.js';

/** Fields whose lowercased text must be one of the listed texts for a condition to hold. */
type Requirements = Map<EventField, Set<string>>;

/** A field value a rule requires: the event's text of `field`, lowercased, must be in `texts`. */
export interface RuleKey {
  field: EventField;
  texts: ReadonlySet<string>;
}

/** AND: every requirement of every part holds; a field required twice must satisfy both. */
function allOf(parts: Requirements[]): Requirements {
  const result: Requirements = new Map();
  for (const part of parts) {
    for (const [field, texts] of part) {
      const known = result.get(field);
      result.set(field, known ? new Set([...known].filter((t) => texts.has(t))) : texts);
    }
  }
  return result;
}

/** OR: only fields every alternative requires remain, with any alternative's texts. */
function anyOf(parts: Requirements[]): Requirements {
  const [first, ...rest] = parts;
  const result: Requirements = new Map();
  for (const [field, texts] of first ?? []) {
    if (rest.every((part) => part.has(field))) {
      result.set(field, new Set([texts, ...rest.map((part) => part.get(field)!)].flatMap((s) => [...s])));
    }
  }
  return result;
}

/**
 * The requirement to index `rule` by, the one with the fewest texts; undefined when the condition
 * requires no plain equality on a memoised field (e.g. it is a `not`, a keyword or a `contains`).
 */
export function ruleKey(rule: SigmaRule, options: CompileOptions): RuleKey | undefined {
  const ofMatcher = (matcher: FieldMatcher): Requirements => {
    const texts = exactValues(matcher);
    if (!texts) return new Map();
    const field = fieldFor(matcher.field!, options.fieldMapping);
    return field.slot < 0 ? new Map() : new Map([[field, new Set(texts)]]);
  };
  const ofIdentifier = (name: string): Requirements =>
    anyOf(rule.detection[name]!.map((alternative) => allOf(alternative.map(ofMatcher))));
  const ofNode = (node: ConditionNode): Requirements => {
    switch (node.op) {
      case 'id':
        return ofIdentifier(node.name);
      case 'and':
        return allOf(node.args.map(ofNode));
      case 'or':
        return anyOf(node.args.map(ofNode));
      case 'not':
        return new Map();
      case 'of': {
        const parts = node.names.map(ofIdentifier);
        return node.quantifier === 'all' ? allOf(parts) : anyOf(parts);
      }
    }
  };
  let best: RuleKey | undefined;
  for (const [field, texts] of ofNode(rule.condition)) {
    if (!best || texts.size < best.texts.size) best = { field, texts };
  }
  return best;
}

export interface IndexedRule {
  id: string;
  /** Position in the order rules were added, which `match` reports them in. */
  seq: number;
  test: EventTest;
  key: RuleKey | undefined;
}

interface KeyedRules {
  field: EventField;
  byText: Map<string, IndexedRule[]>;
}

const bySeq = (a: IndexedRule, b: IndexedRule): number => a.seq - b.seq;

/** The rules of one logsource, indexed by their keys. */
export class RuleIndex {
  private readonly rules = new Map<string, IndexedRule>();
  private readonly unkeyed: IndexedRule[] = [];
  private readonly keyed: KeyedRules[] = [];

  get size(): number {
    return this.rules.size;
  }

  /** Adds a rule whose `seq` is above every rule's already here. */
  add(rule: IndexedRule): void {
    this.rules.set(rule.id, rule);
    if (!rule.key) {
      this.unkeyed.push(rule);
      return;
    }
    const { field, texts } = rule.key;
    let keyed = this.keyed.find((k) => k.field === field);
    if (!keyed) this.keyed.push((keyed = { field, byText: new Map() }));
    for (const text of texts) {
      const list = keyed.byText.get(text);
      if (list) list.push(rule);
      else keyed.byText.set(text, [rule]);
    }
  }

  remove(id: string): boolean {
    const rule = this.rules.get(id);
    if (!rule) return false;
    this.rules.delete(id);
    if (!rule.key) {
      this.unkeyed.splice(this.unkeyed.indexOf(rule), 1);
      return true;
    }
    const at = this.keyed.findIndex((k) => k.field === rule.key!.field);
    const byText = this.keyed[at]!.byText;
    for (const text of rule.key.texts) {
      const list = byText.get(text)!;
      list.splice(list.indexOf(rule), 1);
      if (list.length === 0) byText.delete(text);
    }
    if (byText.size === 0) this.keyed.splice(at, 1);
    return true;
  }

  /** Appends the ids of the rules `fields` matches to `matched`, in the order the rules were added. */
  match(fields: EventFields, matched: string[]): void {
    // An array value matches a rule if any element does, so any element's key may apply: test all.
    for (const { field } of this.keyed) {
      if (Array.isArray(fields.value(field))) {
        for (const rule of this.rules.values()) if (rule.test(fields)) matched.push(rule.id);
        return;
      }
    }
    let hits = testEach(this.unkeyed, fields, undefined);
    for (const { field, byText } of this.keyed) {
      const text = asText(fields.value(field));
      // No text (absent, an object): no equality on the field can hold.
      if (text === undefined) continue;
      const candidates = byText.get(fields.lowerText(field, text));
      if (candidates) hits = testEach(candidates, fields, hits);
    }
    if (!hits) return;
    if (hits.length > 1) hits.sort(bySeq);
    for (const rule of hits) matched.push(rule.id);
  }
}

function testEach(
  rules: readonly IndexedRule[],
  fields: EventFields,
  hits: IndexedRule[] | undefined,
): IndexedRule[] | undefined {
  for (const rule of rules) {
    if (rule.test(fields)) (hits ??= []).push(rule);
  }
  return hits;
}
