/**
 * A set of compiled Sigma rules indexed by logsource, so an event is only tested against rules
 * whose logsource it satisfies: every logsource field a rule names must equal the event's. Within
 * a logsource, rules are indexed by a field value they require (rule-index.ts), and all the rules
 * tested on one event share its field reads (event-fields.ts).
 */
import { compileRuleTest, type CompileOptions, type SigmaEvent } from './compile.js';
import { EventFields } from './event-fields.js';
import { SigmaRuleError, parseSigmaRule, type SigmaRule } from './parse-rule.js';
import { RuleIndex, ruleKey } from './rule-index.js';

export interface EventLogsource {
  product?: string;
  category?: string;
  service?: string;
}

const FIELDS = ['product', 'category', 'service'] as const;
// Events come from a handful of sources; a flood of made-up logsources must not grow memory.
const MAX_REMEMBERED_LOGSOURCES = 256;

// Unset fields key as '' so a rule without e.g. `category` sits in the bucket every event reaches.
const keyOf = (ls: EventLogsource): string => FIELDS.map((f) => ls[f]?.toLowerCase() ?? '').join('\u0000');

export class SigmaRuleSet {
  private readonly buckets = new Map<string, RuleIndex>();
  private readonly keys = new Map<string, string>();
  private added = 0;
  /** Logsource as given → the buckets it reaches; emptied whenever buckets come or go. */
  private readonly reached = new Map<string, RuleIndex[]>();

  constructor(private readonly defaults: CompileOptions = {}) {}

  get size(): number {
    return this.keys.size;
  }

  /** Parses, compiles and indexes a rule; `options` override the set's defaults (e.g. its field mapping). */
  add(yamlText: string, options: CompileOptions = {}): SigmaRule {
    const rule = parseSigmaRule(yamlText);
    const id = rule.id;
    if (id === undefined) throw new SigmaRuleError('id', 'a rule in a rule set needs an id');
    if (this.keys.has(id)) throw new SigmaRuleError('id', `rule "${id}" is already loaded`);
    const merged = { ...this.defaults, ...options };
    const test = compileRuleTest(rule, merged);
    const key = keyOf(rule.logsource);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      this.buckets.set(key, (bucket = new RuleIndex()));
      this.reached.clear();
    }
    bucket.add({ id, seq: this.added++, test, key: ruleKey(rule, merged) });
    this.keys.set(id, key);
    return rule;
  }

  remove(id: string): boolean {
    const key = this.keys.get(id);
    if (key === undefined) return false;
    const bucket = this.buckets.get(key)!;
    bucket.remove(id);
    if (bucket.size === 0) {
      this.buckets.delete(key);
      this.reached.clear();
    }
    return this.keys.delete(id);
  }

  /** Ids of the rules that match `event`, given the logsource the event came from. */
  match(event: SigmaEvent, logsource: EventLogsource): string[] {
    const matched: string[] = [];
    const fields = new EventFields(event);
    for (const bucket of this.reachedBy(logsource)) bucket.match(fields, matched);
    return matched;
  }

  /** The buckets a logsource reaches, remembered for the few logsources events come with. */
  private reachedBy(logsource: EventLogsource): RuleIndex[] {
    const seen = `${logsource.product ?? ''}\u0000${logsource.category ?? ''}\u0000${logsource.service ?? ''}`;
    let buckets = this.reached.get(seen);
    if (buckets) return buckets;
    buckets = [];
    // The rules a logsource reaches are those keyed by it with any subset of its fields unset: at most 8 buckets.
    const options = FIELDS.map((f) => {
      const v = logsource[f]?.toLowerCase();
      return v ? [v, ''] : [''];
    });
    for (const product of options[0]!) {
      for (const category of options[1]!) {
        for (const service of options[2]!) {
          const bucket = this.buckets.get(`${product}\u0000${category}\u0000${service}`);
          if (bucket) buckets.push(bucket);
        }
      }
    }
    if (this.reached.size >= MAX_REMEMBERED_LOGSOURCES) this.reached.clear();
    this.reached.set(seen, buckets);
    return buckets;
  }
}
