/**
 * Sub-schemas and enums shared by several entities of the unified model.
 *
 * Sub-schemas here carry no OpenAPI refId on purpose: zod-to-openapi would turn them into shared
 * components, and a field-level `.describe()` on a referenced schema overwrites the component's
 * description for every user. Only whole entities (and their create inputs) are components.
 */
import { z, Id, Labels, TenantId, Timestamp } from './common.js';

/** Spread into every stored entity so old documents can be recognised after a format change. */
export const SchemaVersion = z
  .literal(1)
  .default(1)
  .describe(
    'Document-format version of this entity; bumped on breaking changes so migrations recognise old documents',
  );

export const Severity = z
  .enum(['info', 'low', 'medium', 'high', 'critical'])
  .describe('Severity of an alert or incident, from info (informational) to critical');
export type Severity = z.infer<typeof Severity>;

export const Verdict = z
  .enum(['true_positive', 'false_positive', 'benign'])
  .describe(
    'Analyst verdict on close: true_positive (real attack), false_positive (detection error), benign (real but authorised activity)',
  );
export type Verdict = z.infer<typeof Verdict>;

export const EventSource = z
  .enum(['falco', 'k8s-audit', 'alertmanager', 'trivy', 'kube-bench', 'k8s-event', 'ocsf'])
  .describe('Telemetry source a security event was collected from');
export type EventSource = z.infer<typeof EventSource>;

/** GOARCH spellings, which is what Kubernetes reports in `status.nodeInfo.architecture`. */
export const Arch = z
  .enum(['amd64', 'arm64', 'loong64', 'sw64', 'other'])
  .describe(
    'CPU architecture as Kubernetes/OCI name it: amd64 (x86-64, incl. Hygon/Zhaoxin), arm64 (Kunpeng, Phytium), loong64 (Loongson 龙芯), sw64 (Sunway 申威), other',
  );
export type Arch = z.infer<typeof Arch>;

const ARCH_ALIASES: Record<string, Arch> = {
  amd64: 'amd64',
  x86_64: 'amd64',
  'x86-64': 'amd64',
  arm64: 'arm64',
  aarch64: 'arm64',
  loong64: 'loong64',
  loongarch64: 'loong64',
  sw64: 'sw64',
  sw_64: 'sw64',
};

/** Normalises an architecture string from a node, an image manifest or `uname -m`. */
export const toArch = (reported: string): Arch => ARCH_ALIASES[reported.trim().toLowerCase()] ?? 'other';

export const MitreTactic = z
  .enum([
    'reconnaissance',
    'resource-development',
    'initial-access',
    'execution',
    'persistence',
    'privilege-escalation',
    'defense-evasion',
    'credential-access',
    'discovery',
    'lateral-movement',
    'collection',
    'command-and-control',
    'exfiltration',
    'impact',
  ])
  .describe(
    'MITRE ATT&CK Enterprise tactic short name (Sigma tag attack.privilege_escalation → privilege-escalation)',
  );
export type MitreTactic = z.infer<typeof MitreTactic>;

export const MitreTechniqueId = z
  .string()
  .regex(/^T\d{4}(\.\d{3})?$/, 'expected a MITRE ATT&CK technique id such as T1609 or T1552.007')
  .describe('MITRE ATT&CK technique or sub-technique id, e.g. T1609 (Container Administration Command)');

/**
 * Where a secret lives, never the secret: `scheme:locator`, without whitespace, so an inline
 * kubeconfig (multi-line), a bearer token or a JWT (no scheme) is rejected rather than stored.
 */
export const SecretRef = z
  .string()
  .max(512)
  .regex(
    /^[a-z][a-z0-9+.-]*:\S*$/,
    'expected a secret reference like secret:yunshu/clusters/gz-1, not a secret',
  )
  .describe(
    'Reference to a secret held outside the model (e.g. secret:yunshu/clusters/gz-1, env:KUBECONFIG_GZ, file:/etc/yunshu/gz.kubeconfig); never the secret itself',
  );

/** Counts in base units so sums and comparisons need no Kubernetes quantity parsing (see quantity.ts). */
export const ResourceQuantities = z
  .object({
    cpuMillicores: z.int().nonnegative().optional().describe('CPU in millicores (1 core = 1000)'),
    memoryBytes: z.int().nonnegative().optional().describe('Memory in bytes'),
    pods: z.int().nonnegative().optional().describe('Number of pods'),
    ephemeralStorageBytes: z
      .int()
      .nonnegative()
      .optional()
      .describe('Ephemeral (node-local) storage in bytes'),
  })
  .describe('Resource amounts in base units; an absent amount means not set / not reported');
export type ResourceQuantities = z.infer<typeof ResourceQuantities>;

