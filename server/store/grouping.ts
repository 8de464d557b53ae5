/** Group keys and accumulators computed in Node, for what a store cannot compute itself. */
import { readPath } from './keyset.js';
import type { GroupCount, GroupDurations, GroupKey, Scalar } from './port.js';

export const keyName = (key: GroupKey): string => (typeof key === 'string' ? key : key.field);

/** The calendar day (YYYY-MM-DD) of an ISO timestamp at a fixed UTC offset. */
export function dayOf(timestamp: string, utcOffsetMinutes: number): string | null {
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) return null;
  return new Date(ms + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

function groupValue(doc: unknown, key: GroupKey): Scalar {
  if (typeof key === 'string') {
    const value = readPath(doc, key);
    return value === undefined ? null : (value as Scalar);
  }
  const value = readPath(doc, key.field);
  return typeof value === 'string' ? dayOf(value, key.utcOffsetMinutes) : null;
}

function keyOf(doc: unknown, groupBy: readonly GroupKey[]): Record<string, Scalar> {
  return Object.fromEntries(groupBy.map((key) => [keyName(key), groupValue(doc, key)]));
}

/** Deterministic order for grouped results: by the key values, as JSON. */
const byKey = (a: { key: Record<string, Scalar> }, b: { key: Record<string, Scalar> }): number =>
  JSON.stringify(a.key) < JSON.stringify(b.key) ? -1 : JSON.stringify(a.key) > JSON.stringify(b.key) ? 1 : 0;

export function sortGroups<G extends { key: Record<string, Scalar> }>(groups: G[]): G[] {
  return groups.sort(byKey);
}

export function countGroups(docs: Iterable<unknown>, groupBy: readonly GroupKey[]): GroupCount[] {
  const groups = new Map<string, GroupCount>();
  for (const doc of docs) {
    const key = keyOf(doc, groupBy);
    const id = JSON.stringify(key);
    const group = groups.get(id);
    if (group) group.count += 1;
    else groups.set(id, { key, count: 1 });
  }
  return sortGroups([...groups.values()]);
}

export function durationGroups(
  docs: Iterable<unknown>,
  span: { from: string; to: string },
  groupBy: readonly GroupKey[],
): GroupDurations[] {
  const groups = new Map<string, GroupDurations>();
  for (const doc of docs) {
    const from = readPath(doc, span.from);
    const to = readPath(doc, span.to);
    if (typeof from !== 'string' || typeof to !== 'string') continue;
    const ms = Date.parse(to) - Date.parse(from);
    if (Number.isNaN(ms)) continue;
    const key = keyOf(doc, groupBy);
    const id = JSON.stringify(key);
    const group = groups.get(id);
    if (group) group.durationsMs.push(ms);
    else groups.set(id, { key, durationsMs: [ms] });
  }
  const result = [...groups.values()];
  for (const group of result) group.durationsMs.sort((a, b) => a - b);
  return sortGroups(result);
}

/** The fields a grouping needs, for projections. */
export function fieldsOf(groupBy: readonly GroupKey[], extra: readonly string[] = []): string[] {
  return [...new Set([...groupBy.map(keyName), ...extra])];
}
