import type { V1CronJob, V1DaemonSet, V1Deployment, V1Job, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import {
  namespaceFrom,
  nodeFrom,
  podFrom,
  workloadFrom,
  allowedArchsOf,
  type TenantOf,
} from '../../../collectors/kubernetes/normalize/index.js';
import { NamespaceSchema, NodeSchema, PodSchema, WorkloadSchema } from '../../../server/model/index.js';
import {
  STORED,
  hygonNode,
  kunpengNode,
  loongsonNode,
  phytiumNode,
  realNamespace,
  realNode,
  realPod,
  sunwayNode,
} from './fixtures.js';

const CLUSTER = 'cluster-gz-prod-1';
const tenants: TenantOf = (_cluster, namespace) =>
  namespace.startsWith('gzdsj-') ? 'tenant-gzdsj' : undefined;
/** Nothing collected may carry these: they are bulky, churn on every write, or hold specs. */
const NEVER_STORED = [
  'managedFields',
  'f:status',
  'annotations',
  'last-applied-configuration',
  'resourceVersion',
];
const expectLean = (doc: object) => {
  const json = JSON.stringify(doc);
  for (const term of NEVER_STORED) expect(json).not.toContain(term);
};

describe('nodeFrom', () => {
  test('a real Node (k9s minikube fixture) parses with the model schema', () => {
    const doc = nodeFrom(CLUSTER, realNode());
    const node = NodeSchema.parse({ ...doc, ...STORED });
    expect(node).toMatchObject({
      id: `${CLUSTER}/a33a26f0-7688-47b6-8dbf-5a04ea7f43d4`,
      clusterId: CLUSTER,
      name: 'minikube',
      k8sCreatedAt: '2019-12-31T20:49:21.000Z',
      arch: 'amd64',
      reportedArch: 'amd64',
      cpu: { vendor: 'unknown' },
      osFamily: 'other',
      osImage: 'Buildroot 2019.02.7',
      kernelVersion: '4.19.81',
      containerRuntimeVersion: 'docker://19.3.5',
      kubeletVersion: 'v1.17.0',
      internalIp: '192.168.64.6',
      capacity: {
        cpuMillicores: 4000,
        memoryBytes: 8_163_684 * 1024,
        pods: 110,
        ephemeralStorageBytes: 16_954_240 * 1024,
      },
      accelerators: [],
      conditions: {
        ready: 'true',
        memoryPressure: false,
        diskPressure: false,
        pidPressure: false,
        networkUnavailable: false,
      },
      taints: [],
      unschedulable: false,
    });
    expectLean(doc);
  });

  test.each([
    [
      'Kunpeng / Kylin / Ascend',
      kunpengNode,
      {
        arch: 'arm64',
        cpu: { vendor: 'kunpeng', family: 'Kunpeng 920', model: 'Kunpeng-920' },
        osFamily: 'kylin',
        accelerators: [{ resourceName: 'huawei.com/Ascend910', kind: 'npu', model: 'Ascend 910', count: 8 }],
      },
    ],
    [
      'Phytium / UOS',
      phytiumNode,
      {
        arch: 'arm64',
        cpu: { vendor: 'phytium', family: 'S2500', model: 'Phytium,S2500/64 C00' },
        osFamily: 'uos',
      },
    ],
    [
      'Hygon / openEuler / DCU',
      hygonNode,
      {
        arch: 'amd64',
        cpu: { vendor: 'hygon', family: 'Hygon C86', model: 'Hygon C86 7285 32-core Processor' },
        osFamily: 'openeuler',
        accelerators: [{ resourceName: 'hygon.com/dcu', kind: 'dcu', model: 'Hygon DCU', count: 4 }],
      },
    ],
    ['Loongson / Kylin', loongsonNode, { arch: 'loong64', cpu: { vendor: 'loongson', family: 'LoongArch' } }],
    [
      'Sunway (sw_64)',
      sunwayNode,
      { arch: 'sw64', reportedArch: 'sw_64', cpu: { vendor: 'sunway', family: 'SW64' } },
    ],
  ])('a %s node parses with the model schema', (_what, make, expected) => {
    const doc = nodeFrom(CLUSTER, make());
    expect(NodeSchema.parse({ ...doc, ...STORED })).toMatchObject(expected);
    expectLean(doc);
  });

  test('ids are deterministic, so re-collection upserts the same document', () => {
    expect(nodeFrom(CLUSTER, kunpengNode())).toEqual(nodeFrom(CLUSTER, kunpengNode()));
    expect(nodeFrom(CLUSTER, kunpengNode()).id).toBe(`${CLUSTER}/3f0c9b7e-6d1a-4c55-9a51-0b1f2b6b8e11`);
    expect(nodeFrom('other-cluster', kunpengNode()).id).not.toBe(nodeFrom(CLUSTER, kunpengNode()).id);
  });

  test('keeps taints and cordoning; an unknown Ready condition stays unknown', () => {
    const node = kunpengNode();
    node.spec = {
      unschedulable: true,
      taints: [{ key: 'huawei.com/npu', value: 'true', effect: 'NoSchedule' }],
    };
    node.status!.conditions = node.status!.conditions!.map((c) =>
      c.type === 'Ready' ? { ...c, status: 'Unknown' } : c,
    );
    const parsed = NodeSchema.parse({ ...nodeFrom(CLUSTER, node), ...STORED });
    expect(parsed.taints).toEqual([{ key: 'huawei.com/npu', value: 'true', effect: 'NoSchedule' }]);
    expect(parsed.unschedulable).toBe(true);
    expect(parsed.conditions.ready).toBe('unknown');
  });

  test('rejects an object without uid rather than inventing an id', () => {
    const node = realNode();
    delete node.metadata!.uid;
    expect(() => nodeFrom(CLUSTER, node)).toThrow(/metadata\.uid/);
  });
});

/** The k9s nginx pod, re-cast as a crash-looping replica of an amd64-only Deployment on arm64. */
function execFormatPod(): V1Pod {
  const pod = realPod();
  pod.metadata = {
    ...pod.metadata,
    name: 'portal-api-5d8c7b9f4-x2k9q',
    namespace: 'gzdsj-portal',
    uid: '9a8b7c6d-3333-4e5f-8a9b-0c1d2e3f4a5b',
    labels: { app: 'portal-api', 'pod-template-hash': '5d8c7b9f4' },
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'portal-api-5d8c7b9f4',
        uid: 'rs-uid',
        controller: true,
      },
    ],
    managedFields: [
      { manager: 'kube-controller-manager', operation: 'Update', fieldsV1: { 'f:status': {} } },
    ],
  };
  pod.spec!.nodeName = 'kp-worker-07';
  pod.spec!.initContainers = [{ name: 'migrate', image: 'harbor.gz.gov.example/portal/migrate:2.4.1' }];
  pod.spec!.containers[0]!.image = 'harbor.gz.gov.example/portal/api:2.4.1';
  pod.status!.phase = 'Running';
  pod.status!.initContainerStatuses = [
    {
      name: 'migrate',
      image: 'harbor.gz.gov.example/portal/migrate:2.4.1',
      imageID: '',
      ready: true,
      restartCount: 0,
      state: { terminated: { exitCode: 0, reason: 'Completed' } },
    },
  ];
  pod.status!.containerStatuses = [
    {
      name: 'nginx',
      image: 'harbor.gz.gov.example/portal/api:2.4.1',
      imageID: 'harbor.gz.gov.example/portal/api@sha256:0123',
      ready: false,
      restartCount: 12,
      state: {
        waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' },
      },
      lastState: {
        terminated: {
          exitCode: 128,
          reason: 'StartError',
          message: 'failed to create containerd task: exec /app/server: exec format error',
          // The client library hands out Dates; fixtures carry strings. Both must work.
          finishedAt: new Date('2026-11-23T04:55:00Z'),
        },
      },
    },
  ];
  return pod;
}

