/**
 * Loads a SigmaHQ detection rule (YAML text, unmodified) into a validated structure. Every error
 * is a SigmaRuleError whose message starts with the path of the offending element, e.g.
 * `detection.selection.Verb|containz: unknown modifier "containz"`.
 */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ConditionError, parseCondition, type ConditionNode } from './condition.js';
import { mitreFromTags } from '../mitre.js';

export class SigmaRuleError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(path ? `${path}: ${detail}` : detail);
    this.name = 'SigmaRuleError';
  }
}

export type SigmaScalar = string | number | boolean | null;

export const MODIFIERS = [
  'contains',
  'startswith',
  'endswith',
  'all',
  're',
  'i',
  'm',
  's',
  'cidr',
  'base64',
  'base64offset',
  'windash',
  'exists',
  'cased',
  'fieldref',
  'gt',
  'gte',
  'lt',
  'lte',
] as const;
export type Modifier = (typeof MODIFIERS)[number];

// In the spec but not implemented here; named separately so the error says so instead of "unknown".
const UNSUPPORTED = new Set([
  'neq',
  'expand',
  'utf16',
  'utf16le',
  'utf16be',
  'wide',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'year',
]);
const TYPE_MODIFIERS: readonly Modifier[] = ['re', 'cidr', 'exists', 'fieldref', 'gt', 'gte', 'lt', 'lte'];
const STRING_ONLY: readonly Modifier[] = [
  'contains',
  'startswith',
  'endswith',
  'windash',
  'base64',
  'base64offset',
  're',
  'cidr',
  'fieldref',
];

/** One `field|mod|mod: values` entry; `field` is undefined for keyword (whole-event) search. */
export interface FieldMatcher {
  field: string | undefined;
  modifiers: Modifier[];
  values: SigmaScalar[];
  /** Location in the rule, for errors raised while compiling the values. */
  path: string;
}

/** A search identifier in disjunctive normal form: OR over alternatives, AND within one. */
export type SearchIdentifier = FieldMatcher[][];

export interface SigmaLogsource {
  product?: string;
  category?: string;
  service?: string;
  definition?: string;
}

export interface SigmaRule {
  title: string;
  id?: string;
  /** Human-readable unique name; correlation rules may reference a rule by it. */
  name?: string;
  status?: 'stable' | 'test' | 'experimental' | 'deprecated' | 'unsupported';
  level?: 'informational' | 'low' | 'medium' | 'high' | 'critical';
  description?: string;
  author?: string;
  references: string[];
  tags: string[];
  attack: { techniques: string[]; tactics: string[] };
  logsource: SigmaLogsource;
  falsepositives: string[];
  /** Fields worth showing an analyst next to a hit. */
  fields: string[];
  detection: Record<string, SearchIdentifier>;
  condition: ConditionNode;
}

/** Attributes detection and correlation rules share. */
export const RuleHeaderSchema = z.object({
  title: z.string().min(1).max(256),
  id: z.guid().optional(),
  name: z.string().min(1).max(256).optional(),
  status: z.enum(['stable', 'test', 'experimental', 'deprecated', 'unsupported']).optional(),
  level: z.enum(['informational', 'low', 'medium', 'high', 'critical']).optional(),
  description: z.string().optional(),
  author: z.string().optional(),
  references: z.array(z.string()).default([]),
  tags: z.array(z.string().regex(/^[a-z0-9_-]+\.[a-z0-9._-]+$/, 'must look like namespace.name')).default([]),
  falsepositives: z.array(z.string()).default([]),
});

const RuleSchema = RuleHeaderSchema.extend({
  logsource: z.object({
    product: z.string().optional(),
    category: z.string().optional(),
    service: z.string().optional(),
    definition: z.string().optional(),
  }),
  fields: z.array(z.string()).default([]),
  detection: z.looseObject({ condition: z.union([z.string(), z.array(z.string()).min(1)]) }),
});

