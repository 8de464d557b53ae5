import { readFileSync } from 'node:fs';
import {
  ClusterCreateSchema,
  CloudCreateSchema,
  NodeSchema,
  PodSchema,
  collections,
} from '../../server/model/index.js';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { nodeFrom, podFrom } from '../../collectors/kubernetes/normalize/index.js';
import { examples, issuePaths } from './examples.js';

const fixture = <T>(path: string): T =>
  JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8'));
const storedNow = {
  version: 1,
  createdAt: '2026-11-23T05:00:00.000Z',
  updatedAt: '2026-11-23T05:00:00.000Z',
};

describe('Cloud', () => {
  test('a registration omits store-managed fields and rejects unknown ones', () => {
    const { id: _id, version: _v, createdAt: _c, updatedAt: _u, ...input } = examples.clouds();
    expect(CloudCreateSchema.parse(input)).toMatchObject({
      tier: 'provincial',
      networkZone: 'egov_extranet',
    });
    expect(issuePaths(CloudCreateSchema, { ...input, id: 'chosen-by-client' })).toEqual(['']);
  });

  test.each([
    ['tier', { tier: 'county' }],
    ['networkZone', { networkZone: '政务外网' }],
    ['drRole', { drRole: 'active' }],
    ['name', { name: '' }],
  ])('rejects a bad %s', (path, patch) => {
    expect(issuePaths(collections.clouds.schema, { ...examples.clouds(), ...patch })).toEqual([path]);
  });
});

