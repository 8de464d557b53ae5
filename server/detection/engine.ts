/**
 * Turns security events into rule hits: Sigma detection rules, and Sigma correlation rules over
 * their hits (semantics of windows and state in correlation/correlator.ts).
 *
 * - Every rule needs an `id`; `load` takes one or many YAML documents (`---`), validates and
 *   compiles them all before changing anything, and replaces rules with the same id (a replaced
 *   correlation starts with empty state). Names are unique across the engine.
 * - `correlation.rules` and `aliases` may name rules by id or `name`, loaded earlier or in the same
 *   text; `LoadedRule.correlation.rules` holds the resolved ids. Correlations may reference
 *   correlations; the outer one then groups by fields the inner one groups by.
 * - `generate` (spec default false): a rule referenced by a correlation without `generate: true`
 *   reports no hits of its own, only feeds the correlation, whether or not that one is enabled.
 * - A disabled rule neither hits nor feeds correlations; disabling a correlation drops its state.
 * - `remove` refuses (SigmaRuleError) to remove a rule a loaded correlation references, so
 *   correlations never dangle: remove the correlation first.
 */
import { parseAllDocuments } from 'yaml';
import { accessorFor, dotPath, compileRule, type CompileOptions } from './sigma/compile.js';
import { SigmaRuleError, parseSigmaRule, type SigmaRule } from './sigma/parse-rule.js';
import { SigmaRuleSet } from './sigma/rule-set.js';
import { Correlator, type CorrelationFiring } from './correlation/correlator.js';
import {
  isCorrelationDocument,
  parseCorrelationRule,
  type CorrelationType,
  type SigmaCorrelationRule,
} from './correlation/parse-correlation.js';
import type { Contribution } from './correlation/windows.js';

export type RuleLevel = 'informational' | 'low' | 'medium' | 'high' | 'critical';

export interface LoadedRule {
  id: string;
  name?: string;
  kind: 'detection' | 'correlation';
  title: string;
  description?: string;
  level: RuleLevel;
  tags: string[];
  attack: { tactics: string[]; techniques: string[] };
  logsource?: { product?: string; category?: string; service?: string };
  correlation?: { type: CorrelationType; rules: string[]; groupBy: string[]; timespanMs: number };
  enabled: boolean;
}

export interface EngineEvent {
  id: string;
  time: number;
  view: Record<string, unknown>;
  logsource: { product?: string; category?: string; service?: string };
}

export interface DetectionHit {
  rule: LoadedRule;
  /** Values of the correlation's group-by fields (empty for plain detections). */
  groupBy: Record<string, string>;
  /** Evidence: the matching event for a detection; for a correlation the contributing events (at most 50, oldest first + latest). */
  eventIds: string[];
  firstEventTime: number;
  lastEventTime: number;
}

export interface EngineOptions extends CompileOptions {
  /** Cap on the groups each correlation tracks at once; the least recently active is evicted. */
  maxGroupsPerCorrelation?: number;
}

const DEFAULT_MAX_GROUPS = 100_000;

/** Detections are compiled and matched by the rule set; the engine keeps their description. */
interface DetectionEntry {
  rule: LoadedRule;
}

interface CorrelationEntry {
  rule: LoadedRule;
  spec: SigmaCorrelationRule['correlation'];
  correlator: Correlator;
}

type Entry = DetectionEntry | CorrelationEntry;

/** A parsed document of a `load` call, before it is committed. */
type Parsed =
  | {
      kind: 'detection';
      id: string;
      rule: SigmaRule;
      /** Its own YAML document, for the rule set. */ source: string;
    }
  | { kind: 'correlation'; id: string; rule: SigmaCorrelationRule };

function withDocument<T>(index: number, count: number, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof SigmaRuleError) || count === 1) throw err;
    throw new SigmaRuleError(err.path, `${err.detail} (document ${index + 1} of ${count})`);
  }
}

function requireId(rule: { id?: string }): string {
  if (rule.id === undefined) throw new SigmaRuleError('id', 'every rule loaded into the engine needs an id');
  return rule.id;
}