/** A zod issue path as the YAML path errors name, e.g. `correlation.rules[1]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
    '',
  );
}

function isScalar(value: unknown): value is SigmaScalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function parseFieldMatcher(key: string, raw: unknown, path: string): FieldMatcher {
  const [fieldName = '', ...mods] = key.split('|');
  const modifiers: Modifier[] = [];
  for (const mod of mods) {
    if (UNSUPPORTED.has(mod)) throw new SigmaRuleError(path, `unsupported modifier "${mod}"`);
    if (!(MODIFIERS as readonly string[]).includes(mod)) {
      throw new SigmaRuleError(path, `unknown modifier "${mod}"`);
    }
    if (modifiers.includes(mod as Modifier)) throw new SigmaRuleError(path, `duplicate modifier "${mod}"`);
    modifiers.push(mod as Modifier);
  }
  const has = (m: Modifier): boolean => modifiers.includes(m);
  const types = modifiers.filter((m) => TYPE_MODIFIERS.includes(m));
  if (types.length > 1) {
    throw new SigmaRuleError(path, `modifiers "${types[0]}" and "${types[1]}" cannot be combined`);
  }
  const type = types[0];
  for (const sub of ['i', 'm', 's'] as const) {
    if (has(sub) && type !== 're') throw new SigmaRuleError(path, `modifier "${sub}" requires "re"`);
  }
  const placement = modifiers.filter((m) => m === 'contains' || m === 'startswith' || m === 'endswith');
  if (placement.length > 1) {
    throw new SigmaRuleError(path, `modifiers "${placement[0]}" and "${placement[1]}" cannot be combined`);
  }
  const transforms = modifiers.filter((m) =>
    ['contains', 'startswith', 'endswith', 'windash', 'base64', 'base64offset'].includes(m),
  );
  if (type && transforms.length > 0) {
    throw new SigmaRuleError(path, `modifier "${transforms[0]}" cannot be combined with "${type}"`);
  }
  if (has('base64') && has('base64offset')) {
    throw new SigmaRuleError(path, `modifiers "base64" and "base64offset" cannot be combined`);
  }

  const values = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  if (values.length === 0) throw new SigmaRuleError(path, 'empty value list');
  values.forEach((value, i) => {
    const where = Array.isArray(raw) ? `${path}[${i}]` : path;
    if (!isScalar(value)) throw new SigmaRuleError(where, 'value must be a string, number, boolean or null');
    if (value === null && (values.length > 1 || modifiers.length > 0)) {
      throw new SigmaRuleError(where, 'null must be the only value, without modifiers');
    }
    if (type === 'exists' && typeof value !== 'boolean') {
      throw new SigmaRuleError(where, '"exists" takes true or false');
    }
    if ((type === 'gt' || type === 'gte' || type === 'lt' || type === 'lte') && typeof value !== 'number') {
      throw new SigmaRuleError(where, `"${type}" takes a number`);
    }
    const stringMod = modifiers.find((m) => STRING_ONLY.includes(m));
    if (stringMod && typeof value !== 'string' && typeof value !== 'number') {
      throw new SigmaRuleError(where, `"${stringMod}" takes a string`);
    }
  });
  if (type === 'exists' && values.length !== 1)
    throw new SigmaRuleError(path, '"exists" takes a single value');
  // Spec: "Single item values are not allowed to have an `all` modifier".
  if (has('all') && values.length < 2) throw new SigmaRuleError(path, '"all" needs more than one value');
  if (fieldName === '' && (type === 'exists' || type === 'fieldref')) {
    throw new SigmaRuleError(path, `"${type}" needs a field name`);
  }
  return {
    field: fieldName === '' ? undefined : fieldName,
    modifiers,
    values: values as SigmaScalar[],
    path,
  };
}

function parseMap(map: Record<string, unknown>, path: string): FieldMatcher[] {
  const entries = Object.entries(map);
  if (entries.length === 0) throw new SigmaRuleError(path, 'empty map');
  return entries.map(([key, value]) => parseFieldMatcher(key, value, `${path}.${key}`));
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseSearchIdentifier(raw: unknown, path: string): SearchIdentifier {
  if (isMap(raw)) return [parseMap(raw, path)];
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new SigmaRuleError(path, 'search identifier must be a map or a non-empty list');
  }
  if (raw.every(isMap)) return raw.map((m, i) => parseMap(m, `${path}[${i}]`));
  // A list of plain values is a keyword search over the whole event.
  return [[parseFieldMatcher('', raw, path)]];
}

/** ATT&CK references of a rule: Sigma's `attack.*` tags, both tactic spellings (privilege_escalation / -escalation). */
export function attackFromTags(tags: readonly string[]): SigmaRule['attack'] {
  return mitreFromTags(tags.filter((tag) => tag.startsWith('attack.')));
}

/** Parses and validates a rule; throws SigmaRuleError naming the offending path. */
export function parseSigmaRule(yamlText: string): SigmaRule {
  const doc = parseDocument(yamlText);
  const yamlError = doc.errors[0];
  if (yamlError) throw new SigmaRuleError('', `invalid YAML: ${yamlError.message}`);
  const result = RuleSchema.safeParse(doc.toJS());
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new SigmaRuleError(formatPath(issue.path), issue.message);
  }
  const { detection: rawDetection, ...header } = result.data;
  const { condition: rawCondition, ...identifiers } = rawDetection;

  const detection: Record<string, SearchIdentifier> = {};
  for (const [name, value] of Object.entries(identifiers)) {
    detection[name] = parseSearchIdentifier(value, `detection.${name}`);
  }
  const names = Object.keys(detection);
  if (names.length === 0) throw new SigmaRuleError('detection', 'no search identifiers');

  const conditions = typeof rawCondition === 'string' ? [rawCondition] : rawCondition;
  const nodes = conditions.map((text, i) => {
    try {
      return parseCondition(text, names);
    } catch (err) {
      if (!(err instanceof ConditionError)) throw err;
      const where = typeof rawCondition === 'string' ? 'detection.condition' : `detection.condition[${i}]`;
      throw new SigmaRuleError(where, err.message);
    }
  });
  // Spec: a list of conditions is linked with OR.
  const condition: ConditionNode = nodes.length === 1 ? nodes[0]! : { op: 'or', args: nodes };

  return { ...header, attack: attackFromTags(header.tags), detection, condition };
}
