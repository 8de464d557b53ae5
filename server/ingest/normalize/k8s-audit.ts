/**
 * Kubernetes audit events → OCSF API Activity (class 6003).
 *
 * Accepted shapes, all unwrapped to an `audit.k8s.io/v1` Event:
 * - an Event, an EventList (webhook backend), an array, or NDJSON of Events (log backend);
 * - a GKE Cloud Logging entry: `protoPayload` is a Cloud Audit `AuditLog`, which GKE derives from the
 *   Event, so the Event fields are rebuilt from it (`jsonPayload` holding an Event is unwrapped as is);
 * - an AKS diagnostic record (`category: kube-audit*`, `properties.log` = the Event as JSON text),
 *   alone or in the `records` array of an Event Hubs / storage export.
 *
 * Only `ResponseComplete` and `Panic` stages describe a finished request; the others are skipped
 * (and counted) so one request does not become several events.
 *
 * severity_id: 1 Informational; 2 Low when the API server refused (401/403), a reconnaissance
 * signal; 3 Medium for `Panic`.
 */
import { z } from '../../model/common.js';
import {
  OCSF_VERSION,
  SourceTime,
  accept,
  compact,
  emptyResult,
  isIp,
  ocsfIds,
  reject,
  splitRecords,
  tenantFor,
  toModelTime,
  type NormalizeContext,
  type NormalizeResult,
  isObj,
  type Obj,
} from './common.js';

const AuditEvent = z.looseObject({
  auditID: z.string().min(1).max(256),
  stage: z.string().min(1),
  verb: z.string().min(1).max(64),
  requestURI: z.string().optional(),
  requestReceivedTimestamp: SourceTime,
  stageTimestamp: SourceTime.optional(),
  user: z.looseObject({
    username: z.string().max(512).optional(),
    uid: z.string().max(512).optional(),
    groups: z.array(z.string().max(512)).optional(),
  }),
  sourceIPs: z.array(z.string()).optional(),
  userAgent: z.string().optional(),
  objectRef: z
    .looseObject({
      resource: z.string().max(128).optional(),
      subresource: z.string().max(128).optional(),
      namespace: z.string().max(253).optional(),
      name: z.string().max(1024).optional(),
      uid: z.string().max(256).optional(),
      apiGroup: z.string().optional(),
      apiVersion: z.string().optional(),
    })
    .optional(),
  responseStatus: z.looseObject({ code: z.int().optional() }).optional(),
});
type AuditEvent = z.infer<typeof AuditEvent>;

const COMPLETE_STAGES = new Set(['ResponseComplete', 'Panic']);

const ACTIVITY: Record<string, number> = {
  create: 1,
  get: 2,
  list: 2,
  watch: 2,
  update: 3,
  patch: 3,
  delete: 4,
  deletecollection: 4,
};
/** OCSF API Activity activity_id: 1 Create, 2 Read, 3 Update, 4 Delete, 99 Other. */
export const auditActivity = (verb: string): number => ACTIVITY[verb] ?? 99;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

// gRPC status of a Cloud Audit entry → the HTTP code the API server answered with (0 OK is 200).
const GRPC_TO_HTTP: Record<number, number> = { 0: 200, 3: 400, 5: 404, 6: 409, 7: 403, 9: 422, 16: 401 };

/**
 * Rebuilds the Event from a GKE `AuditLog`: methodName `io.k8s.core.v1.pods.exec.create` and
 * resourceName `core/v1/namespaces/default/pods/web/exec`.
 */
function eventFromGke(entry: Obj, log: Obj): Obj {
  const method = str(log['methodName'])?.split('.') ?? [];
  const parts = (str(log['resourceName']) ?? '').split('/');
  const [group, version, ...rest] = parts;
  const namespaced = rest[0] === 'namespaces' && rest.length > 2;
  const [resource, name, subresource] = namespaced ? rest.slice(2) : rest;
  const auth = isObj(log['authenticationInfo']) ? log['authenticationInfo'] : {};
  const request = isObj(log['requestMetadata']) ? log['requestMetadata'] : {};
  const status =
    isObj(log['status']) && typeof log['status']['code'] === 'number' ? log['status']['code'] : 0;
  const callerIp = str(request['callerIp']);
  return compact({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    // GKE exports only finished requests; insertId is the entry's unique id.
    auditID: str(entry['insertId']),
    stage: 'ResponseComplete',
    verb: method.at(-1),
    requestURI: str(log['resourceName']),
    requestReceivedTimestamp: entry['timestamp'],
    user: compact({ username: str(auth['principalEmail']) }),
    sourceIPs: callerIp !== undefined ? [callerIp] : undefined,
    userAgent: str(request['callerSuppliedUserAgent']),
    objectRef: compact({
      resource,
      name,
      subresource,
      namespace: namespaced ? rest[1] : undefined,
      apiGroup: group === 'core' ? '' : group,
      apiVersion: version,
    }),
    responseStatus: { code: GRPC_TO_HTTP[status] ?? 500 },
  });
}

type Unwrapped = { event: unknown; at: string } | { error: string; at: string } | 'skip';