function parseDocuments(yamlText: string, options: CompileOptions): Parsed[] {
  // Empty documents (a trailing `---`) are skipped.
  const present = parseAllDocuments(yamlText).filter((doc) => doc.errors.length > 0 || doc.toJS() !== null);
  if (present.length === 0) throw new SigmaRuleError('', 'no rule in the text');
  return present.map((doc, i) =>
    withDocument(i, present.length, (): Parsed => {
      const yamlError = doc.errors[0];
      if (yamlError) throw new SigmaRuleError('', `invalid YAML: ${yamlError.message}`);
      const data: unknown = doc.toJS();
      if (isCorrelationDocument(data)) {
        const rule = parseCorrelationRule(data);
        return { kind: 'correlation', id: requireId(rule), rule };
      }
      const source = doc.toString();
      const rule = parseSigmaRule(source);
      compileRule(rule, options); // values that cannot compile (bad regex, CIDR) fail here, before any change
      return { kind: 'detection', id: requireId(rule), rule, source };
    }),
  );
}

function loadedRule(parsed: Parsed, enabled: boolean, references: string[]): LoadedRule {
  const { rule } = parsed;
  const common = {
    id: parsed.id,
    ...(rule.name === undefined ? {} : { name: rule.name }),
    title: rule.title,
    ...(rule.description === undefined ? {} : { description: rule.description }),
    level: rule.level ?? 'medium',
    tags: rule.tags,
    attack: rule.attack,
    enabled,
  };
  if (parsed.kind === 'detection') {
    const { product, category, service } = parsed.rule.logsource;
    const logsource = Object.fromEntries(
      Object.entries({ product, category, service }).filter(([, v]) => v !== undefined),
    );
    return { ...common, kind: 'detection', logsource };
  }
  const { type, groupBy, timespanMs } = parsed.rule.correlation;
  return { ...common, kind: 'correlation', correlation: { type, rules: references, groupBy, timespanMs } };
}

type Reader = (view: Record<string, unknown>) => unknown;

/** A correlation with its references resolved to rule ids. */
interface Resolved {
  spec: SigmaCorrelationRule['correlation'];
  refs: string[];
}

/** The field a correlation reads from the hits of its `index`-th rule: an alias's mapping, else the field itself. */
function fieldIn(spec: Resolved['spec'], field: string, index: number): string {
  return spec.aliases[field]?.[spec.rules[index]!] ?? field;
}

/** An outer correlation can only read, from an inner correlation's hits, the fields the inner one groups by. */
function checkGroupFields(
  id: string,
  { spec, refs }: Resolved,
  correlationOf: (id: string) => Resolved | undefined,
): void {
  refs.forEach((ref, i) => {
    const inner = correlationOf(ref);
    if (!inner) return;
    const fields = [...spec.groupBy, ...(spec.field === undefined ? [] : [spec.field])];
    for (const field of fields) {
      const name = fieldIn(spec, field, i);
      if (!inner.spec.groupBy.includes(name)) {
        const path = field === spec.field ? 'correlation.condition.field' : 'correlation.group-by';
        throw new SigmaRuleError(
          path,
          `rule ${id}: referenced correlation "${ref}" does not group by "${name}"`,
        );
      }
    }
  });
}

function checkAcyclic(ids: readonly string[], referencesOf: (id: string) => readonly string[]): void {
  const done = new Set<string>();
  const visit = (id: string, path: string[]): void => {
    if (path.includes(id)) {
      throw new SigmaRuleError(
        'correlation.rules',
        `reference cycle ${[...path.slice(path.indexOf(id)), id].join(' → ')}`,
      );
    }
    if (done.has(id)) return;
    for (const ref of referencesOf(id)) visit(ref, [...path, id]);
    done.add(id);
  };
  for (const id of ids) visit(id, []);
}

export class DetectionEngine {
  private readonly detections: SigmaRuleSet;
  private readonly entries = new Map<string, Entry>();
  /** Referenced rule id → the correlations it feeds, with its position in their `rules`. */
  private feeds = new Map<string, { target: CorrelationEntry; index: number }[]>();
  /** Rules whose own hits are not reported (referenced by a correlation without `generate`). */
  private silenced = new Set<string>();
  private correlations: CorrelationEntry[] = [];
  /** Newest event time seen: closes correlation windows. */
  private now = -Infinity;

  constructor(private readonly options: EngineOptions = {}) {
    this.detections = new SigmaRuleSet(options);
  }

