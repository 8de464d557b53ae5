/** Keyset-paging cursors: the last row's sort value and id, opaque to clients. */
import type { FindOptions, Scalar, SortSpec } from './port.js';

export const DEFAULT_SORT: SortSpec = { field: 'createdAt', dir: 'desc' };
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

export interface KeysetPosition {
  value: Scalar;
  id: string;
}

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.value, position.id])).toString('base64url');
}

export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not a value this server handed out');
    this.name = 'InvalidCursorError';
  }
}

export function decodeCursor(cursor: string): KeysetPosition {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[1] === 'string') {
      const value: unknown = parsed[0];
      if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
        return { value: value as Scalar, id: parsed[1] };
      }
    }
  } catch {
    // fall through: any malformed cursor is the client's error
  }
  throw new InvalidCursorError();
}

/** Resolved paging parameters shared by the adapters. */
export function pagingOf(options: FindOptions): {
  sort: SortSpec;
  limit: number;
  after?: KeysetPosition;
} {
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
  const after = options.cursor ? decodeCursor(options.cursor) : undefined;
  return { sort: options.sort ?? DEFAULT_SORT, limit, ...(after ? { after } : {}) };
}

/** Builds a page from `limit + 1` fetched rows: the extra row only says that more follow. */
export function pageOf<T extends { id: string }>(
  rows: T[],
  limit: number,
  sortField: string,
): { items: T[]; nextCursor?: string } {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  const last = items[items.length - 1]!;
  return { items, nextCursor: encodeCursor({ value: readPath(last, sortField) as Scalar, id: last.id }) };
}

/** Reads a dot path from a plain object. */
export function readPath(doc: unknown, path: string): unknown {
  let value: unknown = doc;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