describe('podFrom', () => {
  test('a real Pod (k9s nginx fixture) parses with the model schema', () => {
    const doc = podFrom('minikube', realPod(), tenants);
    const pod = PodSchema.parse({ ...doc, ...STORED });
    expect(pod).toMatchObject({
      id: 'minikube/614908ed-415b-4506-8370-e3e36fa8cc13',
      name: 'nginx',
      namespace: 'default',
      phase: 'Running',
      nodeName: 'minikube',
      podIp: '172.17.0.6',
      qosClass: 'BestEffort',
      startedAt: '2019-08-09T05:12:19.000Z',
    });
    expect(pod.tenantId).toBeUndefined();
    expect(pod.owner).toBeUndefined();
    expect(pod.containers).toEqual([
      expect.objectContaining({
        name: 'nginx',
        image: 'nginx:alpine',
        imageId:
          'docker-pullable://nginx@sha256:482ead44b2203fa32b3390abdaf97cbdc8ad15c07fb03a3e68d7c35a19ad7595',
        state: 'running',
        ready: true,
        init: false,
        requests: { cpuMillicores: 100, memoryBytes: 70 * 2 ** 20 },
        limits: { memoryBytes: 170 * 2 ** 20 },
      }),
    ]);
    expectLean(doc);
  });

  test('keeps the exec format error evidence, init containers and the owning Deployment', () => {
    const doc = podFrom(CLUSTER, execFormatPod(), tenants);
    const pod = PodSchema.parse({ ...doc, ...STORED });
    expect(pod.tenantId).toBe('tenant-gzdsj');
    expect(pod.owner).toEqual({ kind: 'Deployment', name: 'portal-api' });
    expect(pod.containers.map((c) => [c.name, c.init, c.state])).toEqual([
      ['migrate', true, 'terminated'],
      ['nginx', false, 'waiting'],
    ]);
    expect(pod.containers[1]).toMatchObject({
      reason: 'CrashLoopBackOff',
      restartCount: 12,
      lastTermination: {
        reason: 'StartError',
        exitCode: 128,
        message: expect.stringMatching(/exec format error$/),
        finishedAt: '2026-11-23T04:55:00.000Z',
      },
    });
    expectLean(doc);
  });

  test('resolves owners through collected ReplicaSets and Jobs when it can', () => {
    const pod = execFormatPod();
    const viaLookup = podFrom(CLUSTER, pod, tenants, (ns, owner) =>
      ns === 'gzdsj-portal' && owner.name === 'portal-api-5d8c7b9f4'
        ? { kind: 'Deployment', name: 'portal' }
        : undefined,
    );
    expect(viaLookup.owner).toEqual({ kind: 'Deployment', name: 'portal' });
    // A collected ReplicaSet without a controller owns its pods itself.
    expect(podFrom(CLUSTER, pod, tenants, () => null).owner).toEqual({
      kind: 'ReplicaSet',
      name: 'portal-api-5d8c7b9f4',
    });
    // A hand-made ReplicaSet whose name does not end in the pod-template-hash is not guessed at.
    pod.metadata!.labels!['pod-template-hash'] = 'abcdef123';
    expect(podFrom(CLUSTER, pod, tenants).owner).toEqual({
      kind: 'ReplicaSet',
      name: 'portal-api-5d8c7b9f4',
    });
  });

  test('an unknown phase or QoS class does not fail the pod', () => {
    const pod = realPod();
    pod.status!.phase = 'Evicted';
    pod.status!.qosClass = 'Premium';
    const parsed = PodSchema.parse({ ...podFrom(CLUSTER, pod, tenants), ...STORED });
    expect(parsed.phase).toBe('Unknown');
    expect(parsed.qosClass).toBeUndefined();
  });
});