  load(yamlText: string, options: { enabled?: boolean } = {}): LoadedRule[] {
    const enabled = options.enabled ?? true;
    const batch = parseDocuments(yamlText, this.options);

    const batchIds = new Map<string, Parsed>();
    const kindOf = (id: string): LoadedRule['kind'] | undefined =>
      batchIds.get(id)?.kind ?? this.entries.get(id)?.rule.kind;
    const nameToId = new Map<string, string>();
    for (const [id, entry] of this.entries) {
      if (entry.rule.name !== undefined && !batch.some((parsed) => parsed.id === id)) {
        nameToId.set(entry.rule.name, id);
      }
    }
    const inDocument = (parsed: Parsed, check: () => void): void =>
      withDocument(batch.indexOf(parsed), batch.length, check);
    for (const parsed of batch) {
      inDocument(parsed, () => {
        if (batchIds.has(parsed.id)) throw new SigmaRuleError('id', `rule "${parsed.id}" appears twice`);
        batchIds.set(parsed.id, parsed);
        const name = parsed.rule.name;
        if (name === undefined) return;
        const other = nameToId.get(name);
        if (other !== undefined) {
          throw new SigmaRuleError('name', `"${name}" is already the name of rule ${other}`);
        }
        nameToId.set(name, parsed.id);
      });
    }

    // Resolve the new correlations' references, then check every correlation against the result.
    const resolved = new Map<string, string[]>();
    for (const parsed of batch) {
      if (parsed.kind !== 'correlation') continue;
      inDocument(parsed, () => {
        const ids = parsed.rule.correlation.rules.map((ref, i) => {
          const id = kindOf(ref) ? ref : nameToId.get(ref);
          if (id === undefined) throw new SigmaRuleError(`correlation.rules[${i}]`, `unknown rule "${ref}"`);
          return id;
        });
        const twice = ids.findIndex((id, i) => ids.indexOf(id) !== i);
        if (twice >= 0) {
          throw new SigmaRuleError(`correlation.rules[${twice}]`, `rule "${ids[twice]}" listed twice`);
        }
        resolved.set(parsed.id, ids);
      });
    }
    const correlationOf = (id: string): Resolved | undefined => {
      const parsed = batchIds.get(id);
      if (parsed)
        return parsed.kind === 'correlation'
          ? { spec: parsed.rule.correlation, refs: resolved.get(id)! }
          : undefined;
      const entry = this.entries.get(id);
      return entry && 'correlator' in entry
        ? { spec: entry.spec, refs: entry.rule.correlation!.rules }
        : undefined;
    };
    const allIds = [...new Set([...this.entries.keys(), ...batchIds.keys()])];
    for (const id of allIds) {
      const correlation = correlationOf(id);
      if (!correlation) continue;
      const parsed = batchIds.get(id);
      if (parsed) inDocument(parsed, () => checkGroupFields(id, correlation, correlationOf));
      else checkGroupFields(id, correlation, correlationOf);
    }
    checkAcyclic(allIds, (id) => correlationOf(id)?.refs ?? []);

    // Correlations read fields differently from detections and from correlations, so those that
    // reference a rule whose kind changes are rebuilt (with empty state) along with the new ones.
    const kindChanged = new Set(
      batch.filter((p) => (this.entries.get(p.id)?.rule.kind ?? p.kind) !== p.kind).map((p) => p.id),
    );
    const correlators = new Map<string, Correlator>();
    for (const id of allIds) {
      const correlation = correlationOf(id);
      if (correlation && (batchIds.has(id) || correlation.refs.some((ref) => kindChanged.has(ref)))) {
        correlators.set(id, this.buildCorrelator(correlation, kindOf));
      }
    }

    // Commit: nothing below can fail.
    const loaded: LoadedRule[] = [];
    for (const parsed of batch) {
      if (this.entries.get(parsed.id)?.rule.kind === 'detection') this.detections.remove(parsed.id);
      const rule = loadedRule(parsed, enabled, resolved.get(parsed.id) ?? []);
      if (parsed.kind === 'detection') {
        this.detections.add(parsed.source);
        this.entries.set(parsed.id, { rule });
      } else {
        this.entries.set(parsed.id, {
          rule,
          spec: parsed.rule.correlation,
          correlator: correlators.get(parsed.id)!,
        });
      }
      loaded.push(rule);
    }
    for (const [id, correlator] of correlators)
      (this.entries.get(id) as CorrelationEntry).correlator = correlator;
    this.reindex();
    return loaded;
  }

