// Proves the envtest API server has real Kubernetes semantics (subresources, resourceVersions,
// watches, validation, RBAC), which is what suites using it rely on instead of hand-written fakes.
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  RbacAuthorizationV1Api,
  Watch,
  type V1Node,
} from '@kubernetes/client-node';
import { startEnvtest, type Envtest } from './envtest.js';
import { describeWithEnvtest } from './gate.js';

function client(kubeconfig: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  return kc;
}

/** The HTTP status and Status.reason a request failed with. */
async function failure(request: Promise<unknown>): Promise<{ code: number; reason: string }> {
  try {
    await request;
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    const body = typeof err.body === 'string' ? (JSON.parse(err.body) as { reason?: string }) : err.body;
    return { code: err.code, reason: (body as { reason?: string }).reason ?? '' };
  }
  throw new Error('request succeeded');
}

function armNode(name: string): V1Node {
  return {
    metadata: { name, labels: { 'kubernetes.io/arch': 'arm64', 'kubernetes.io/os': 'linux' } },
    spec: { podCIDR: '10.244.1.0/24' },
  };
}

describeWithEnvtest('envtest kube-apiserver', () => {
  let env: Envtest;
  let admin: KubeConfig;
  let core: CoreV1Api;

  beforeAll(async () => {
    const started = Date.now();
    env = await startEnvtest();
    console.info(`envtest up at ${env.url} in ${Date.now() - started} ms`);
    admin = client(env.adminKubeconfig);
    core = admin.makeApiClient(CoreV1Api);
  }, 90_000);

  afterAll(async () => {
    await env?.stop();
  });

  it('keeps Node status behind the status subresource', async () => {
    await core.createNode({ body: armNode('arm-1') });
    const node = await core.readNode({ name: 'arm-1' });
    node.status = {
      nodeInfo: {
        architecture: 'arm64',
        operatingSystem: 'linux',
        osImage: 'Kylin Linux Advanced Server V10',
        kernelVersion: '4.19.90-52.22.v2207.ky10.aarch64',
        kubeletVersion: 'v1.34.12',
        kubeProxyVersion: '',
        containerRuntimeVersion: 'containerd://1.7.27',
        machineID: 'm1',
        systemUUID: 's1',
        bootID: 'b1',
      },
      capacity: { cpu: '64', memory: '256Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ok' }],
    };
    const updated = await core.replaceNodeStatus({ name: 'arm-1', body: node });
    expect(updated.status?.nodeInfo?.architecture).toBe('arm64');
    expect(updated.status?.capacity?.cpu).toBe('64');

    // An update of the main resource must not touch status.
    updated.status!.nodeInfo!.architecture = 'amd64';
    updated.metadata!.labels!.tier = 'edge';
    const relabelled = await core.replaceNode({ name: 'arm-1', body: updated });
    expect(relabelled.metadata?.labels?.tier).toBe('edge');
    expect(relabelled.status?.nodeInfo?.architecture).toBe('arm64');
  });

  it('lists at a resourceVersion and watches ADDED then MODIFIED from it', async () => {
    const list = await core.listNode();
    const listVersion = list.metadata?.resourceVersion;
    expect(listVersion).toMatch(/^\d+$/);
    const consistent = await core.listNode({
      resourceVersion: listVersion,
      resourceVersionMatch: 'NotOlderThan',
    });
    expect(consistent.items.map((n) => n.metadata?.name)).toEqual(list.items.map((n) => n.metadata?.name));

    const events: string[] = [];
    let resolveSeen!: () => void;
    const seen = new Promise<void>((resolve) => (resolveSeen = resolve));
    const watch = await new Watch(admin).watch(
      '/api/v1/nodes',
      { resourceVersion: listVersion },
      (phase, obj: V1Node) => {
        if (obj.metadata?.name !== 'arm-2') return;
        events.push(phase);
        if (phase === 'MODIFIED') resolveSeen();
      },
      () => resolveSeen(),
    );
    try {
      await core.createNode({ body: armNode('arm-2') });
      const node = await core.readNode({ name: 'arm-2' });
      node.metadata!.labels!.cordoned = 'true';
      await core.replaceNode({ name: 'arm-2', body: node });
      await seen;
    } finally {
      watch.abort();
    }
    expect(events).toEqual(['ADDED', 'MODIFIED']);
  });

  it('rejects an invalid NetworkPolicy with 422 Invalid', async () => {
    const networking = admin.makeApiClient(NetworkingV1Api);
    const result = await failure(
      networking.createNamespacedNetworkPolicy({
        namespace: 'default',
        body: {
          metadata: { name: 'bad' },
          spec: {
            podSelector: { matchLabels: { app: 'not a valid label value!' } },
            ingress: [{ ports: [{ protocol: 'ICMP', port: 70000 }] }],
          },
        },
      }),
    );
    expect(result).toEqual({ code: 422, reason: 'Invalid' });
  });

  it('enforces RBAC for a client-certificate user', async () => {
    const viewer = client(await env.restrictedKubeconfig('jane', ['yunshu:viewers'])).makeApiClient(
      CoreV1Api,
    );
    expect(await failure(viewer.listNode())).toEqual({ code: 403, reason: 'Forbidden' });

    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createClusterRole({
      body: {
        metadata: { name: 'node-reader' },
        rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }],
      },
    });
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: 'viewers-read-nodes' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'node-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'yunshu:viewers' }],
      },
    });
    // The authorizer learns of the binding through an informer, so allow it a moment.
    for (let attempt = 0; ; attempt++) {
      try {
        expect((await viewer.listNode()).items.length).toBeGreaterThan(0);
        break;
      } catch (err) {
        if (attempt >= 50) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });

  it("reads and writes a Deployment's scale subresource", async () => {
    const apps = admin.makeApiClient(AppsV1Api);
    const labels = { app: 'web' };
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
        },
      },
    });

    const scale = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: 'default' });
    expect(scale.spec?.replicas).toBe(1);
    expect(scale.status?.selector).toBe('app=web');

    scale.spec = { replicas: 3 };
    const rescaled = await apps.replaceNamespacedDeploymentScale({
      name: 'web',
      namespace: 'default',
      body: scale,
    });
    expect(rescaled.spec?.replicas).toBe(3);
    const deployment = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
    expect(deployment.spec?.replicas).toBe(3);
    // No controller-manager runs, so nothing acts on the new spec.
    expect(deployment.status?.replicas).toBeUndefined();
  });
});