const podSpec = (extra: Partial<V1PodSpec> = {}): V1PodSpec => ({
  initContainers: [{ name: 'init', image: 'harbor.gz.gov.example/portal/api:2.4.1' }],
  containers: [
    { name: 'api', image: 'harbor.gz.gov.example/portal/api:2.4.1' },
    { name: 'sidecar', image: 'harbor.gz.gov.example/base/envoy:1.28' },
  ],
  ...extra,
});

const meta = (name: string, extra: object = {}) => ({
  name,
  namespace: 'gzdsj-portal',
  uid: `uid-${name}`,
  creationTimestamp: new Date('2026-11-01T00:00:00Z'),
  labels: { app: name },
  annotations: { 'deployment.kubernetes.io/revision': '3' },
  managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:spec': {} } }],
  ...extra,
});

describe('workloadFrom', () => {
  test('a Deployment keeps images, node selector and the arch constraint, nothing of the spec', () => {
    const deployment: V1Deployment = {
      metadata: meta('portal-api'),
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'portal-api' } },
        template: { spec: podSpec({ nodeSelector: { 'kubernetes.io/arch': 'arm64', 'node-role/app': '' } }) },
      },
      status: { readyReplicas: 1 },
    };
    const doc = workloadFrom(CLUSTER, 'Deployment', deployment, tenants);
    const workload = WorkloadSchema.parse({ ...doc, ...STORED });
    expect(workload).toMatchObject({
      id: `${CLUSTER}/uid-portal-api`,
      kind: 'Deployment',
      namespace: 'gzdsj-portal',
      tenantId: 'tenant-gzdsj',
      replicas: { desired: 3, ready: 1 },
      images: [
        { image: 'harbor.gz.gov.example/portal/api:2.4.1' },
        { image: 'harbor.gz.gov.example/base/envoy:1.28' },
      ],
      nodeSelector: { 'kubernetes.io/arch': 'arm64', 'node-role/app': '' },
      allowedArchs: ['arm64'],
      k8sCreatedAt: '2026-11-01T00:00:00.000Z',
    });
    expect(workload.images[0]?.archs).toBeUndefined();
    expectLean(doc);
    expect(JSON.stringify(doc)).not.toContain('selector":{"matchLabels');
  });

  test('DaemonSet, Job (owned by a CronJob) and CronJob take their counts and templates from the right places', () => {
    const ds: V1DaemonSet = {
      metadata: meta('node-agent'),
      spec: { selector: {}, template: { spec: podSpec() } },
      status: {
        desiredNumberScheduled: 12,
        numberReady: 11,
        currentNumberScheduled: 12,
        numberMisscheduled: 0,
      },
    };
    const job: V1Job = {
      metadata: meta('backup-29012345', {
        ownerReferences: [
          { apiVersion: 'batch/v1', kind: 'CronJob', name: 'backup', uid: 'cj', controller: true },
        ],
      }),
      spec: { parallelism: 2, template: { spec: podSpec() } },
      status: { ready: 1 },
    };
    const cron: V1CronJob = {
      metadata: meta('backup'),
      spec: { schedule: '0 2 * * *', jobTemplate: { spec: { template: { spec: podSpec() } } } },
      status: { active: [{ kind: 'Job', name: 'backup-29012345' }] },
    };
    const parse = (doc: object) => WorkloadSchema.parse({ ...doc, ...STORED });
    expect(parse(workloadFrom(CLUSTER, 'DaemonSet', ds, tenants)).replicas).toEqual({
      desired: 12,
      ready: 11,
    });
    expect(parse(workloadFrom(CLUSTER, 'Job', job, tenants))).toMatchObject({
      replicas: { desired: 2, ready: 1 },
      owner: { kind: 'CronJob', name: 'backup' },
    });
    expect(parse(workloadFrom(CLUSTER, 'CronJob', cron, tenants))).toMatchObject({
      replicas: { desired: 1, ready: 0 },
      images: [
        { image: 'harbor.gz.gov.example/portal/api:2.4.1' },
        { image: 'harbor.gz.gov.example/base/envoy:1.28' },
      ],
    });
  });
});

