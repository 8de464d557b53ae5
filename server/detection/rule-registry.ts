/**
 * The rules in force: stored in `detection_rules` (one document per Sigma document, YAML kept as
 * uploaded), compiled once into the DetectionEngine, kept in step with the store.
 *
 * - The shipped pack (rule-pack.ts) is written on start as `origin: builtin`; an upgrade updates its
 *   YAML but keeps whether an operator disabled it. Builtin rules can be disabled, not deleted.
 * - An upload may hold several documents (base rules and the correlation over them); it is
 *   all-or-nothing: every document compiles and no id is taken, or nothing changes.
 * - Other replicas pick changes up on `refresh()` (version per rule), run by the pipeline's timer.
 * - Hit counts are counted in memory and added to the stored counts on `flushHits()`.
 */
import { parseAllDocuments } from 'yaml';
import type { AuditLog } from '../audit/audit-log.js';
import type { ActorRef } from '../model/fragments.js';
import type { DetectionRule } from '../model/detection-rule.js';
import { findAll } from '../store/find-all.js';
import { ConflictError, type Collection, type Store } from '../store/port.js';
import { DetectionEngine, type LoadedRule } from './engine.js';
import { loadRulePack } from './rule-pack.js';
import { SigmaRuleError } from './sigma/parse-rule.js';

const SYSTEM_ACTOR: ActorRef = { type: 'system', id: 'detection', name: 'yunshu' };

export class RuleConflictError extends Error {}

/** Each YAML document of an upload as its own text, keyed by the rule id it declares. */
export function splitDocuments(yamlText: string): { id: string | undefined; yaml: string }[] {
  const docs = parseAllDocuments(yamlText);
  if (!Array.isArray(docs)) return [];
  return docs
    .filter((doc) => doc.contents !== null)
    .map((doc, i) => {
      const error = doc.errors[0];
      if (error) throw new SigmaRuleError(docs.length > 1 ? `[${i}]` : '', `invalid YAML: ${error.message}`);
      const id = doc.get('id');
      // A document's own text, without the `---` that separated it from the previous one.
      const text = String(doc).replace(/^---[^\n]*\n/, '');
      return { id: typeof id === 'string' ? id : undefined, yaml: text.trim() + '\n' };
    });
}

function ruleDoc(
  rule: LoadedRule,
  yaml: string,
  origin: DetectionRule['origin'],
): Omit<DetectionRule, 'version' | 'createdAt' | 'updatedAt'> {
  return {
    id: rule.id,
    schemaVersion: 1,
    title: rule.title,
    ...(rule.name ? { name: rule.name } : {}),
    kind: rule.kind,
    level: rule.level,
    tags: rule.tags,
    mitre: rule.attack as DetectionRule['mitre'],
    ...(rule.logsource ? { logsource: rule.logsource } : {}),
    yaml,
    origin,
    enabled: rule.enabled,
    hitCount: 0,
  };
}