/** A typed pointer to another object, inside or outside the model. */
export const ObjectRef = z
  .object({
    type: z
      .string()
      .min(1)
      .max(64)
      .describe('Kind of the referenced object, e.g. cluster, alert, security_event, kube-bench, user'),
    id: z.string().min(1).max(512).describe('Id of the referenced object'),
  })
  .describe('Reference to another object');
export type ObjectRef = z.infer<typeof ObjectRef>;

export const ActorType = z
  .enum(['user', 'token', 'system', 'playbook'])
  .describe(
    'Kind of principal: user (person), token (API token), system (Yunshu itself), playbook (SOAR run)',
  );

export const ActorRef = z
  .object({
    type: ActorType,
    id: z
      .string()
      .min(1)
      .max(256)
      .describe('User id, API token id, system component name or playbook run id'),
    name: z.string().max(256).optional().describe('Display name at the time of the action'),
  })
  .describe('Who performed an action');
export type ActorRef = z.infer<typeof ActorRef>;

/** A Kubernetes object name (RFC 1123 subdomain), which nodes, namespaces and workloads all use. */
export const K8sName = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'expected a Kubernetes object name (lowercase RFC 1123)')
  .describe('Kubernetes object name');

export const OwnerRef = z
  .object({
    kind: z
      .string()
      .min(1)
      .max(128)
      .describe('Kubernetes kind of the owner, e.g. Deployment, CronJob, CloneSet'),
    name: K8sName.describe('Name of the owner in the same namespace'),
  })
  .describe('Controlling owner of a Kubernetes object');
export type OwnerRef = z.infer<typeof OwnerRef>;

/**
 * Where in the fleet something happened. Names here are loose strings, not `K8sName`: they come
 * from security sources, and evidence must not be rejected for an odd name.
 */
const K8sField = z.string().min(1).max(253);
export const K8sRef = z
  .object({
    clusterId: Id.describe('Cluster id'),
    cloudId: Id.optional().describe('Cloud id of the cluster (filled in by the server from the cluster)'),
    namespace: K8sField.optional().describe('Namespace'),
    workloadKind: K8sField.optional().describe('Kind of the top-level workload, e.g. Deployment, DaemonSet'),
    workloadName: K8sField.optional().describe('Name of the top-level workload'),
    pod: K8sField.optional().describe('Pod name'),
    container: K8sField.optional().describe('Container name within the pod'),
    node: K8sField.optional().describe('Node name'),
    nodeArch: Arch.optional().describe('CPU architecture of the node'),
  })
  .describe('Kubernetes context (cluster → namespace → workload → pod → container, and node)');
export type K8sRef = z.infer<typeof K8sRef>;

/** Fields every object collected from a cluster carries; namespaced kinds add `namespace`. */
export const K8sObjectFields = {
  clusterId: Id.describe('Cluster the object was collected from'),
  name: K8sName,
  uid: z.string().min(1).max(64).describe('Kubernetes metadata.uid'),
  labels: Labels.default({}),
  k8sCreatedAt: Timestamp.optional().describe('Kubernetes metadata.creationTimestamp'),
};

export const NamespaceName = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'expected a Kubernetes namespace name (RFC 1123 label)')
  .describe('Kubernetes namespace');

/** Tenant of a namespaced object, resolved from the tenants' namespace mappings; absent when unmapped. */
export const DerivedTenantId = TenantId.optional().describe(
  'Owning tenant (委办局), derived from the tenant namespace mappings; absent for unmapped namespaces',
);

export const UserId = Id.describe('User id');

export const Sm3Hex = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'expected an SM3 digest as 64 lowercase hex characters')
  .describe('SM3 digest (GB/T 32905-2016), 64 lowercase hex characters');

/**
 * Adds an issue (at `blame`, by default `laterKey`) when both timestamps are set and `later`
 * precedes `earlier`. Model timestamps share one fixed format, so string order is time order.
 */
export function requireNotBefore<T extends object>(
  value: T,
  ctx: z.core.$RefinementCtx<T>,
  laterKey: keyof T & string,
  earlierKey: keyof T & string,
  blame: keyof T & string = laterKey,
): void {
  const later = value[laterKey];
  const earlier = value[earlierKey];
  if (typeof later === 'string' && typeof earlier === 'string' && later < earlier) {
    ctx.addIssue({ code: 'custom', path: [blame], message: `${laterKey} must not be before ${earlierKey}` });
  }
}

/** A verdict belongs to a closed alert or incident (whether closing requires one is API policy). */
export function verdictOnlyWhenClosed<T extends { status: string; verdict?: string | undefined }>(
  value: T,
  ctx: z.core.$RefinementCtx<T>,
): void {
  if (value.verdict !== undefined && value.status !== 'closed') {
    ctx.addIssue({ code: 'custom', path: ['verdict'], message: 'a verdict is only set when closed' });
  }
}
