/**
 * Loads a Sigma correlation rule (Sigma Correlation Rules specification v2.0.x) from one parsed
 * YAML document. References in `rules` and `aliases` stay as written (id or name); the engine
 * resolves them against the loaded rules. Errors are SigmaRuleErrors naming the YAML path.
 */
import { z } from 'zod';
import {
  RuleHeaderSchema,
  SigmaRuleError,
  attackFromTags,
  formatPath,
  type SigmaRule,
} from '../sigma/parse-rule.js';
import { parseCountCondition, type CountCondition } from './count-condition.js';

export const CORRELATION_TYPES = ['event_count', 'value_count', 'temporal', 'temporal_ordered'] as const;
export type CorrelationType = (typeof CORRELATION_TYPES)[number];

export interface SigmaCorrelation {
  type: CorrelationType;
  /** Referenced rules, by id or name, in the listed order (which temporal_ordered requires). */
  rules: string[];
  groupBy: string[];
  timespanMs: number;
  condition: CountCondition;
  /** value_count: the field whose distinct values are counted. */
  field?: string;
  /** alias → (rule reference → field name in that rule's events). */
  aliases: Record<string, Record<string, string>>;
  /** Whether the referenced rules also report their own hits (spec default: no). */
  generate: boolean;
}

export type SigmaCorrelationRule = Omit<SigmaRule, 'logsource' | 'detection' | 'condition' | 'fields'> & {
  correlation: SigmaCorrelation;
};

const TIMESPAN = /^([1-9]\d*)([smhd])$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const CorrelationSchema = RuleHeaderSchema.extend({
  // The JSON schema puts `generate` beside `correlation`, pySigma reads it inside; both are accepted.
  generate: z.boolean().optional(),
  correlation: z.strictObject({
    type: z.enum(CORRELATION_TYPES),
    rules: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    'group-by': z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
    timespan: z.string().regex(TIMESPAN, 'must be a positive number followed by s, m, h or d, e.g. 5m'),
    condition: z.record(z.string(), z.unknown()).optional(),
    aliases: z.record(z.string(), z.record(z.string(), z.string().min(1))).default({}),
    generate: z.boolean().optional(),
  }),
});

const asList = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : typeof value === 'string' ? [value] : value;

function duplicateIn(list: readonly string[]): number {
  return list.findIndex((item, i) => list.indexOf(item) !== i);
}

/** Whether a parsed YAML document is a correlation rule rather than a detection rule. */
export function isCorrelationDocument(data: unknown): boolean {
  return typeof data === 'object' && data !== null && Object.hasOwn(data, 'correlation');
}

/** Validates one correlation rule document (`doc.toJS()` of a YAML document). */
export function parseCorrelationRule(data: unknown): SigmaCorrelationRule {
  const result = CorrelationSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new SigmaRuleError(formatPath(issue.path), issue.message);
  }
  const { correlation: raw, generate: outerGenerate, ...header } = result.data;
  if (outerGenerate !== undefined && raw.generate !== undefined && outerGenerate !== raw.generate) {
    throw new SigmaRuleError('correlation.generate', 'contradicts the top-level "generate"');
  }

  const rules = asList(raw.rules);
  const repeated = duplicateIn(rules);
  if (repeated >= 0) throw new SigmaRuleError(`correlation.rules[${repeated}]`, 'rule listed twice');
  const groupBy = asList(raw['group-by']);
  const repeatedField = duplicateIn(groupBy);
  if (repeatedField >= 0) {
    throw new SigmaRuleError(`correlation.group-by[${repeatedField}]`, 'field listed twice');
  }
  for (const [alias, mapping] of Object.entries(raw.aliases)) {
    for (const ref of Object.keys(mapping)) {
      if (!rules.includes(ref)) {
        throw new SigmaRuleError(`correlation.aliases.${alias}.${ref}`, 'not one of correlation.rules');
      }
    }
  }

  const [, count, unit] = TIMESPAN.exec(raw.timespan)!;
  const timespanMs = Number(count) * UNIT_MS[unit as keyof typeof UNIT_MS];
  if (!Number.isSafeInteger(timespanMs)) throw new SigmaRuleError('correlation.timespan', 'too long');

  const temporal = raw.type === 'temporal' || raw.type === 'temporal_ordered';
  if (raw.condition === undefined && !temporal) {
    throw new SigmaRuleError('correlation.condition', `required for ${raw.type}`);
  }
  const { field, ...criteria } = raw.condition ?? {};
  if (raw.type === 'value_count' && (typeof field !== 'string' || field === '')) {
    throw new SigmaRuleError(
      'correlation.condition.field',
      'value_count needs the field whose values it counts',
    );
  }
  if (raw.type !== 'value_count' && field !== undefined) {
    throw new SigmaRuleError('correlation.condition.field', 'only value_count counts the values of a field');
  }
  // Temporal correlations count distinct rules; by default all of them must hit.
  const condition = raw.condition
    ? parseCountCondition(criteria, 'correlation.condition')
    : { gte: rules.length };
  if (
    raw.type === 'temporal_ordered' &&
    !(condition.gte === rules.length && Object.keys(condition).length === 1)
  ) {
    throw new SigmaRuleError(
      'correlation.condition',
      'temporal_ordered requires every listed rule, in order',
    );
  }

  return {
    ...header,
    attack: attackFromTags(header.tags),
    correlation: {
      type: raw.type,
      rules,
      groupBy,
      timespanMs,
      condition,
      ...(raw.type === 'value_count' ? { field: field as string } : {}),
      aliases: raw.aliases,
      generate: raw.generate ?? outerGenerate ?? false,
    },
  };
}
