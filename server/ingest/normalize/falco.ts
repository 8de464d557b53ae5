/**
 * Falco alerts (`json_output: true`, falcosidekick's POST body, or its webhook output) → OCSF
 * Detection Finding (class 2004, activity 1 Create).
 *
 * Priority → OCSF severity_id:
 *
 * | Falco priority          | severity_id       |
 * |-------------------------|-------------------|
 * | Emergency               | 6 Fatal           |
 * | Alert, Critical         | 5 Critical        |
 * | Error                   | 4 High            |
 * | Warning                 | 3 Medium          |
 * | Notice                  | 2 Low             |
 * | Informational, Debug    | 1 Informational   |
 * | anything else           | 0 Unknown         |
 *
 * Output fields: `k8s.ns.name`/`k8s.pod.name`/`container.name` → `k8s` (with the context's
 * cluster, and the alert's hostname as node); `container.id` → a `container` resource;
 * `proc.*` → `actor.process`; `user.*` → `actor.user`; `fd.cip`/`fd.cport` (the connection's
 * client) → `src_endpoint`, the host otherwise. The model has no destination endpoint, so every
 * address field (`fd.rip`, `fd.sip`, `fd.lip`, `fd.cip`) is also an IP observable named after it.
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
  payloadDigest,
  forEachValid,
  locateRecords,
  tenantFor,
  toModelTime,
  type NormalizeContext,
  type NormalizeResult,
} from './common.js';

const SEVERITY: Record<string, 0 | 1 | 2 | 3 | 4 | 5 | 6> = {
  emergency: 6,
  alert: 5,
  critical: 5,
  error: 4,
  warning: 3,
  notice: 2,
  informational: 1,
  info: 1,
  debug: 1,
};

export const falcoSeverity = (priority: string): 0 | 1 | 2 | 3 | 4 | 5 | 6 =>
  SEVERITY[priority.toLowerCase()] ?? 0;

const FalcoAlert = z.looseObject({
  // falco-talon's examples spell it `Rule`; Falco and falcosidekick use `rule`.
  rule: z.string().min(1).max(1024),
  priority: z.string().min(1),
  output: z.string().max(16_384),
  time: SourceTime,
  uuid: z.string().min(1).max(256).optional(),
  source: z.string().optional(),
  hostname: z.string().max(253).optional(),
  tags: z.array(z.string().max(256)).optional(),
  output_fields: z.record(z.string(), z.unknown()).default({}),
});
type FalcoAlert = z.infer<typeof FalcoAlert>;

const withRuleAlias = (value: unknown): unknown =>
  value !== null && typeof value === 'object' && !('rule' in value) && 'Rule' in value
    ? { ...value, rule: (value as { Rule: unknown }).Rule }
    : value;

/** What the receiver parses: a Falco alert, either spelling of the rule key. */
const FalcoInput = z.preprocess(withRuleAlias, FalcoAlert);

// Falco renders absent values as `<NA>` (or null); those are not values.
function text(fields: Record<string, unknown>, key: string): string | undefined {
  const v = fields[key];
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' && v !== '' && v !== '<NA>' ? v : undefined;
}

function int(fields: Record<string, unknown>, key: string): number | undefined {
  const n = Number(text(fields, key));
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

const ADDRESS_FIELDS = ['fd.cip', 'fd.sip', 'fd.rip', 'fd.lip'] as const;

function toEvent(alert: FalcoAlert, received: unknown, ctx: NormalizeContext): object {
  const f = alert.output_fields;
  const namespace = text(f, 'k8s.ns.name');
  const pod = text(f, 'k8s.pod.name');
  const containerId = text(f, 'container.id');
  const containerName = text(f, 'container.name');
  const clusterId = ctx.clusterId;
  const process = compact({
    name: text(f, 'proc.name'),
    pid: int(f, 'proc.pid'),
    cmd_line: text(f, 'proc.cmdline'),
  });
  const userName = text(f, 'user.name');
  const userUid = text(f, 'user.uid');
  const user =
    userName !== undefined || userUid !== undefined ? compact({ name: userName, uid: userUid }) : undefined;
  const clientIp = text(f, 'fd.cip');
  const observables = [
    ...ADDRESS_FIELDS.flatMap((key) => {
      const ip = text(f, key);
      return isIp(ip) ? [{ name: key, type_id: 2, value: ip }] : [];
    }),
    ...(userName !== undefined ? [{ name: 'actor.user.name', type_id: 4, value: userName }] : []),
    ...(alert.hostname !== undefined ? [{ name: 'hostname', type_id: 1, value: alert.hostname }] : []),
  ];
  return {
    source: 'falco',
    // Plain Falco output has no id (falcosidekick adds `uuid`): fall back to the payload digest.
    sourceEventId: alert.uuid ?? payloadDigest(received),
    ...ocsfIds(2004, 1),
    severity_id: falcoSeverity(alert.priority),
    time: toModelTime(alert.time),
    message: alert.output,
    metadata: compact({
      product: { name: 'Falco', vendor_name: 'The Falco Authors' },
      version: OCSF_VERSION,
      uid: alert.uuid,
      original_time: alert.time,
    }),
    finding_info: compact({ uid: alert.rule, title: alert.rule, types: alert.tags }),
    actor:
      user !== undefined || Object.keys(process).length > 0
        ? compact({ user, process: Object.keys(process).length > 0 ? process : undefined })
        : undefined,
    src_endpoint: isIp(clientIp)
      ? compact({ ip: clientIp, port: int(f, 'fd.cport') })
      : alert.hostname !== undefined
        ? { hostname: alert.hostname }
        : undefined,
    resources:
      containerId !== undefined
        ? [compact({ type: 'container', uid: containerId, name: containerName, namespace })]
        : pod !== undefined
          ? [compact({ type: 'pods', name: pod, namespace })]
          : [],
    observables,
    k8s:
      clusterId !== undefined
        ? compact({ clusterId, namespace, pod, container: containerName, node: alert.hostname })
        : undefined,
    tenantId: tenantFor(ctx, clusterId, namespace),
    raw: received,
  };
}

/** Normalises one Falco alert, an array of them, or NDJSON text (Falco's file/stdout output). */
export function falcoEvents(payload: unknown, ctx: NormalizeContext = {}): NormalizeResult {
  const result = emptyResult();
  forEachValid(locateRecords(payload), FalcoInput, result, (alert, index, record) =>
    accept(result, index, `${record.at}→event`, toEvent(alert, record.value, ctx)),
  );
  return result;
}
