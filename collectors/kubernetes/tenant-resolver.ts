/**
 * Which tenant (委办局) owns a namespace of a cluster: an explicit assignment in the tenant, else its
 * namespace selector over the namespace's labels. Tenants are re-read periodically; namespace labels
 * are remembered as namespaces are collected, so pods and workloads resolve without extra lookups.
 */
import type { Tenant } from '../../server/model/tenant.js';
import { findAll } from '../../server/store/find-all.js';
import type { Store } from '../../server/store/port.js';

type Labels = Readonly<Record<string, string>>;
type Requirement = NonNullable<Tenant['namespaceSelector']>['matchExpressions'][number];

function requirementHolds(labels: Labels, req: Requirement): boolean {
  const has = Object.hasOwn(labels, req.key);
  switch (req.operator) {
    case 'In':
      return has && req.values.includes(labels[req.key]!);
    case 'NotIn':
      return !has || !req.values.includes(labels[req.key]!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

export function selects(tenant: Tenant, clusterId: string, labels: Labels): boolean {
  const selector = tenant.namespaceSelector;
  if (!selector) return false;
  if (selector.clusterIds && !selector.clusterIds.includes(clusterId)) return false;
  return (
    Object.entries(selector.matchLabels).every(([key, value]) => labels[key] === value) &&
    selector.matchExpressions.every((req) => requirementHolds(labels, req))
  );
}

export class TenantResolver {
  private tenants: Tenant[] = [];
  private loadedAt = 0;
  private readonly namespaceLabels = new Map<string, Labels>();

  constructor(
    private readonly store: Store,
    private readonly refreshMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Re-reads the tenants if the copy is older than refreshMs. */
  async refresh(force = false): Promise<void> {
    if (!force && this.now() - this.loadedAt < this.refreshMs) return;
    const tenants = await findAll(this.store.collection<Tenant>('tenants'));
    this.tenants = tenants;
    this.loadedAt = this.now();
  }

  rememberNamespace(clusterId: string, namespace: string, labels: Labels): void {
    this.namespaceLabels.set(`${clusterId}/${namespace}`, labels);
  }

  tenantOf = (clusterId: string, namespace: string, labels?: Labels): string | undefined => {
    const known = labels ?? this.namespaceLabels.get(`${clusterId}/${namespace}`) ?? {};
    const explicit = this.tenants.find((t) =>
      t.namespaces.some((n) => n.clusterId === clusterId && n.namespace === namespace),
    );
    return (explicit ?? this.tenants.find((t) => selects(t, clusterId, known)))?.id;
  };
}
