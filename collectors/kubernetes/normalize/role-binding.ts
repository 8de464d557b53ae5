/** Kubernetes RoleBinding / ClusterRoleBinding → model RoleBinding, with the grant's risks. */
import type { RbacV1Subject, V1ClusterRoleBinding, V1RoleBinding } from '@kubernetes/client-node';
import {
  BindingRisk,
  BindingSubject,
  type RoleBinding,
  type RoleBindingKind,
} from '../../../server/model/index.js';
import type { NewDoc } from '../../../server/store/port.js';
import { objectFields, type TenantOf } from './common.js';

/** Groups every service account of the cluster (or of one namespace) belongs to. */
const isServiceAccountGroup = (s: BindingSubject) =>
  s.kind === 'Group' && (s.name === 'system:serviceaccounts' || s.name.startsWith('system:serviceaccounts:'));

/** Groups with every authenticated caller, or every service account of the cluster, in them. */
const WILDCARD_GROUPS = new Set(['system:authenticated', 'system:serviceaccounts']);

/**
 * Roles Kubernetes itself binds to system:authenticated / system:unauthenticated (discovery,
 * version, self-review): granting them to everyone is the default, not a finding.
 */
const PUBLIC_DEFAULT_ROLES = new Set(['system:basic-user', 'system:discovery', 'system:public-info-viewer']);

/** The risks of granting `roleRef` to `subjects`, in the order of the model's BindingRisk enum. */
export function bindingRisks(
  roleRef: RoleBinding['roleRef'],
  subjects: readonly BindingSubject[],
): BindingRisk[] {
  const risks = new Set<BindingRisk>();
  const clusterAdmin = roleRef.kind === 'ClusterRole' && roleRef.name === 'cluster-admin';
  const publicDefault = roleRef.kind === 'ClusterRole' && PUBLIC_DEFAULT_ROLES.has(roleRef.name);
  for (const s of subjects) {
    if (clusterAdmin && (s.kind === 'ServiceAccount' || isServiceAccountGroup(s)))
      risks.add('cluster-admin-to-service-account');
    if (publicDefault) continue;
    if (s.kind !== 'ServiceAccount' && s.name === 'system:anonymous') risks.add('binds-system-anonymous');
    if (s.kind === 'Group' && s.name === 'system:unauthenticated') risks.add('binds-system-unauthenticated');
    if (s.kind === 'Group' && WILDCARD_GROUPS.has(s.name)) risks.add('wildcard-group');
  }
  return BindingRisk.options.filter((risk) => risks.has(risk));
}

/** Subjects of the kinds RBAC defines; anything else cannot be granted a role. */
const subjectsOf = (subjects: RbacV1Subject[] | undefined): BindingSubject[] =>
  (subjects ?? []).flatMap((s) => {
    const subject = BindingSubject.safeParse({
      kind: s.kind,
      name: s.name,
      namespace: s.namespace || undefined,
    });
    return subject.success ? [subject.data] : [];
  });

export function roleBindingFrom(
  clusterId: string,
  kind: RoleBindingKind,
  obj: V1RoleBinding | V1ClusterRoleBinding,
  tenantOf: TenantOf,
): NewDoc<RoleBinding> {
  const namespace = kind === 'RoleBinding' ? obj.metadata?.namespace : undefined;
  const roleRef = {
    kind: obj.roleRef.kind === 'Role' ? ('Role' as const) : ('ClusterRole' as const),
    name: obj.roleRef.name,
  };
  const subjects = subjectsOf(obj.subjects);
  const risk = bindingRisks(roleRef, subjects);
  return {
    ...objectFields(clusterId, obj.metadata),
    kind,
    namespace,
    // A cluster binding belongs to no namespace, hence to no tenant: it is platform-owned.
    tenantId: namespace ? tenantOf(clusterId, namespace) : undefined,
    roleRef,
    subjects,
    risk,
    risky: risk.length > 0,
  };
}
