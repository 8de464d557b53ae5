/**
 * A detection rule as Yunshu keeps it: the Sigma YAML exactly as uploaded (the source of truth,
 * compiled once at load), plus the header fields the rule list shows and its hit statistics.
 */
import { z, StoredFields, Timestamp } from './common.js';
import { MitreAttack } from './alert.js';
import { SchemaVersion } from './fragments.js';

export const RuleLevel = z
  .enum(['informational', 'low', 'medium', 'high', 'critical'])
  .describe('Sigma level of the rule');
export type RuleLevel = z.infer<typeof RuleLevel>;

export const DetectionRuleSchema = z
  .object({
    ...StoredFields,
    schemaVersion: SchemaVersion,
    title: z.string().min(1).max(256).describe('Sigma title'),
    name: z.string().max(256).optional().describe('Sigma name, by which correlation rules may refer to it'),
    kind: z.enum(['detection', 'correlation']).describe('A Sigma detection rule or a correlation rule'),
    level: RuleLevel,
    tags: z.array(z.string().max(256)).default([]).describe('Sigma tags, e.g. attack.t1609'),
    mitre: MitreAttack.default({ tactics: [], techniques: [] }).describe(
      'ATT&CK tactics and techniques read from the tags',
    ),
    logsource: z
      .object({
        product: z.string().max(128).optional().describe('e.g. kubernetes, falco'),
        category: z.string().max(128).optional().describe('e.g. process_creation'),
        service: z.string().max(128).optional().describe('e.g. audit'),
      })
      .optional()
      .describe('Sigma logsource of a detection rule'),
    yaml: z.string().min(1).max(262_144).describe('The Sigma document as uploaded (all its YAML documents)'),
    origin: z
      .enum(['builtin', 'custom'])
      .describe('builtin: shipped with Yunshu (updated on upgrade); custom: uploaded by a user'),
    enabled: z.boolean().describe('Disabled rules neither alert nor feed correlations'),
    hitCount: z
      .int()
      .nonnegative()
      .default(0)
      .describe('How many events (or completed correlations) hit the rule'),
    lastHitAt: Timestamp.optional().describe('When the rule last hit'),
  })
  .describe('A Sigma detection or correlation rule')
  .openapi('DetectionRule');
export type DetectionRule = z.infer<typeof DetectionRuleSchema>;