export class RuleRegistry {
  readonly engine = new DetectionEngine();
  /** Stored rules that failed to load (e.g. written by a newer version), with the reason. */
  readonly loadErrors = new Map<string, string>();
  private readonly rules: Collection<DetectionRule>;
  private readonly versions = new Map<string, number>();
  private hits = new Map<string, { count: number; lastAt: number }>();

  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
  ) {
    this.rules = store.collection<DetectionRule>('detection_rules');
  }

  /** Writes the shipped pack, then loads every stored rule. */
  async start(): Promise<void> {
    await this.installPack();
    await this.refresh();
  }

  private async installPack(): Promise<void> {
    const scratch = new DetectionEngine();
    // Correlations after the detection rules they name.
    const files = (await loadRulePack()).sort(
      (a, b) => Number(a.path.startsWith('correlations/')) - Number(b.path.startsWith('correlations/')),
    );
    for (const file of files) {
      const texts = new Map(splitDocuments(file.yaml).map((d) => [d.id, d.yaml]));
      for (const rule of scratch.load(file.yaml)) {
        const yaml = texts.get(rule.id) ?? file.yaml;
        const stored = await this.rules.get(rule.id);
        if (stored && stored.yaml === yaml) continue;
        if (stored && stored.origin === 'custom') continue; // an operator's rule with our id wins
        await this.rules.upsert({
          ...ruleDoc({ ...rule, enabled: stored?.enabled ?? true }, yaml, 'builtin'),
          hitCount: stored?.hitCount ?? 0,
          ...(stored?.lastHitAt ? { lastHitAt: stored.lastHitAt } : {}),
        });
        await this.audit.append({
          actor: SYSTEM_ACTOR,
          action: stored ? 'rule.upgrade' : 'rule.install',
          target: { type: 'detection_rule', id: rule.id },
          result: 'success',
          details: { title: rule.title, origin: 'builtin' },
        });
      }
    }
  }

  /** Loads rules that are new or changed in the store and drops deleted ones. */
  async refresh(): Promise<void> {
    const stored = await findAll(this.rules);
    const seen = new Set(stored.map((r) => r.id));
    for (const id of [...this.versions.keys()]) {
      if (!seen.has(id)) {
        this.engine.remove(id);
        this.versions.delete(id);
      }
    }
    // Base rules before the correlations that name them.
    const changed = stored
      .filter((r) => this.versions.get(r.id) !== r.version)
      .sort((a, b) => Number(a.kind === 'correlation') - Number(b.kind === 'correlation'));
    for (const rule of changed) {
      try {
        const loaded = this.engine.load(rule.yaml, { enabled: rule.enabled });
        if (!loaded.some((l) => l.id === rule.id))
          throw new SigmaRuleError('id', `the YAML does not declare ${rule.id}`);
        this.versions.set(rule.id, rule.version);
        this.loadErrors.delete(rule.id);
      } catch (err) {
        this.loadErrors.set(rule.id, err instanceof Error ? err.message : String(err));
      }
    }
  }

  /** Compiles and stores an uploaded Sigma file (one or more documents); all or nothing. */
  async create(yamlText: string): Promise<DetectionRule[]> {
    const documents = splitDocuments(yamlText);
    if (documents.length === 0) throw new SigmaRuleError('', 'the body holds no YAML document');
    for (const [i, doc] of documents.entries()) {
      if (doc.id === undefined)
        throw new SigmaRuleError(documents.length > 1 ? `[${i}].id` : 'id', 'a rule needs an id');
      if (this.engine.get(doc.id) || (await this.rules.get(doc.id)))
        throw new RuleConflictError(`rule ${doc.id} already exists`);
    }
    // Compiling against the live rules lets a correlation name rules already loaded.
    const loaded = this.engine.load(yamlText, { enabled: true });
    const texts = new Map(documents.map((d) => [d.id, d.yaml]));
    const created: DetectionRule[] = [];
    try {
      for (const rule of loaded) {
        const doc = await this.rules.insert(ruleDoc(rule, texts.get(rule.id) ?? yamlText, 'custom'));
        this.versions.set(doc.id, doc.version);
        created.push(doc);
      }
    } catch (err) {
      // Correlations first: the engine refuses to drop a rule a correlation still names.
      for (const rule of [...loaded].sort(
        (a, b) => Number(b.kind === 'correlation') - Number(a.kind === 'correlation'),
      ))
        this.engine.remove(rule.id);
      for (const doc of created) await this.rules.delete(doc.id);
      throw err;
    }
    return created;
  }

  async setEnabled(id: string, enabled: boolean): Promise<DetectionRule | undefined> {
    const stored = await this.rules.get(id);
    if (!stored) return undefined;
    if (!this.engine.get(id))
      throw new SigmaRuleError('id', `rule ${id} is not loaded: ${this.loadErrors.get(id) ?? 'unknown'}`);
    this.engine.setEnabled(id, enabled);
    const updated = await this.rules.update(id, { enabled });
    this.versions.set(id, updated.version);
    return updated;
  }

  /** Deletes a custom rule; the engine refuses while a correlation still names it. */
  async remove(id: string): Promise<boolean> {
    const stored = await this.rules.get(id);
    if (!stored) return false;
    if (stored.origin === 'builtin')
      throw new RuleConflictError('a builtin rule can be disabled, not deleted');
    this.engine.remove(id);
    this.versions.delete(id);
    return this.rules.delete(id);
  }

  /** Counts a hit; stored by flushHits(). */
  countHit(ruleId: string, at: number): void {
    const entry = this.hits.get(ruleId);
    if (entry) {
      entry.count++;
      entry.lastAt = Math.max(entry.lastAt, at);
    } else this.hits.set(ruleId, { count: 1, lastAt: at });
  }

  /** Adds the counted hits to the stored rules (retrying on a concurrent change). */
  async flushHits(): Promise<void> {
    const batch = this.hits;
    this.hits = new Map();
    for (const [id, { count, lastAt }] of batch) {
      for (let attempt = 0; ; attempt++) {
        const stored = await this.rules.get(id);
        if (!stored) break;
        const lastHitAt = new Date(lastAt).toISOString();
        try {
          const updated = await this.rules.update(
            id,
            {
              hitCount: stored.hitCount + count,
              lastHitAt: stored.lastHitAt && stored.lastHitAt > lastHitAt ? stored.lastHitAt : lastHitAt,
            },
            { expectedVersion: stored.version },
          );
          // Our own write: no need to recompile the rule on the next refresh.
          if (this.versions.get(id) === stored.version) this.versions.set(id, updated.version);
          break;
        } catch (err) {
          if (!(err instanceof ConflictError) || attempt >= 8) throw err;
        }
      }
    }
  }
}
