/**
 * Shared plumbing of the source normalisers: splitting a batch into records, source timestamps,
 * dedup keys, and the final check of every produced event against the model.
 *
 * Normalisers never throw on bad input: each bad record is reported with its index in the batch and
 * the field path, and the good records still come back, so the route can choose all-or-nothing.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { SecurityEventSchema, type SecurityEvent } from '../../model/security-event.js';
import { z } from '../../model/common.js';

/** A security event as a normaliser produces it: everything but the store-managed fields. */
export type NewSecurityEvent = Omit<SecurityEvent, 'id' | 'version' | 'createdAt' | 'updatedAt'>;

export interface Rejection {
  /** Position of the record in the batch (array element, NDJSON line among non-blank lines, alert). */
  index: number;
  /** Path from the batch root, e.g. `[3].time`. */
  path: string;
  message: string;
}

export interface NormalizeResult {
  events: NewSecurityEvent[];
  rejected: Rejection[];
  /** Records that were valid but are not security events (e.g. audit stages other than ResponseComplete). */
  skipped: number;
}

export interface NormalizeContext {
  /** Cluster the payload came from (the ingest route knows it from the token or URL). */
  clusterId?: string;
  /** Tenant owning a namespace of a cluster; undefined when the namespace is unmapped. */
  tenantOf?: (clusterId: string, namespace: string) => string | undefined;
}

/** The OCSF schema version every normaliser emits. */
export const OCSF_VERSION = '1.3.0';

export const emptyResult = (): NormalizeResult => ({ events: [], rejected: [], skipped: 0 });

export const formatRejection = (r: Rejection): string => `${r.path}: ${r.message}`;

/** `[3]` + `['user', 'groups', 0]` → `[3].user.groups[0]`. */
export function joinPath(prefix: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) =>
      typeof key === 'number' ? `${acc}[${key}]` : acc === '' ? String(key) : `${acc}.${String(key)}`,
    prefix,
  );
}

export type RawRecord = { index: number; value: unknown } | { index: number; error: string };

/**
 * Splits a payload into records: an array is a batch, an object one record, and text is JSON or,
 * when the whole text is not one JSON document, NDJSON (blank lines ignored).
 */
export function splitRecords(payload: unknown): RawRecord[] {
  const value = payload instanceof Uint8Array ? new TextDecoder().decode(payload) : payload;
  if (typeof value === 'string') {
    try {
      return splitRecords(JSON.parse(value) as unknown);
    } catch {
      return value
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line, index) => {
          try {
            return { index, value: JSON.parse(line) as unknown };
          } catch {
            return { index, error: 'not valid JSON' };
          }
        });
    }
  }
  if (Array.isArray(value)) return value.map((v, index) => ({ index, value: v }));
  return [{ index: 0, value }];
}

/** A record of a batch with its path from the batch root (`[2]`, `items[4]`), or why it could not be read. */
export type Located = { at: string; value?: unknown; error?: string };

/**
 * The records of a payload with their paths; `unwrap` flattens a batch container (a List's
 * `items`, a kube-bench `Controls` array) into located elements, or answers undefined.
 */
export function locateRecords(
  payload: unknown,
  unwrap: (value: unknown, index: number) => Located[] | undefined = () => undefined,
): Located[] {
  return splitRecords(payload).flatMap((r): Located[] => {
    if ('error' in r) return [{ at: `[${r.index}]`, error: r.error }];
    return unwrap(r.value, r.index) ?? [{ at: `[${r.index}]`, value: r.value }];
  });
}

/** Checks each record against `schema`: bad ones are rejected into `result`, good ones handed on. */
export function forEachValid<T>(
  records: readonly Located[],
  schema: z.ZodType<T>,
  result: NormalizeResult,
  onValid: (value: T, index: number, record: Located) => void,
): void {
  records.forEach((record, index) => {
    if (record.error !== undefined) {
      result.rejected.push({ index, path: record.at, message: record.error });
      return;
    }
    const parsed = schema.safeParse(record.value);
    if (parsed.success) onValid(parsed.data, index, record);
    else reject(result, index, record.at, parsed.error.issues);
  });
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:?\d{2})$/;
// The form nearly every source sends (UTC, `T`, `Z`): handled without building Dates.
const UTC = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?:\.(\d+))?Z$/;
const validDays = new Map<string, boolean>();