describe('allowedArchsOf', () => {
  const affinity = (...terms: { key: string; operator: string; values?: string[] }[][]): V1PodSpec => ({
    containers: [],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: terms.map((matchExpressions) => ({ matchExpressions })),
        },
      },
    },
  });
  const arch = (operator: string, ...values: string[]) => ({ key: 'kubernetes.io/arch', operator, values });

  test.each([
    ['no constraint', { containers: [] }, []],
    [
      'node selector (uname spelling)',
      { containers: [], nodeSelector: { 'kubernetes.io/arch': 'aarch64' } },
      ['arm64'],
    ],
    ['affinity In', affinity([arch('In', 'amd64', 'arm64')]), ['amd64', 'arm64']],
    ['affinity NotIn', affinity([arch('NotIn', 'amd64')]), ['arm64', 'loong64', 'sw64']],
    ['terms are ORed', affinity([arch('In', 'arm64')], [arch('In', 'loong64')]), ['arm64', 'loong64']],
    ['expressions are ANDed', affinity([arch('In', 'amd64', 'arm64'), arch('NotIn', 'amd64')]), ['arm64']],
    [
      'a term without arch lets everything through',
      affinity([arch('In', 'arm64')], [{ key: 'zone', operator: 'In', values: ['a'] }]),
      [],
    ],
    ['Exists is no constraint', affinity([{ key: 'kubernetes.io/arch', operator: 'Exists' }]), []],
    [
      'selector and affinity intersect',
      { ...affinity([arch('In', 'amd64', 'arm64')]), nodeSelector: { 'kubernetes.io/arch': 'amd64' } },
      ['amd64'],
    ],
  ])('%s', (_what, spec, expected) => {
    expect(allowedArchsOf(spec as V1PodSpec)).toEqual(expected);
  });
});

describe('namespaceFrom', () => {
  test('a real Namespace (k9s fixture) parses; the tenant resolver sees its labels', () => {
    const seen: unknown[] = [];
    const ns = realNamespace();
    ns.metadata!.labels = { 'gov.cn/tenant': 'gzdsj' };
    const doc = namespaceFrom(CLUSTER, ns, (cluster, name, labels) => {
      seen.push([cluster, name, labels]);
      return labels?.['gov.cn/tenant'] ? `tenant-${labels['gov.cn/tenant']}` : undefined;
    });
    expect(NamespaceSchema.parse({ ...doc, ...STORED })).toMatchObject({
      id: `${CLUSTER}/ed757b6f-2991-11e9-81cd-42010a80005b`,
      name: 'kube-system',
      tenantId: 'tenant-gzdsj',
      phase: 'Active',
      k8sCreatedAt: '2019-02-05T22:03:54.000Z',
    });
    expect(seen).toEqual([[CLUSTER, 'kube-system', { 'gov.cn/tenant': 'gzdsj' }]]);
    expectLean(doc);
  });
});