/** The Event inside one record, whatever cloud wrapper it came in. */
function unwrap(value: unknown): Unwrapped {
  if (!isObj(value)) return { event: value, at: '' };
  if (isObj(value['protoPayload'])) return { event: eventFromGke(value, value['protoPayload']), at: '' };
  if (isObj(value['jsonPayload'])) return { event: value['jsonPayload'], at: '.jsonPayload' };
  if (isObj(value['properties']) && 'log' in value['properties']) {
    const category = str(value['category']);
    // AKS sends every control-plane log through one diagnostic stream; only kube-audit* are audit events.
    if (category !== undefined && !category.startsWith('kube-audit')) return 'skip';
    const log = value['properties']['log'];
    if (typeof log !== 'string')
      return { error: 'expected the audit Event as JSON text', at: '.properties.log' };
    try {
      return { event: JSON.parse(log) as unknown, at: '.properties.log' };
    } catch {
      return { error: 'not valid JSON', at: '.properties.log' };
    }
  }
  return { event: value, at: '' };
}

/** The audit Event a k8s-audit SecurityEvent came from (its raw payload, unwrapped). */
export function auditEventOf(raw: unknown): unknown {
  const out = unwrap(raw);
  return out !== 'skip' && 'event' in out ? out.event : undefined;
}

function describe(e: AuditEvent): string {
  const ref = e.objectRef ?? {};
  const resource = [ref.resource, ref.subresource].filter(Boolean).join('/');
  const object = [ref.namespace, ref.name].filter(Boolean).join('/');
  const code = e.responseStatus?.code;
  return [
    e.verb,
    resource || e.requestURI,
    object || undefined,
    `by ${e.user.username ?? e.user.uid ?? 'unknown'}`,
    code !== undefined ? `→ ${code}` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
}

function severity(e: AuditEvent): 1 | 2 | 3 {
  if (e.stage === 'Panic') return 3;
  const code = e.responseStatus?.code;
  return code === 401 || code === 403 ? 2 : 1;
}

function toEvent(e: AuditEvent, received: unknown, ctx: NormalizeContext): object {
  const ref = e.objectRef ?? {};
  const clusterId = ctx.clusterId;
  const namespace = ref.namespace;
  const u = e.user;
  const user =
    u.username !== undefined || u.uid !== undefined
      ? compact({ name: u.username, uid: u.uid, groups: u.groups })
      : undefined;
  const ip = e.sourceIPs?.find(isIp);
  return {
    source: 'k8s-audit',
    sourceEventId: e.auditID,
    ...ocsfIds(6003, auditActivity(e.verb)),
    severity_id: severity(e),
    time: toModelTime(e.requestReceivedTimestamp),
    message: describe(e),
    metadata: {
      product: { name: 'Kubernetes', vendor_name: 'CNCF' },
      version: OCSF_VERSION,
      uid: e.auditID,
      original_time: e.requestReceivedTimestamp,
    },
    actor: user !== undefined ? { user } : undefined,
    src_endpoint: ip !== undefined ? { ip } : undefined,
    resources:
      ref.resource !== undefined
        ? [
            compact({
              // RBAC notation, so `pods/exec` reads as the permission it used.
              type: ref.subresource !== undefined ? `${ref.resource}/${ref.subresource}` : ref.resource,
              name: ref.name,
              namespace,
              uid: ref.uid,
            }),
          ]
        : [],
    observables: [
      ...(u.username !== undefined ? [{ name: 'actor.user.name', type_id: 4, value: u.username }] : []),
      ...(e.sourceIPs ?? []).filter(isIp).map((value) => ({ name: 'src_endpoint.ip', type_id: 2, value })),
    ],
    k8s:
      clusterId !== undefined
        ? compact({
            clusterId,
            namespace,
            pod: ref.resource === 'pods' ? ref.name : undefined,
          })
        : undefined,
    tenantId: tenantFor(ctx, clusterId, namespace),
    raw: received,
  };
}

/** Normalises Kubernetes audit payloads (see the module comment for the accepted shapes). */
export function k8sAuditEvents(payload: unknown, ctx: NormalizeContext = {}): NormalizeResult {
  const result = emptyResult();
  // Batch containers: an EventList (webhook) or an Azure export's `records`; paths name their items.
  const records = splitRecords(payload).flatMap(
    (r): Array<{ at: string; value?: unknown; error?: string }> => {
      if ('error' in r) return [{ at: `[${r.index}]`, error: r.error }];
      const v = r.value;
      if (isObj(v) && v['kind'] === 'EventList' && Array.isArray(v['items'])) {
        return v['items'].map((value: unknown, i) => ({ at: `items[${i}]`, value }));
      }
      if (isObj(v) && Array.isArray(v['records'])) {
        return v['records'].map((value: unknown, i) => ({ at: `records[${i}]`, value }));
      }
      return [{ at: `[${r.index}]`, value: v }];
    },
  );
  records.forEach((record, index) => {
    if (record.error !== undefined) {
      result.rejected.push({ index, path: record.at, message: record.error });
      return;
    }
    const out = unwrap(record.value);
    if (out === 'skip') {
      result.skipped++;
      return;
    }
    const prefix = `${record.at}${out.at}`;
    if ('error' in out) {
      result.rejected.push({ index, path: prefix, message: out.error });
      return;
    }
    const stage = isObj(out.event) ? out.event['stage'] : undefined;
    if (typeof stage === 'string' && !COMPLETE_STAGES.has(stage)) {
      result.skipped++;
      return;
    }
    const parsed = AuditEvent.safeParse(out.event);
    if (parsed.success) accept(result, index, `${prefix}→event`, toEvent(parsed.data, record.value, ctx));
    else reject(result, index, prefix, parsed.error.issues);
  });
  return result;
}
