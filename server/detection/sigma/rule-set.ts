/**
 * A set of compiled Sigma rules indexed by logsource, so an event is only tested against rules
 * whose logsource it satisfies: every logsource field a rule names must equal the event's.
 */
import { compileRule, type CompileOptions, type CompiledRule, type SigmaEvent } from './compile.js';
import { SigmaRuleError, parseSigmaRule, type SigmaRule } from './parse-rule.js';

export interface EventLogsource {
  product?: string;
  category?: string;
  service?: string;
}

const FIELDS = ['product', 'category', 'service'] as const;

// Unset fields key as '' so a rule without e.g. `category` sits in the bucket every event reaches.
const keyOf = (ls: EventLogsource): string => FIELDS.map((f) => ls[f]?.toLowerCase() ?? '').join('\u0000');

export class SigmaRuleSet {
  private readonly buckets = new Map<string, Map<string, CompiledRule>>();
  private readonly keys = new Map<string, string>();

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
    const compiled = compileRule(rule, { ...this.defaults, ...options });
    const key = keyOf(rule.logsource);
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = new Map()));
    bucket.set(id, compiled);
    this.keys.set(id, key);
    return rule;
  }

  remove(id: string): boolean {
    const key = this.keys.get(id);
    if (key === undefined) return false;
    const bucket = this.buckets.get(key)!;
    bucket.delete(id);
    if (bucket.size === 0) this.buckets.delete(key);
    return this.keys.delete(id);
  }

  /** Ids of the rules that match `event`, given the logsource the event came from. */
  match(event: SigmaEvent, logsource: EventLogsource): string[] {
    const matched: string[] = [];
    // The rules a logsource reaches are those keyed by it with any subset of its fields unset: at most 8 buckets.
    const options = FIELDS.map((f) => {
      const v = logsource[f]?.toLowerCase();
      return v ? [v, ''] : [''];
    });
    for (const product of options[0]!) {
      for (const category of options[1]!) {
        for (const service of options[2]!) {
          const bucket = this.buckets.get(`${product}\u0000${category}\u0000${service}`);
          if (!bucket) continue;
          for (const [id, compiled] of bucket) if (compiled.match(event)) matched.push(id);
        }
      }
    }
    return matched;
  }
}
