/**
 * Translates port filters and sorts into SQLite over JSON documents. Field expressions are written
 * exactly as the expression indexes are declared (`json_extract(data, '$.a.b')`), so the planner
 * uses those indexes.
 */
import { assertFieldPath } from '../fields.js';
import type { KeysetPosition } from '../keyset.js';
import type { FieldCondition, Filter, Scalar, SortSpec } from '../port.js';

export type SqlParam = string | number | null;

/** SQL expression reading a field: real columns for id/version, JSON extraction otherwise. */
export function fieldSql(field: string): string {
  if (field === 'id' || field === 'version') return field;
  return `json_extract(data, '$.${assertFieldPath(field)}')`;
}

/** JSON booleans read back from json_extract as 1/0. */
const param = (value: Scalar): SqlParam => (typeof value === 'boolean' ? (value ? 1 : 0) : value);

interface Sql {
  sql: string;
  params: SqlParam[];
}

function conditionSql(field: string, condition: FieldCondition): Sql[] {
  const expr = fieldSql(field);
  if (condition === null) return [{ sql: `${expr} IS NULL`, params: [] }];
  if (typeof condition !== 'object') return [{ sql: `${expr} = ?`, params: [param(condition)] }];
  const parts: Sql[] = [];
  const { eq, ne, in: anyOf, nin, gt, gte, lt, lte, exists, has, contains } = condition;
  if (eq !== undefined) parts.push(...conditionSql(field, eq));
  if (ne !== undefined)
    parts.push(
      ne === null
        ? { sql: `${expr} IS NOT NULL`, params: [] }
        : { sql: `(${expr} IS NULL OR ${expr} != ?)`, params: [param(ne)] },
    );
  if (anyOf !== undefined) parts.push(inSql(expr, anyOf, false));
  if (nin !== undefined) parts.push(inSql(expr, nin, true));
  if (gt !== undefined) parts.push({ sql: `${expr} > ?`, params: [gt] });
  if (gte !== undefined) parts.push({ sql: `${expr} >= ?`, params: [gte] });
  if (lt !== undefined) parts.push({ sql: `${expr} < ?`, params: [lt] });
  if (lte !== undefined) parts.push({ sql: `${expr} <= ?`, params: [lte] });
  if (exists !== undefined) parts.push({ sql: `${expr} IS ${exists ? 'NOT ' : ''}NULL`, params: [] });
  if (has !== undefined)
    parts.push({
      sql: `EXISTS (SELECT 1 FROM json_each(data, '$.${assertFieldPath(field)}') WHERE value = ?)`,
      params: [param(has)],
    });
  if (contains !== undefined) parts.push({ sql: `instr(lower(${expr}), lower(?)) > 0`, params: [contains] });
  return parts;
}

function inSql(expr: string, values: readonly Scalar[], negate: boolean): Sql {
  const nonNull = values.filter((v) => v !== null);
  const hasNull = nonNull.length !== values.length;
  const list = nonNull.length ? `${expr} IN (${nonNull.map(() => '?').join(', ')})` : '0';
  const positive = hasNull ? `(${list} OR ${expr} IS NULL)` : list;
  if (!negate) return { sql: positive, params: nonNull.map(param) };
  const negative = hasNull ? `(${expr} IS NOT NULL AND NOT (${list}))` : `(${expr} IS NULL OR NOT (${list}))`;
  return { sql: negative, params: nonNull.map(param) };
}

export function whereSql(filter: Filter | undefined, extra: Sql[] = []): Sql {
  const parts = [...Object.entries(filter ?? {}).flatMap(([f, c]) => conditionSql(f, c)), ...extra];
  if (!parts.length) return { sql: '', params: [] };
  return { sql: `WHERE ${parts.map((p) => p.sql).join(' AND ')}`, params: parts.flatMap((p) => p.params) };
}

/** Rows strictly after the cursor position in the sort order. */
export function keysetSql(sort: SortSpec, after: KeysetPosition): Sql {
  const expr = fieldSql(sort.field);
  const op = sort.dir === 'asc' ? '>' : '<';
  return {
    sql: `(${expr} ${op} ? OR (${expr} = ? AND id ${op} ?))`,
    params: [param(after.value), param(after.value), after.id],
  };
}

export function orderSql(sort: SortSpec): string {
  const dir = sort.dir === 'asc' ? 'ASC' : 'DESC';
  return `ORDER BY ${fieldSql(sort.field)} ${dir}, id ${dir}`;
}
