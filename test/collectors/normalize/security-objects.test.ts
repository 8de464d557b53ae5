/** NetworkPolicies, RBAC bindings and Warning events: real k9s objects through the normalizers. */
import {
  bindingRisks,
  kubeEventFrom,
  networkPolicyFrom,
  roleBindingFrom,
  type TenantOf,
} from '../../../collectors/kubernetes/normalize/index.js';
import {
  KubeEventSchema,
  NetworkPolicySchema,
  RoleBindingSchema,
  type BindingSubject,
} from '../../../server/model/index.js';
import { STORED, realClusterRoleBinding, realEvent, realNetworkPolicy, realRoleBinding } from './fixtures.js';

const CLUSTER = 'cluster-gz-prod-1';
const tenants: TenantOf = (_cluster, namespace) => (namespace === 'default' ? 'tenant-gzdsj' : undefined);
const expectLean = (doc: object) => {
  const json = JSON.stringify(doc);
  for (const term of ['managedFields', 'annotations', 'last-applied-configuration', 'resourceVersion'])
    expect(json).not.toContain(term);
};

describe('networkPolicyFrom', () => {
  test('a real NetworkPolicy keeps its selector, policy types and both directions of rules', () => {
    const doc = networkPolicyFrom(CLUSTER, realNetworkPolicy(), tenants);
    expect(NetworkPolicySchema.parse({ ...doc, ...STORED })).toMatchObject({
      id: `${CLUSTER}/e4aada4d-c8fd-11e9-990f-42010a800218`,
      name: 'fred',
      namespace: 'default',
      tenantId: 'tenant-gzdsj',
      k8sCreatedAt: '2019-08-27T19:07:20.000Z',
      podSelector: { app: 'nginx' },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          peers: [
            {
              ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24', '172.17.3.0/24', '172.17.4.0/24'] },
            },
            { namespaceSelector: { app: 'blee' } },
            { podSelector: { app: 'fred' } },
          ],
          ports: [{ protocol: 'TCP', port: 6379 }],
        },
      ],
      egress: [
        {
          peers: [{ ipBlock: { cidr: '10.0.0.0/24', except: [] } }],
          ports: [{ protocol: 'TCP', port: 5978 }],
        },
      ],
    });
    expectLean(doc);
  });

  test('a default-deny policy selects every pod and has no rules', () => {
    const policy = realNetworkPolicy();
    policy.spec = { podSelector: {}, policyTypes: ['Ingress'] };
    const doc = NetworkPolicySchema.parse({ ...networkPolicyFrom(CLUSTER, policy, tenants), ...STORED });
    expect(doc).toMatchObject({ podSelector: {}, policyTypes: ['Ingress'], ingress: [], egress: [] });
  });
});

describe('bindingRisks', () => {
  const clusterRole = (name: string) => ({ kind: 'ClusterRole' as const, name });
  const sa: BindingSubject = { kind: 'ServiceAccount', name: 'default', namespace: 'gzdsj-data' };
  const group = (name: string): BindingSubject => ({ kind: 'Group', name });

  test.each<
    [string, ReturnType<typeof clusterRole> | { kind: 'Role'; name: string }, BindingSubject[], string[]]
  >([
    [
      'cluster-admin to a ServiceAccount',
      clusterRole('cluster-admin'),
      [sa],
      ['cluster-admin-to-service-account'],
    ],
    [
      'cluster-admin to every ServiceAccount of a namespace',
      clusterRole('cluster-admin'),
      [group('system:serviceaccounts:gzdsj-data')],
      ['cluster-admin-to-service-account'],
    ],
    [
      'cluster-admin to system:masters (the default)',
      clusterRole('cluster-admin'),
      [group('system:masters')],
      [],
    ],
    ['edit to a ServiceAccount', clusterRole('edit'), [sa], []],
    [
      'a Role to system:anonymous',
      { kind: 'Role', name: 'reader' },
      [{ kind: 'User', name: 'system:anonymous' }],
      ['binds-system-anonymous'],
    ],
    [
      'view to system:unauthenticated',
      clusterRole('view'),
      [group('system:unauthenticated')],
      ['binds-system-unauthenticated'],
    ],
    [
      'view to system:authenticated',
      clusterRole('view'),
      [group('system:authenticated')],
      ['wildcard-group'],
    ],
    [
      'cluster-admin to every ServiceAccount of the cluster, and anonymous',
      clusterRole('cluster-admin'),
      [{ kind: 'User', name: 'system:anonymous' }, group('system:serviceaccounts')],
      ['cluster-admin-to-service-account', 'binds-system-anonymous', 'wildcard-group'],
    ],
    [
      'the built-in discovery roles to everyone',
      clusterRole('system:public-info-viewer'),
      [group('system:authenticated'), group('system:unauthenticated')],
      [],
    ],
  ])('%s', (_what, roleRef, subjects, risks) => {
    expect(bindingRisks(roleRef, subjects)).toEqual(risks);
  });
});

