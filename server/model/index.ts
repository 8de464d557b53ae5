/**
 * The unified model: every entity's schema and type, and `collections`, the registry the store
 * adapters read to create tables/collections and indexes.
 *
 * Registry semantics (both adapters implement exactly these):
 * - `name` is the table / collection name (lowercase snake_case) and equals the registry key.
 * - `tenantScoped`: documents may carry `tenantId`, and a tenant-scoped principal only sees
 *   documents whose `tenantId` is one of its tenants; documents without one are platform-owned.
 *   Unscoped collections hold platform objects (clouds, clusters, nodes, tenants, roles, sessions,
 *   tokens by owner) that the API authorises by other means.
 * - `indexes` and `unique` list compound indexes as dot paths into the document, in key order;
 *   every path names a scalar (string, number, boolean) field, never an array or object.
 * - Every field of a unique index is required, so no document lacks one: MongoDB indexes a missing
 *   field as null (two such documents would collide) and FerretDB has no partial indexes.
 * - Ordering queries sort on the last field of an index, e.g. `['tenantId', 'status', 'lastSeenAt']`
 *   serves the alert queue of a tenant, newest first.
 */
import type { z } from './common.js';
import { AlertSchema } from './alert.js';
import { ApiTokenSchema } from './api-token.js';
import { AuditEntrySchema } from './audit-entry.js';
import { CloudSchema } from './cloud.js';
import { ClusterSchema } from './cluster.js';
import { ComplianceResultSchema } from './compliance-result.js';
import { DetectionRuleSchema } from './detection-rule.js';
import { IncidentSchema } from './incident.js';
import { KubeEventSchema } from './kube-event.js';
import { NamespaceSchema } from './namespace.js';
import { NetworkPolicySchema } from './network-policy.js';
import { NodeSchema } from './node.js';
import { PlaybookRunSchema } from './playbook-run.js';
import { PlaybookSchema } from './playbook.js';
import { PodSchema } from './pod.js';
import { RoleSchema } from './role.js';
import { RoleBindingSchema } from './role-binding.js';
import { SecurityEventSchema } from './security-event.js';
import { SessionSchema } from './session.js';
import { TenantSchema } from './tenant.js';
import { UserSchema } from './user.js';
import { UsageSchema } from './usage.js';
import { WorkloadSchema } from './workload.js';

export * from './common.js';
export * from './fragments.js';
export * from './quantity.js';
export * from './alert.js';
export * from './api-token.js';
export * from './audit-entry.js';
export * from './cloud.js';
export * from './cluster.js';
export * from './compliance-result.js';
export * from './detection-rule.js';
export * from './incident.js';
export * from './kube-event.js';
export * from './namespace.js';
export * from './network-policy.js';
export * from './node.js';
export * from './playbook-run.js';
export * from './playbook.js';
export * from './pod.js';
export * from './role.js';
export * from './role-binding.js';
export * from './security-event.js';
export * from './session.js';
export * from './tenant.js';
export * from './user.js';
export * from './usage.js';
export * from './workload.js';

export type IndexFields = readonly string[];

export interface CollectionDescriptor {
  readonly name: string;
  readonly schema: z.ZodObject;
  readonly tenantScoped: boolean;
  readonly indexes: readonly IndexFields[];
  readonly unique: readonly IndexFields[];
}

/** Identity at run time; at compile time it checks that each descriptor's name equals its key. */
const defineCollections = <T extends { [K in keyof T]: CollectionDescriptor & { readonly name: K } }>(
  c: T,
): T => c;

