/**
 * Generic OCSF JSON (one object, an array, or NDJSON) → SecurityEvent, for producers that already
 * speak OCSF. Fields the model does not have stay only in `raw`.
 *
 * Defaults: `source` ocsf; `category_uid`/`type_uid` derived from `class_uid`/`activity_id`;
 * `metadata.version` 1.3.0; `sourceEventId` from `metadata.uid`, else the payload digest;
 * `message` empty; `raw` the record itself; `k8s.clusterId` from the context. OCSF's native `time`
 * (epoch milliseconds) and RFC 3339 strings become model timestamps, the original kept in
 * `metadata.original_time`. A record may not set `tenantId`: tenants follow from namespaces.
 */
import { SecurityEventCreateSchema } from '../../model/security-event.js';
import {
  OCSF_VERSION,
  accept,
  emptyResult,
  payloadDigest,
  splitRecords,
  tenantFor,
  toModelTime,
  type NormalizeContext,
  type NormalizeResult,
  type Rejection,
  isObj,
  type Obj,
} from './common.js';

const MODEL_KEYS = Object.keys(SecurityEventCreateSchema.shape);

/** The model time and the original text of an OCSF `time`, or why it is not one. */
function timeOf(time: unknown): { time: string; original: string } | { error: string } | undefined {
  if (time === undefined) return undefined;
  const date = typeof time === 'number' && Number.isFinite(time) ? new Date(time) : undefined;
  const iso =
    typeof time === 'string'
      ? toModelTime(time)
      : date && !Number.isNaN(date.getTime())
        ? date.toISOString()
        : undefined;
  return iso !== undefined ? { time: iso, original: String(time) } : { error: 'not a valid timestamp' };
}

function toEvent(
  record: Obj,
  index: number,
  ctx: NormalizeContext,
): { event: object } | { rejection: Rejection } {
  const at = `[${index}]`;
  if ('tenantId' in record) {
    return {
      rejection: { index, path: `${at}.tenantId`, message: 'an ingested event cannot choose its tenant' },
    };
  }
  const fields: Obj = Object.fromEntries(MODEL_KEYS.filter((k) => k in record).map((k) => [k, record[k]]));
  const time = timeOf(record['time']);
  if (time !== undefined && 'error' in time)
    return { rejection: { index, path: `${at}.time`, message: time.error } };
  const metadata = isObj(record['metadata']) ? record['metadata'] : {};
  const { class_uid, activity_id } = record;
  const ids =
    typeof class_uid === 'number' && typeof activity_id === 'number'
      ? { category_uid: Math.floor(class_uid / 1000), type_uid: class_uid * 100 + activity_id }
      : {};
  const k8s: Obj | undefined = isObj(record['k8s'])
    ? { clusterId: ctx.clusterId, ...record['k8s'] }
    : undefined;
  const clusterId = typeof k8s?.['clusterId'] === 'string' ? k8s['clusterId'] : undefined;
  const namespace = typeof k8s?.['namespace'] === 'string' ? k8s['namespace'] : undefined;
  const event = {
    source: 'ocsf',
    sourceEventId:
      typeof metadata['uid'] === 'string' && metadata['uid'] !== '' ? metadata['uid'] : payloadDigest(record),
    message: '',
    raw: record,
    ...ids,
    ...fields,
    ...(time !== undefined ? { time: time.time } : {}),
    metadata: {
      version: OCSF_VERSION,
      ...(time !== undefined ? { original_time: time.original } : {}),
      ...metadata,
    },
    k8s,
    tenantId: tenantFor(ctx, clusterId, namespace),
  };
  return { event };
}

/** Normalises OCSF records, checking each against the SecurityEvent schema with defaults filled. */
export function ocsfEvents(payload: unknown, ctx: NormalizeContext = {}): NormalizeResult {
  const result = emptyResult();
  for (const record of splitRecords(payload)) {
    const at = `[${record.index}]`;
    if ('error' in record || !isObj(record.value)) {
      const message = 'error' in record ? record.error : 'expected an OCSF event object';
      result.rejected.push({ index: record.index, path: at, message });
      continue;
    }
    const out = toEvent(record.value, record.index, ctx);
    if ('rejection' in out) result.rejected.push(out.rejection);
    else accept(result, record.index, at, out.event);
  }
  return result;
}
