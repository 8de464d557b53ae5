/**
 * A normalised security event, aligned with OCSF (https://schema.ocsf.io) so findings from any
 * source share one shape, plus a Kubernetes extension (`k8s`) and Yunshu bookkeeping.
 *
 * Deviation from OCSF: `time` is a model timestamp (ISO string) rather than epoch milliseconds, so
 * it sorts and indexes like every other timestamp; the source's own time string is kept verbatim
 * in `metadata.original_time`.
 */
import { z, StoredFields, Timestamp } from './common.js';
import { DerivedTenantId, EventSource, K8sRef, SchemaVersion } from './fragments.js';

const OCSF_SEVERITY_IDS = [0, 1, 2, 3, 4, 5, 6, 99] as const;
export const OcsfSeverityId = z
  .literal(OCSF_SEVERITY_IDS)
  // zod-to-openapi 9 renders only the first value of a multi-value literal.
  .openapi({ type: 'integer', enum: [...OCSF_SEVERITY_IDS] })
  .describe(
    'OCSF severity_id: 0 Unknown, 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical, 6 Fatal, 99 Other',
  );

const IpAddress = z.union([z.ipv4(), z.ipv6()]);

export const OcsfUser = z
  .object({
    name: z
      .string()
      .max(512)
      .optional()
      .describe('User name, e.g. system:serviceaccount:kube-system:default'),
    uid: z.string().max(512).optional().describe('User id'),
    groups: z.array(z.string().max(512)).optional().describe('Group names'),
  })
  .refine((u) => u.name !== undefined || u.uid !== undefined, { message: 'a user needs a name or a uid' })
  .describe('OCSF user');

export const OcsfProcess = z
  .object({
    name: z.string().max(512).optional().describe('Process name, e.g. bash'),
    pid: z.int().nonnegative().optional().describe('Process id'),
    cmd_line: z.string().max(8192).optional().describe('Full command line'),
  })
  .describe('OCSF process');

const eventInput = {
  source: EventSource,
  sourceEventId: z
    .string()
    .min(1)
    .max(256)
    .describe(
      'Id the source gave the event (audit auditID, Falco uuid, report uid…), or a SHA-256 of the raw payload when it has none; deduplicates re-delivered events',
    ),
  class_uid: z
    .int()
    .min(0)
    .max(999_999)
    .describe('OCSF event class, e.g. 2004 Detection Finding, 6003 API Activity'),
  category_uid: z.int().min(0).max(99).describe('OCSF category, class_uid / 1000 (e.g. 2 Findings)'),
  activity_id: z.int().min(0).max(99).describe('OCSF activity within the class (0 Unknown, 99 Other)'),
  type_uid: z.int().nonnegative().describe('OCSF event type, class_uid × 100 + activity_id'),
  severity_id: OcsfSeverityId,
  time: Timestamp.describe('When the event occurred, per the source'),
  message: z.string().max(16_384).describe('Human-readable description, e.g. the Falco output line'),
  metadata: z
    .object({
      product: z
        .object({
          name: z.string().min(1).max(256).describe('Product name, e.g. Falco, Kubernetes'),
          vendor_name: z.string().min(1).max(256).describe('Vendor, e.g. The Falco Authors'),
          version: z.string().max(64).optional().describe('Product version'),
        })
        .describe('Product that produced the event'),
      version: z
        .string()
        .regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'expected an OCSF schema version such as 1.3.0')
        .describe('OCSF schema version the event follows, e.g. 1.3.0'),
      uid: z.string().max(256).optional().describe('Event id within the product'),
      original_time: z
        .string()
        .max(64)
        .optional()
        .describe(
          'Source time exactly as received, e.g. Falco nanosecond time 2016-08-04T16:17:57.881781397Z',
        ),
    })
    .describe('OCSF metadata'),
  finding_info: z
    .object({
      uid: z.string().min(1).max(256).describe('Finding id, e.g. a CVE id or kube-bench check id'),
      title: z.string().min(1).max(1024).describe('Finding title, e.g. the Falco rule name'),
      desc: z.string().max(16_384).optional().describe('Finding description'),
      types: z.array(z.string().max(256)).optional().describe('Finding types / tags, e.g. Falco tags'),
    })
    .optional()
    .describe('OCSF finding_info, for finding classes (Falco, Trivy, kube-bench)'),
  actor: z
    .object({ user: OcsfUser.optional(), process: OcsfProcess.optional() })
    .optional()
    .describe('OCSF actor: who or what performed the activity'),
  src_endpoint: z
    .object({
      ip: IpAddress.optional().describe('Source IP address'),
      hostname: z.string().max(253).optional().describe('Source host name'),
      port: z.int().min(0).max(65_535).optional().describe('Source port'),
    })
    .optional()
    .describe('OCSF src_endpoint: where the activity came from'),
  resources: z
    .array(
      z
        .object({
          type: z.string().min(1).max(128).describe('Resource type, e.g. pods, secrets, image'),
          name: z.string().max(1024).optional().describe('Resource name'),
          namespace: z.string().max(253).optional().describe('Namespace of the resource'),
          uid: z.string().max(256).optional().describe('Resource uid'),
        })
        .describe('OCSF resource_details'),
    )
    .default([])
    .describe('OCSF resources the event is about'),
  observables: z
    .array(
      z
        .object({
          name: z
            .string()
            .min(1)
            .max(256)
            .describe('Attribute path the value came from, e.g. actor.user.name'),
          type_id: z.int().min(0).max(99).describe('OCSF observable type_id, e.g. 2 IP Address, 4 User Name'),
          value: z.string().max(4096).describe('Observed value'),
        })
        .describe('OCSF observable'),
    )
    .default([])
    .describe('OCSF observables, for pivoting and threat-intel matching'),
  k8s: K8sRef.optional().describe('Kubernetes context of the event (Yunshu extension)'),
  raw: z
    .unknown()
    .refine((v) => v !== undefined, { message: 'the original payload is required' })
    .describe('Original payload exactly as received (JSON), kept as evidence'),
};

type OcsfIds = { class_uid: number; category_uid: number; activity_id: number; type_uid: number };

/** OCSF derives category_uid and type_uid from class_uid and activity_id; a mismatch means a broken mapper. */
function checkOcsfIds(e: OcsfIds, ctx: z.core.$RefinementCtx<OcsfIds>): void {
  if (e.category_uid !== Math.floor(e.class_uid / 1000)) {
    ctx.addIssue({
      code: 'custom',
      path: ['category_uid'],
      message: 'category_uid must be class_uid / 1000',
    });
  }
  if (e.type_uid !== e.class_uid * 100 + e.activity_id) {
    ctx.addIssue({
      code: 'custom',
      path: ['type_uid'],
      message: 'type_uid must be class_uid * 100 + activity_id',
    });
  }
}

export const SecurityEventSchema = z
  .object({ ...StoredFields, schemaVersion: SchemaVersion, ...eventInput, tenantId: DerivedTenantId })
  .superRefine(checkOcsfIds)
  .describe('A normalised security event (OCSF-aligned)')
  .openapi('SecurityEvent');
export type SecurityEvent = z.infer<typeof SecurityEventSchema>;

/** What normalisers and the generic OCSF input submit; the server adds the tenant from the namespace. */
export const SecurityEventCreateSchema = z
  .strictObject(eventInput)
  .superRefine(checkOcsfIds)
  .describe('A security event to ingest')
  .openapi('SecurityEventCreate');
export type SecurityEventCreate = z.infer<typeof SecurityEventCreateSchema>;