describe('roleBindingFrom', () => {
  test('a real RoleBinding belongs to the tenant of its namespace and carries no risk', () => {
    const doc = roleBindingFrom(CLUSTER, 'RoleBinding', realRoleBinding(), tenants);
    expect(RoleBindingSchema.parse({ ...doc, ...STORED })).toMatchObject({
      id: `${CLUSTER}/69ed0b23-50df-11e9-83c8-42010a800018`,
      kind: 'RoleBinding',
      name: 'blee',
      namespace: 'default',
      tenantId: 'tenant-gzdsj',
      roleRef: { kind: 'Role', name: 'blee' },
      subjects: [{ kind: 'ServiceAccount', name: 'fernand', namespace: 'default' }],
      risk: [],
      risky: false,
    });
    expectLean(doc);
  });

  test('a real ClusterRoleBinding has no namespace and no tenant; cluster-admin to a SA is flagged', () => {
    const crb = realClusterRoleBinding();
    const doc = RoleBindingSchema.parse({
      ...roleBindingFrom(CLUSTER, 'ClusterRoleBinding', crb, tenants),
      ...STORED,
    });
    expect(doc).toMatchObject({
      kind: 'ClusterRoleBinding',
      name: 'blee',
      subjects: [{ kind: 'User', name: 'fernand' }],
    });
    expect(doc.namespace).toBeUndefined();
    expect(doc.tenantId).toBeUndefined();
    expect(doc.risky).toBe(false);

    crb.metadata!.name = 'kubeadm:ci-deployer';
    crb.roleRef = { ...crb.roleRef, name: 'cluster-admin' };
    crb.subjects = [{ kind: 'ServiceAccount', name: 'default', namespace: 'default' }];
    const risky = RoleBindingSchema.parse({
      ...roleBindingFrom(CLUSTER, 'ClusterRoleBinding', crb, tenants),
      ...STORED,
    });
    expect(risky).toMatchObject({
      name: 'kubeadm:ci-deployer',
      risk: ['cluster-admin-to-service-account'],
      risky: true,
    });
  });
});

describe('kubeEventFrom', () => {
  test('a real Normal event is not kept', () => {
    expect(kubeEventFrom(CLUSTER, realEvent(), tenants)).toBeUndefined();
  });

  test('a real event as a Warning keeps what triage needs, with ISO times and a clipped message', () => {
    const event = { ...realEvent(), type: 'Warning', reason: 'BackOff', message: 'x'.repeat(5000) };
    const doc = KubeEventSchema.parse({ ...kubeEventFrom(CLUSTER, event, tenants), ...STORED });
    expect(doc).toMatchObject({
      id: `${CLUSTER}/c443d4b3-cb66-11e9-990f-42010a800218`,
      name: 'hello-1567197780-mn4mv.15bfce150bd764dd',
      namespace: 'default',
      tenantId: 'tenant-gzdsj',
      involvedObject: {
        kind: 'Pod',
        name: 'hello-1567197780-mn4mv',
        namespace: 'default',
        uid: 'c31fdeb8-cb66-11e9-990f-42010a800218',
      },
      reason: 'BackOff',
      count: 1,
      firstTimestamp: '2019-08-30T20:43:05.000Z',
      lastTimestamp: '2019-08-30T20:43:05.000Z',
      sourceComponent: 'kubelet',
    });
    expect(doc.message).toHaveLength(2000);
    expectLean(doc);
  });
});
