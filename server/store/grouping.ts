/** Group keys and accumulators computed in Node, for what a store cannot compute itself. */
import { readPath } from './keyset.js';
import type { GroupCount, GroupDurations, GroupKey, Scalar, Span } from './port.js';

export const keyName = (key: GroupKey): string => (typeof key === 'string' ? key : key.field);

export type DayBucketKey = Extract<GroupKey, { bucket: 'day' }>;

export const isDayBucket = (key: GroupKey): key is DayBucketKey => typeof key !== 'string' && 'bucket' in key;

const isUnwind = (key: GroupKey): boolean => typeof key !== 'string' && 'unwind' in key;

/** The calendar day (YYYY-MM-DD) of an ISO timestamp at a fixed UTC offset. */
export function dayOf(timestamp: string, utcOffsetMinutes: number): string | null {
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) return null;
  return new Date(ms + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** The values a document groups under for one key: one per element of an unwound array. */
function groupValues(doc: unknown, key: GroupKey): Scalar[] {
  const value = readPath(doc, keyName(key));
  if (isDayBucket(key)) return [typeof value === 'string' ? dayOf(value, key.utcOffsetMinutes) : null];
  if (isUnwind(key))
    return Array.isArray(value) ? (value as Scalar[]) : value == null ? [] : [value as Scalar];
  return [value === undefined ? null : (value as Scalar)];
}

/** Every key a document counts under: the product of its values per group key. */
function keysOf(doc: unknown, groupBy: readonly GroupKey[]): Record<string, Scalar>[] {
  let keys: Record<string, Scalar>[] = [{}];
  for (const key of groupBy) {
    const values = groupValues(doc, key);
    keys = keys.flatMap((partial) => values.map((value) => ({ ...partial, [keyName(key)]: value })));
  }
  return keys;
}

/** Deterministic order for grouped results: by the key values, as JSON. */
const byKey = (a: { key: Record<string, Scalar> }, b: { key: Record<string, Scalar> }): number =>
  JSON.stringify(a.key) < JSON.stringify(b.key) ? -1 : JSON.stringify(a.key) > JSON.stringify(b.key) ? 1 : 0;

export function sortGroups<G extends { key: Record<string, Scalar> }>(groups: G[]): G[] {
  return groups.sort(byKey);
}

export function countGroups(docs: Iterable<unknown>, groupBy: readonly GroupKey[]): GroupCount[] {
  const groups = new Map<string, GroupCount>();
  for (const doc of docs)
    for (const key of keysOf(doc, groupBy)) {
      const id = JSON.stringify(key);
      const group = groups.get(id);
      if (group) group.count += 1;
      else groups.set(id, { key, count: 1 });
    }
  return sortGroups([...groups.values()]);
}

export function durationGroups<S extends string>(
  docs: Iterable<unknown>,
  spans: Readonly<Record<S, Span>>,
  groupBy: readonly GroupKey[],
): GroupDurations<S>[] {
  const names = Object.keys(spans) as S[];
  const groups = new Map<string, GroupDurations<S>>();
  for (const doc of docs) {
    const durations = names.map((name) => [name, durationOf(doc, spans[name])] as const);
    for (const key of keysOf(doc, groupBy)) {
      const id = JSON.stringify(key);
      let group = groups.get(id);
      if (!group) {
        const lists = Object.fromEntries(names.map((name) => [name, [] as number[]]));
        group = { key, count: 0, durationsMs: lists as Record<S, number[]> };
        groups.set(id, group);
      }
      group.count += 1;
      for (const [name, ms] of durations) if (ms !== null) group.durationsMs[name].push(ms);
    }
  }
  const result = [...groups.values()];
  for (const group of result) for (const name of names) group.durationsMs[name].sort((a, b) => a - b);
  return sortGroups(result);
}

/** Milliseconds from the span's `from` to its `to`; null unless the document has both timestamps. */
function durationOf(doc: unknown, span: Span): number | null {
  const from = readPath(doc, span.from);
  const to = readPath(doc, span.to);
  if (typeof from !== 'string' || typeof to !== 'string') return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isNaN(ms) ? null : ms;
}

/** The fields a grouping needs, for projections. */
export function fieldsOf(groupBy: readonly GroupKey[], extra: readonly string[] = []): string[] {
  return [...new Set([...groupBy.map(keyName), ...extra])];
}