/** Whether `YYYY-MM-DD` is a real calendar day (Date rolls 02-30 over to March), remembered per day. */
function isRealDay(day: string): boolean {
  let valid = validDays.get(day);
  if (valid === undefined) {
    const date = new Date(`${day}T00:00:00Z`);
    valid = !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day;
    if (validDays.size > 10_000) validDays.clear();
    validDays.set(day, valid);
  }
  return valid;
}

/**
 * An RFC 3339 time (any sub-second precision, any offset) as a model timestamp (UTC, ms), or
 * undefined. Parsed by hand because `Date` accepts non-standard strings and rolls 02-30 over to March.
 */
export function toModelTime(text: string): string | undefined {
  const utc = UTC.exec(text);
  if (utc) {
    const [, day, h, mi, s, frac = ''] = utc;
    if (!isRealDay(day!)) return undefined;
    return `${day}T${h}:${mi}:${s}.${frac.padEnd(3, '0').slice(0, 3)}Z`;
  }
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  const ms = frac.padEnd(3, '0').slice(0, 3);
  const offset = zone!.toUpperCase() === 'Z' ? 'Z' : `${zone!.slice(0, 3)}:${zone!.slice(-2)}`;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}${offset}`);
  if (Number.isNaN(date.getTime())) return undefined;
  // Reject day/month overflow: the wall-clock fields must survive the round trip.
  const local = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
  if (local.toISOString().slice(0, 19) !== `${y}-${mo}-${d}T${h}:${mi}:${s}`) return undefined;
  return date.toISOString();
}

/** A source timestamp field: a string `toModelTime` understands, capped to fit `metadata.original_time`. */
export const SourceTime = z
  .string()
  .max(64)
  .refine((s) => toModelTime(s) !== undefined, { message: 'not a valid timestamp' });

/** Dedup key for sources without an event id: SHA-256 of the canonical (RFC 8785) JSON payload. */
export const payloadDigest = (value: unknown): string =>
  createHash('sha256')
    .update(canonicalize(value) ?? '')
    .digest('hex');

/** OCSF ids derived from class and activity, so a mapper cannot get them wrong. */
export const ocsfIds = (class_uid: number, activity_id: number) => ({
  class_uid,
  category_uid: Math.floor(class_uid / 1000),
  activity_id,
  type_uid: class_uid * 100 + activity_id,
});

/** Tenant of the event's namespace, when the context can tell. */
export function tenantFor(
  ctx: NormalizeContext,
  clusterId: string | undefined,
  namespace: string | undefined,
): string | undefined {
  return clusterId !== undefined && namespace !== undefined
    ? ctx.tenantOf?.(clusterId, namespace)
    : undefined;
}

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

const IP = z.union([z.ipv4(), z.ipv6()]);
export const isIp = (value: unknown): value is string => IP.safeParse(value).success;

/** Drops undefined properties so optional model fields stay absent rather than explicitly undefined. */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const key in value) if (value[key] !== undefined) out[key] = value[key];
  return out as T;
}

// Stand-ins for the store-managed fields, so the full stored-document schema can check an event.
const STORE_PLACEHOLDERS = {
  id: 'pending',
  version: 1,
  createdAt: '1970-01-01T00:00:00.000Z',
  updatedAt: '1970-01-01T00:00:00.000Z',
};

/** Adds zod issues to `result` as rejections of record `index`, paths prefixed with `prefix`. */
export function reject(
  result: NormalizeResult,
  index: number,
  prefix: string,
  issues: readonly z.core.$ZodIssue[],
): void {
  for (const issue of issues) {
    result.rejected.push({ index, path: joinPath(prefix, issue.path), message: issue.message });
  }
}

/**
 * Checks a mapped event against the stored SecurityEvent schema (defaults filled) and adds it to
 * `result`, or reports why not: a failure here means the source held a value the model refuses
 * (e.g. an over-long name), reported at the event field under `prefix`, e.g. `[3]→event.k8s.namespace`.
 */
export function accept(result: NormalizeResult, index: number, prefix: string, event: object): void {
  const parsed = SecurityEventSchema.safeParse({ ...compact(event), ...STORE_PLACEHOLDERS });
  if (!parsed.success) {
    reject(result, index, prefix, parsed.error.issues);
    return;
  }
  const { id: _id, version: _v, createdAt: _c, updatedAt: _u, ...created } = parsed.data;
  result.events.push(created);
}