describe('Cluster', () => {
  const input = () => {
    const { cloudId, name, apiServerUrl, credentialRef, prometheus } = examples.clusters();
    return { cloudId, name, apiServerUrl, credentialRef, prometheus };
  };

  test('a registration starts with status unknown once stored', () => {
    const created = ClusterCreateSchema.parse(input());
    const stored = collections.clusters.schema.parse({ ...created, id: 'c1', ...storedNow });
    expect(stored.status).toBe('unknown');
    expect(stored.labels).toEqual({});
  });

  test.each([
    ['an inline kubeconfig', 'apiVersion: v1\nkind: Config\nclusters: []'],
    ['a bearer token', 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJ5dW5zaHUifQ.c2ln'],
  ])('credentialRef refuses %s', (_what, credentialRef) => {
    expect(issuePaths(ClusterCreateSchema, { ...input(), credentialRef })).toEqual(['credentialRef']);
  });

  test('a client cannot set server-derived status', () => {
    expect(issuePaths(ClusterCreateSchema, { ...input(), status: 'connected' })).toEqual(['']);
  });

  test.each([
    ['apiServerUrl', { apiServerUrl: 'ftp://10.0.0.1' }],
    ['name', { name: 'GZ Prod 1' }],
    ['status', { status: 'down' }],
    ['prometheus.url', { prometheus: { url: 'not a url' } }],
    ['lastSeenAt', { lastSeenAt: '2026-11-23 05:00:00' }],
  ])('rejects a bad %s', (path, patch) => {
    expect(issuePaths(collections.clusters.schema, { ...examples.clusters(), ...patch })).toEqual([path]);
  });
});

describe('Node', () => {
  test('a Kunpeng / Kylin node with an Ascend NPU parses with defaults filled in', () => {
    const node = NodeSchema.parse(examples.nodes());
    expect(node.conditions).toEqual({
      ready: 'true',
      memoryPressure: false,
      diskPressure: false,
      pidPressure: false,
      networkUnavailable: false,
    });
    expect(node.unschedulable).toBe(false);
    expect(node.accelerators[0]).toMatchObject({ kind: 'npu', count: 8 });
  });

  test.each([
    ['arch', { arch: 'aarch64' }],
    ['cpu.vendor', { cpu: { vendor: 'Kunpeng' } }],
    ['osFamily', { osFamily: 'Kylin' }],
    ['capacity.cpuMillicores', { capacity: { cpuMillicores: 1.5 } }],
    ['capacity.memoryBytes', { capacity: { memoryBytes: -1 } }],
    ['taints.0.effect', { taints: [{ key: 'k', effect: 'NoWay' }] }],
    ['internalIp', { internalIp: '10.0.0.300' }],
    ['name', { name: 'Worker_07' }],
  ])('rejects a bad %s', (path, patch) => {
    expect(issuePaths(NodeSchema, { ...examples.nodes(), ...patch })).toEqual([path]);
  });

  test('derives from a real Node object (k9s minikube fixture)', () => {
    // The collector's own normalizer: the model must hold what it produces.
    const node = NodeSchema.parse({
      ...nodeFrom('minikube', fixture<V1Node>('k8s/node-minikube-amd64.json')),
      ...storedNow,
    });
    expect(node).toMatchObject({
      id: 'minikube/a33a26f0-7688-47b6-8dbf-5a04ea7f43d4',
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
      conditions: { ready: 'true', memoryPressure: false, diskPressure: false, pidPressure: false },
      taints: [],
      unschedulable: false,
    });
    expect(node.labels['kubernetes.io/arch']).toBe('amd64');
  });
});

describe('Namespace', () => {
  test('an unmapped namespace has no tenant', () => {
    const { tenantId: _t, ...unmapped } = examples.namespaces();
    expect(collections.namespaces.schema.parse(unmapped).tenantId).toBeUndefined();
  });

  test.each([
    ['name', { name: 'gzdsj.portal' }],
    ['phase', { phase: 'Deleted' }],
    ['tenantId', { tenantId: '' }],
  ])('rejects a bad %s', (path, patch) => {
    expect(issuePaths(collections.namespaces.schema, { ...examples.namespaces(), ...patch })).toEqual([path]);
  });
});

describe('Workload', () => {
  test('records the arch constraint next to what the images provide', () => {
    const workload = collections.workloads.schema.parse(examples.workloads());
    // The example is the case the console must find: arm64-only scheduling, amd64-only image.
    expect(workload.allowedArchs).toEqual(['arm64']);
    expect(workload.images[0]?.archs).toEqual(['amd64']);
  });

  test.each([
    ['kind', { kind: 'ReplicaSet' }],
    ['replicas.ready', { replicas: { desired: 3, ready: -1 } }],
    ['allowedArchs.0', { allowedArchs: ['x86_64'] }],
    ['images.0.image', { images: [{ image: '' }] }],
    ['namespace', { namespace: undefined }],
  ])('rejects a bad %s', (path, patch) => {
    expect(issuePaths(collections.workloads.schema, { ...examples.workloads(), ...patch })).toEqual([path]);
  });
});

describe('Pod', () => {
  test('keeps the CrashLoopBackOff / exec format error evidence', () => {
    const [container] = PodSchema.parse(examples.pods()).containers;
    expect(container).toMatchObject({ state: 'waiting', reason: 'CrashLoopBackOff', init: false });
    expect(container?.lastTermination?.message).toMatch(/exec format error$/);
  });

  test.each([
    ['phase', { phase: 'Crashed' }],
    ['containers', { containers: [] }],
    ['containers.0.restartCount', { containers: [{ ...examples.pods().containers[0], restartCount: -2 }] }],
    ['containers.0.state', { containers: [{ ...examples.pods().containers[0], state: 'CrashLoopBackOff' }] }],
    ['podIp', { podIp: 'pod-ip' }],
  ])('rejects a bad %s', (path, patch) => {
    expect(issuePaths(PodSchema, { ...examples.pods(), ...patch })).toEqual([path]);
  });

  test('derives from a real Pod object (k9s nginx fixture)', () => {
    const pod = PodSchema.parse({
      ...podFrom('minikube', fixture<V1Pod>('k8s/pod-nginx.json'), () => undefined),
      ...storedNow,
    });
    expect(pod).toMatchObject({
      name: 'nginx',
      namespace: 'default',
      phase: 'Running',
      nodeName: 'minikube',
      podIp: '172.17.0.6',
      startedAt: '2019-08-09T05:12:19.000Z',
      labels: {},
    });
    expect(pod.containers).toEqual([
      expect.objectContaining({
        name: 'nginx',
        image: 'nginx:alpine',
        state: 'running',
        ready: true,
        restartCount: 0,
        requests: { cpuMillicores: 100, memoryBytes: 70 * 2 ** 20 },
        limits: { memoryBytes: 170 * 2 ** 20 },
      }),
    ]);
  });
});