  remove(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    const user = this.feeds.get(id)?.[0];
    if (user) {
      throw new SigmaRuleError(
        'id',
        `rule "${id}" is referenced by correlation "${user.target.rule.id}"; remove that first`,
      );
    }
    if (!('correlator' in entry)) this.detections.remove(id);
    this.entries.delete(id);
    this.reindex();
    return true;
  }

  setEnabled(id: string, enabled: boolean): LoadedRule {
    const entry = this.entries.get(id);
    if (!entry) throw new SigmaRuleError('id', `unknown rule "${id}"`);
    entry.rule = { ...entry.rule, enabled };
    if ('correlator' in entry && !enabled) entry.correlator.clear();
    return entry.rule;
  }

  get(id: string): LoadedRule | undefined {
    return this.entries.get(id)?.rule;
  }

  list(): LoadedRule[] {
    return [...this.entries.values()].map((entry) => entry.rule);
  }

  evaluate(event: EngineEvent): DetectionHit[] {
    if (typeof event.time !== 'number' || !Number.isFinite(event.time)) {
      throw new TypeError('event.time: must be a finite number of epoch milliseconds');
    }
    const hits: DetectionHit[] = [];
    if (event.time > this.now) {
      this.now = event.time;
      for (const entry of this.correlations) {
        if (entry.rule.enabled)
          for (const firing of entry.correlator.close(this.now)) this.report(entry, firing, hits);
      }
    }
    for (const id of this.detections.match(event.view, event.logsource)) {
      const rule = this.entries.get(id)!.rule;
      if (!rule.enabled) continue;
      if (!this.silenced.has(id)) {
        hits.push({
          rule,
          groupBy: {},
          eventIds: [event.id],
          firstEventTime: event.time,
          lastEventTime: event.time,
        });
      }
      this.feed(id, { eventIds: [event.id], firstTime: event.time, time: event.time }, event.view, hits);
    }
    return hits;
  }

  private buildCorrelator(
    { spec, refs }: Resolved,
    kindOf: (id: string) => LoadedRule['kind'] | undefined,
  ): Correlator {
    const mapping = this.options.fieldMapping;
    // A correlation's hit is seen by an outer one as its group-by values, keyed by field name.
    const readers = (field: string): Reader[] =>
      refs.map((ref, i) => {
        const name = fieldIn(spec, field, i);
        return kindOf(ref) === 'correlation' ? dotPath(name) : accessorFor(name, mapping);
      });
    return new Correlator({
      type: spec.type,
      ruleCount: refs.length,
      timespanMs: spec.timespanMs,
      condition: spec.condition,
      groupBy: spec.groupBy.map((name) => ({ name, read: readers(name) })),
      value: spec.field === undefined ? undefined : readers(spec.field),
      maxGroups: this.options.maxGroupsPerCorrelation ?? DEFAULT_MAX_GROUPS,
    });
  }

  private reindex(): void {
    this.feeds = new Map();
    this.silenced = new Set();
    this.correlations = [];
    for (const entry of this.entries.values()) {
      if (!('correlator' in entry)) continue;
      this.correlations.push(entry);
      entry.rule.correlation!.rules.forEach((ref, index) => {
        const users = this.feeds.get(ref) ?? [];
        users.push({ target: entry, index });
        this.feeds.set(ref, users);
        if (!entry.spec.generate) this.silenced.add(ref);
      });
    }
  }

  private feed(id: string, part: Contribution, view: Record<string, unknown>, hits: DetectionHit[]): void {
    for (const { target, index } of this.feeds.get(id) ?? []) {
      if (!target.rule.enabled) continue;
      const firing = target.correlator.observe(index, part, view);
      if (firing) this.report(target, firing, hits);
    }
  }

  private report(entry: CorrelationEntry, firing: CorrelationFiring, hits: DetectionHit[]): void {
    const { groupBy, eventIds, firstEventTime, lastEventTime } = firing;
    if (!this.silenced.has(entry.rule.id))
      hits.push({ rule: entry.rule, groupBy, eventIds, firstEventTime, lastEventTime });
    // An outer correlation sees this hit as an event whose fields are the group-by values.
    this.feed(entry.rule.id, { eventIds, firstTime: firstEventTime, time: lastEventTime }, groupBy, hits);
  }
}
