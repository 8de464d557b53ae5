import {
  findArchMismatches,
  type ArchMismatchInput,
  type ImagePlatformResolver,
} from '../../../collectors/heterogeneity/index.js';
import type { Arch, ContainerStatus, Pod } from '../../../server/model/index.js';

type Input = ArchMismatchInput;
type WorkloadIn = Input['workloads'][number];
type PodIn = Input['pods'][number];

const node = (clusterId: string, name: string, arch: Arch, labels: Record<string, string> = {}) => ({
  clusterId,
  name,
  arch,
  labels: { 'kubernetes.io/arch': arch, ...labels },
});

/** Cluster gz: two amd64 (Hygon) nodes and two arm64 (Kunpeng) nodes; cluster gy: amd64 only. */
const NODES = [
  node('gz', 'hg-1', 'amd64'),
  node('gz', 'hg-2', 'amd64'),
  node('gz', 'kp-1', 'arm64', { pool: 'xinchuang' }),
  node('gz', 'kp-2', 'arm64', { pool: 'xinchuang' }),
  node('gy', 'x86-1', 'amd64'),
];

const workload = (name: string, images: string[], extra: Partial<WorkloadIn> = {}): WorkloadIn => ({
  id: `gz/uid-${name}`,
  clusterId: 'gz',
  namespace: 'portal',
  kind: 'Deployment',
  name,
  images: images.map((image) => ({ image })),
  nodeSelector: {},
  allowedArchs: [],
  replicas: { desired: 2, ready: 1 },
  ...extra,
});

const container = (image: string, extra: Partial<ContainerStatus> = {}): ContainerStatus => ({
  name: 'app',
  image,
  init: false,
  ready: true,
  restartCount: 0,
  state: 'running',
  requests: {},
  limits: {},
  ...extra,
});

const pod = (
  owner: WorkloadIn,
  name: string,
  nodeName: string,
  containers: ContainerStatus[],
  phase: Pod['phase'] = 'Running',
): PodIn => ({
  id: `${owner.clusterId}/uid-${name}`,
  clusterId: owner.clusterId,
  namespace: owner.namespace,
  name,
  phase,
  nodeName,
  owner: { kind: owner.kind, name: owner.name },
  containers,
});

const crashLoop = (image: string, lastMessage = 'Error: something failed') =>
  container(image, {
    ready: false,
    restartCount: 7,
    state: 'waiting',
    reason: 'CrashLoopBackOff',
    message: 'back-off 5m0s restarting failed container=app',
    lastTermination: { reason: 'Error', message: lastMessage, exitCode: 1 },
  });

const resolverOf = (
  platforms: Record<string, string[] | undefined>,
): ImagePlatformResolver & { calls: string[] } => {
  const calls: string[] = [];
  return {
    calls,
    platformsOf: async (image) => {
      calls.push(image);
      return platforms[image];
    },
  };
};

const API = 'harbor.gov.example/portal/api:2.4.1';