export const collections = defineCollections({
  clouds: {
    name: 'clouds',
    schema: CloudSchema,
    tenantScoped: false,
    indexes: [],
    unique: [['name']],
  },
  clusters: {
    name: 'clusters',
    schema: ClusterSchema,
    tenantScoped: false,
    indexes: [['status']],
    unique: [['cloudId', 'name']],
  },
  nodes: {
    name: 'nodes',
    schema: NodeSchema,
    tenantScoped: false,
    // Fleet-wide 信创 views: all loong64 nodes, all Hygon nodes.
    indexes: [['arch'], ['cpu.vendor']],
    unique: [['clusterId', 'name']],
  },
  namespaces: {
    name: 'namespaces',
    schema: NamespaceSchema,
    tenantScoped: true,
    indexes: [['tenantId']],
    unique: [['clusterId', 'name']],
  },
  workloads: {
    name: 'workloads',
    schema: WorkloadSchema,
    tenantScoped: true,
    indexes: [['tenantId', 'kind']],
    unique: [['clusterId', 'namespace', 'kind', 'name']],
  },
  pods: {
    name: 'pods',
    schema: PodSchema,
    tenantScoped: true,
    indexes: [
      ['clusterId', 'nodeName'],
      ['clusterId', 'namespace', 'owner.name'],
      ['tenantId', 'phase'],
    ],
    unique: [['clusterId', 'namespace', 'name']],
  },
  network_policies: {
    name: 'network_policies',
    schema: NetworkPolicySchema,
    tenantScoped: true,
    indexes: [['clusterId'], ['tenantId', 'namespace']],
    unique: [['clusterId', 'namespace', 'name']],
  },
  role_bindings: {
    name: 'role_bindings',
    schema: RoleBindingSchema,
    tenantScoped: true,
    // The risky-bindings view, fleet-wide or per tenant.
    indexes: [['clusterId', 'kind'], ['tenantId', 'risky'], ['risky']],
    // Not (clusterId, kind, namespace, name): cluster bindings have no namespace, and a unique
    // field must be on every document. The id (cluster + uid) is the identity.
    unique: [],
  },
  kube_events: {
    name: 'kube_events',
    schema: KubeEventSchema,
    tenantScoped: true,
    indexes: [
      ['clusterId', 'lastTimestamp'],
      ['tenantId', 'reason'],
      ['clusterId', 'involvedObject.uid'],
      // The security pipeline reads what changed since its cursor.
      ['updatedAt'],
    ],
    // Event names are unique per namespace (the API server's key).
    unique: [['clusterId', 'namespace', 'name']],
  },
  tenants: {
    name: 'tenants',
    schema: TenantSchema,
    // A tenant document is the tenant itself (its id is the tenantId): the API scopes it by id.
    tenantScoped: false,
    indexes: [['parentId']],
    unique: [['code']],
  },
  security_events: {
    name: 'security_events',
    schema: SecurityEventSchema,
    tenantScoped: true,
    // createdAt: detection replays what was stored after its checkpoint.
    // Each index costs every insert: only those the API and replay use.
    indexes: [['tenantId', 'time'], ['k8s.clusterId', 'time'], ['time'], ['createdAt']],
    // No unique index on (source, sourceEventId): the id is derived from them (ingest-pipeline.ts
    // securityEventId), so a re-delivered event lands on the same id, at one index less per insert.
    unique: [],
  },
  alerts: {
    name: 'alerts',
    schema: AlertSchema,
    tenantScoped: true,
    indexes: [
      ['tenantId', 'status', 'lastSeenAt'],
      ['status', 'lastSeenAt'],
      ['tenantId', 'severity', 'firstSeenAt'],
      ['ruleId', 'lastSeenAt'],
      ['k8s.clusterId', 'lastSeenAt'],
      ['incidentId'],
    ],
    unique: [['fingerprint']],
  },
  detection_rules: {
    name: 'detection_rules',
    schema: DetectionRuleSchema,
    // Rules are platform-wide: the SOC (security admin) manages one rule set for every tenant.
    tenantScoped: false,
    indexes: [['kind'], ['enabled', 'level']],
    unique: [],
  },
  incidents: {
    name: 'incidents',
    schema: IncidentSchema,
    tenantScoped: true,
    // MTTx dashboards scan a detectedAt range, per tenant or platform-wide, grouped by tenant or
    // severity: the first and last index hold every field of those queries, so on SQLite they
    // answer them without reading the (large, timeline-carrying) documents.
    indexes: [
      ['tenantId', 'detectedAt', 'severity', 'occurredAt', 'acknowledgedAt', 'containedAt', 'resolvedAt'],
      ['tenantId', 'status', 'detectedAt'],
      ['status', 'detectedAt'],
      ['detectedAt', 'tenantId', 'severity', 'occurredAt', 'acknowledgedAt', 'containedAt', 'resolvedAt'],
    ],
    unique: [],
  },
  playbooks: {
    name: 'playbooks',
    schema: PlaybookSchema,
    tenantScoped: true,
    indexes: [['enabled'], ['tenantId', 'enabled']],
    unique: [],
  },
  playbook_runs: {
    name: 'playbook_runs',
    schema: PlaybookRunSchema,
    tenantScoped: true,
    indexes: [
      // Resumption after a crash: unfinished runs, oldest write first.
      ['status', 'updatedAt'],
      ['playbookId', 'createdAt'],
      ['tenantId', 'createdAt'],
      ['trigger.incidentId'],
      ['trigger.alertId'],
    ],
    unique: [],
  },
  compliance_results: {
    name: 'compliance_results',
    schema: ComplianceResultSchema,
    tenantScoped: true,
    indexes: [
      ['framework', 'controlId', 'status'],
      ['tenantId', 'framework', 'status'],
    ],
    // One current result per control and scope; each check overwrites it.
    unique: [['scope.type', 'scope.id', 'framework', 'controlId']],
  },
  audit_entries: {
    name: 'audit_entries',
    schema: AuditEntrySchema,
    tenantScoped: true,
    indexes: [['at'], ['tenantId', 'at'], ['actor.id', 'at'], ['action', 'at'], ['target.type', 'target.id']],
    unique: [['seq']],
  },
  users: {
    name: 'users',
    schema: UserSchema,
    tenantScoped: true,
    // OIDC login looks users up by issuer + subject; not unique, as local users have neither.
    indexes: [['tenantId'], ['oidc.issuer', 'oidc.subject']],
    unique: [['username']],
  },
  roles: {
    name: 'roles',
    schema: RoleSchema,
    tenantScoped: false,
    indexes: [],
    unique: [['name']],
  },
  sessions: {
    name: 'sessions',
    schema: SessionSchema,
    // Looked up by token digest (the id) inside the identity service only.
    tenantScoped: false,
    // Revoking a user's sessions; purging expired ones.
    indexes: [['userId'], ['expiresAt']],
    unique: [],
  },
  api_tokens: {
    name: 'api_tokens',
    schema: ApiTokenSchema,
    tenantScoped: false,
    indexes: [['ownerUserId']],
    unique: [['prefix']],
  },
  usage: {
    name: 'usage',
    schema: UsageSchema,
    tenantScoped: true,
    indexes: [
      ['clusterId', 'kind'],
      ['tenantId', 'kind'],
    ],
    unique: [],
  },
});

export type Collections = typeof collections;
export type CollectionName = keyof Collections;
/** The stored document type of a collection, e.g. `EntityOf<'alerts'>` is `Alert`. */
export type EntityOf<N extends CollectionName> = z.infer<Collections[N]['schema']>;

/** The registry as the store port takes it (`openStore(config, collectionSpecs)`). */
export const collectionSpecs: readonly CollectionDescriptor[] = Object.values(collections);
