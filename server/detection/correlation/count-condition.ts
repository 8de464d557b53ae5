/**
 * A correlation condition: bounds on a count (`gte: 10`, or a range such as `gt: 100` + `lte: 200`,
 * which the spec links with AND).
 */
import { SigmaRuleError } from '../sigma/parse-rule.js';

const OPERATORS = ['gt', 'gte', 'lt', 'lte', 'eq'] as const;
type Operator = (typeof OPERATORS)[number];
export type CountCondition = Partial<Record<Operator, number>>;

/** Validates the criteria of a `condition` map (its `field`, if any, already taken out). */
export function parseCountCondition(raw: Record<string, unknown>, path: string): CountCondition {
  const condition: CountCondition = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!(OPERATORS as readonly string[]).includes(key)) {
      throw new SigmaRuleError(`${path}.${key}`, `unknown operator (expected ${OPERATORS.join(', ')})`);
    }
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new SigmaRuleError(`${path}.${key}`, 'must be a whole number ≥ 0');
    }
    condition[key as Operator] = value;
  }
  if (Object.keys(condition).length === 0) throw new SigmaRuleError(path, 'needs gt, gte, lt, lte or eq');
  const { min, max } = boundsOf(condition);
  if (min > max) throw new SigmaRuleError(path, 'no count can satisfy it');
  return condition;
}

/** The smallest and largest counts that satisfy the condition (max is Infinity without an upper bound). */
export function boundsOf(condition: CountCondition): { min: number; max: number } {
  const { gt, gte, lt, lte, eq } = condition;
  const min = Math.max(gt === undefined ? 0 : gt + 1, gte ?? 0, eq ?? 0);
  const max = Math.min(lt === undefined ? Infinity : lt - 1, lte ?? Infinity, eq ?? Infinity);
  return { min, max };
}