describe('findArchMismatches', () => {
  test('a clean multi-arch workload produces no finding', async () => {
    const w = workload('web', ['nginx:1.25']);
    const findings = await findArchMismatches({
      nodes: NODES,
      workloads: [w],
      pods: [
        pod(w, 'web-a', 'hg-1', [container('nginx:1.25')]),
        pod(w, 'web-b', 'kp-1', [container('nginx:1.25')]),
      ],
      resolver: resolverOf({ 'nginx:1.25': ['linux/amd64', 'linux/arm64/v8', 'unknown/unknown'] }),
    });
    expect(findings).toEqual([]);
  });

  test('exec format error: strong evidence on the node arch; no ready replica makes it critical', async () => {
    const w = workload('api', [API], { replicas: { desired: 1, ready: 0 } });
    const message = 'failed to create containerd task: exec /app/server: exec format error';
    const findings = await findArchMismatches({
      nodes: NODES,
      workloads: [w],
      pods: [pod(w, 'api-x', 'kp-1', [crashLoop(API, message)])],
    });
    expect(findings).toEqual([
      {
        workloadId: 'gz/uid-api',
        clusterId: 'gz',
        namespace: 'portal',
        kind: 'Deployment',
        name: 'api',
        images: [API],
        nodeArches: ['amd64', 'arm64'],
        evidence: [
          {
            kind: 'exec-format-error',
            podId: 'gz/uid-api-x',
            arch: 'arm64',
            detail: `container app (${API}) on node kp-1: ${message}`,
          },
        ],
        missingArches: ['arm64'],
        severity: 'critical',
      },
    ]);
  });

  test('crash-looping only on arm64 while running on amd64: medium evidence', async () => {
    const w = workload('api', [API]);
    const [finding] = await findArchMismatches({
      nodes: NODES,
      workloads: [w],
      pods: [
        pod(w, 'api-a', 'hg-1', [container(API)]),
        pod(w, 'api-b', 'kp-1', [crashLoop(API)]),
        pod(w, 'api-c', 'kp-2', [crashLoop(API)]),
      ],
    });
    expect(finding).toMatchObject({
      missingArches: ['arm64'],
      severity: 'medium',
      evidence: [
        {
          kind: 'crashloop-on-one-arch-only',
          podId: 'gz/uid-api-b',
          arch: 'arm64',
          detail:
            '2 pod(s) in CrashLoopBackOff on arm64 and none running there, while pods of the workload run on amd64',
        },
      ],
    });
  });

  test('crash-looping everywhere it runs is not blamed on the arch', async () => {
    const w = workload('api', [API], { allowedArchs: ['arm64'] });
    const findings = await findArchMismatches({
      nodes: NODES,
      workloads: [w],
      pods: [pod(w, 'api-b', 'kp-1', [crashLoop(API)]), pod(w, 'api-c', 'hg-1', [crashLoop(API)])],
    });
    expect(findings).toEqual([]);
  });

  test('crash-looping on arm64 while the same images run on amd64 in another cluster', async () => {
    const gz = workload('api', [API], { allowedArchs: ['arm64'] });
    const gy = workload('api', [API], { id: 'gy/uid-api', clusterId: 'gy' });
    const [finding] = await findArchMismatches({
      nodes: NODES,
      workloads: [gz, gy],
      pods: [pod(gz, 'api-b', 'kp-1', [crashLoop(API)]), pod(gy, 'api-z', 'x86-1', [container(API)])],
    });
    expect(finding?.workloadId).toBe('gz/uid-api');
    expect(finding?.evidence).toEqual([
      expect.objectContaining({
        kind: 'crashloop-on-one-arch-only',
        arch: 'arm64',
        detail: expect.stringContaining('the same images run on amd64 in gy/portal/api'),
      }),
    ]);
  });

  test('image index lacking a schedulable arch: strong, high when the workload targets that arch', async () => {
    const w = workload('api', [API, 'nginx:1.25'], {
      allowedArchs: ['arm64'],
      nodeSelector: { pool: 'xinchuang' },
    });
    const resolver = resolverOf({ [API]: ['linux/amd64'], 'nginx:1.25': ['linux/amd64', 'linux/arm64/v8'] });
    const [finding] = await findArchMismatches({ nodes: NODES, workloads: [w], pods: [], resolver });
    expect(finding).toMatchObject({
      nodeArches: ['arm64'],
      missingArches: ['arm64'],
      severity: 'high',
      evidence: [
        { kind: 'image-index-lacks-arch', arch: 'arm64', detail: `${API} provides amd64, not arm64` },
      ],
    });
  });

  test('an unconstrained workload whose image lacks an arch it may land on: medium', async () => {
    const w = workload('api', [API]);
    const [finding] = await findArchMismatches({
      nodes: NODES,
      workloads: [w],
      pods: [pod(w, 'api-a', 'hg-1', [container(API)])],
      resolver: resolverOf({ [API]: ['linux/amd64'] }),
    });
    expect(finding).toMatchObject({
      nodeArches: ['amd64', 'arm64'],
      missingArches: ['arm64'],
      severity: 'medium',
    });
  });

  test('stored image archs are used without asking the registry; unknown platforms prove nothing', async () => {
    const stored = workload('api', [API]);
    const unknown = workload('batch', ['harbor.gov.example/etl/batch:1']);
    const resolver = resolverOf({});
    const findings = await findArchMismatches({
      nodes: NODES,
      workloads: [{ ...stored, images: [{ image: API, archs: ['amd64'] }] }, unknown],
      pods: [],
      resolver,
    });
    expect(findings.map((f) => [f.name, f.missingArches])).toEqual([['api', ['arm64']]]);
    expect(resolver.calls).toEqual(['harbor.gov.example/etl/batch:1']);
  });

  test('a resolver that throws is treated as unknown', async () => {
    const w = workload('api', [API]);
    const findings = await findArchMismatches({
      nodes: NODES,
      workloads: [w],
      pods: [],
      resolver: { platformsOf: () => Promise.reject(new Error('boom')) },
    });
    expect(findings).toEqual([]);
  });

  test("a CronJob's Job pods are reported on the CronJob, and images are resolved once", async () => {
    const cron = workload('backup', [API], { kind: 'CronJob' });
    const job = workload('backup-29012345', [API], {
      id: 'gz/uid-job',
      kind: 'Job',
      owner: { kind: 'CronJob', name: 'backup' },
    });
    const resolver = resolverOf({ [API]: ['linux/amd64'] });
    const findings = await findArchMismatches({
      nodes: NODES,
      workloads: [cron, job],
      pods: [
        pod(
          job,
          'backup-29012345-abc',
          'kp-2',
          [
            container(API, {
              state: 'terminated',
              ready: false,
              reason: 'Error',
              message: 'exec /backup: exec format error',
            }),
          ],
          'Failed',
        ),
      ],
      resolver,
    });
    expect(findings.map((f) => [f.kind, f.name, f.evidence.map((e) => e.kind)])).toEqual([
      ['CronJob', 'backup', ['exec-format-error', 'image-index-lacks-arch']],
    ]);
    expect(findings[0]?.severity).toBe('high');
    expect(resolver.calls).toEqual([API]);
  });
});
