/** Translates port filters and sorts into MongoDB queries (only operators FerretDB v1 also has). */
import { assertFieldPath } from '../fields.js';
import type { KeysetPosition } from '../keyset.js';
import type { FieldCondition, Filter, Scalar, SortSpec } from '../port.js';

type Query = Record<string, unknown>;

/** The store's `id` is Mongo's `_id`. */
export const mongoField = (field: string): string => (field === 'id' ? '_id' : assertFieldPath(field));

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function conditionQueries(field: string, condition: FieldCondition): Query[] {
  const key = mongoField(field);
  if (condition === null || typeof condition !== 'object') return [{ [key]: condition }];
  const clauses: Query[] = [];
  const { eq, ne, in: anyOf, nin, gt, gte, lt, lte, exists, has, contains } = condition;
  if (eq !== undefined) clauses.push({ [key]: eq });
  if (ne !== undefined) clauses.push({ [key]: { $ne: ne } });
  if (anyOf !== undefined) clauses.push({ [key]: { $in: anyOf } });
  if (nin !== undefined) clauses.push({ [key]: { $nin: nin } });
  if (gt !== undefined) clauses.push({ [key]: { $gt: gt } });
  if (gte !== undefined) clauses.push({ [key]: { $gte: gte } });
  if (lt !== undefined) clauses.push({ [key]: { $lt: lt } });
  if (lte !== undefined) clauses.push({ [key]: { $lte: lte } });
  // "exists" means present and not null, as in the SQLite adapter.
  if (exists !== undefined) clauses.push({ [key]: exists ? { $exists: true, $ne: null } : null });
  if (has !== undefined) clauses.push({ [key]: has });
  if (contains !== undefined) clauses.push({ [key]: { $regex: escapeRegex(contains), $options: 'i' } });
  return clauses;
}

export function mongoQuery(filter: Filter | undefined, extra: Query[] = []): Query {
  const clauses = [...Object.entries(filter ?? {}).flatMap(([f, c]) => conditionQueries(f, c)), ...extra];
  if (clauses.length === 0) return {};
  if (clauses.length === 1) return clauses[0]!;
  return { $and: clauses };
}

export function keysetQuery(sort: SortSpec, after: KeysetPosition): Query {
  const key = mongoField(sort.field);
  const op = sort.dir === 'asc' ? '$gt' : '$lt';
  const value: Scalar = after.value;
  return { $or: [{ [key]: { [op]: value } }, { [key]: value, _id: { [op]: after.id } }] };
}

export function mongoSort(sort: SortSpec): Record<string, 1 | -1> {
  const dir = sort.dir === 'asc' ? 1 : -1;
  return { [mongoField(sort.field)]: dir, _id: dir };
}
