// Renders charts/yunshu with the real helm CLI (scripts/build-helm.sh) and checks properties of the
// manifests a cluster would receive: hardening, probes, where secrets go, RBAC scope, and that the
// environment the chart gives the app is one the server's own config loader accepts.
import { join } from 'node:path';
import { loadConfig } from '../../server/config.js';
import { loadMasterKey } from '../../server/secrets/master-key.js';
import { describeWithServices } from '../harness/services.js';
import { CHART_DIR, Helm, helmBinary, parseManifests, type K8sObject } from './helm.js';

const RELEASE = 'yunshu';
const NAMESPACE = 'soc';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: unknown };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
  exec?: { command: string[] };
  tcpSocket?: unknown;
  timeoutSeconds?: number;
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  securityContext?: SecurityContext;
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; emptyDir?: unknown; configMap?: unknown }[];
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: {
        nodeSelectorTerms: { matchExpressions: { key: string; operator: string; values: string[] }[] }[];
      };
    };
    podAntiAffinity?: {
      preferredDuringSchedulingIgnoredDuringExecution?: {
        podAffinityTerm: { topologyKey: string; labelSelector: { matchLabels: Record<string, string> } };
      }[];
    };
  };
  topologySpreadConstraints?: {
    topologyKey: string;
    labelSelector: { matchLabels: Record<string, string> };
  }[];
}
/** A rendered chart, with the lookups the tests need. */
class Manifests {
  constructor(readonly objects: K8sObject[]) {}

  all(kind: string): K8sObject[] {
    return this.objects.filter((o) => o.kind === kind);
  }

  find(kind: string, name: string): K8sObject | undefined {
    return this.objects.find((o) => o.kind === kind && o.metadata.name === name);
  }

  get(kind: string, name: string): K8sObject {
    const found = this.find(kind, name);
    if (!found)
      throw new Error(
        `no ${kind} ${name}; rendered: ${this.objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`,
      );
    return found;
  }

  /** Every pod template (Deployments, StatefulSets) and bare Pod (helm test hooks), by owner. */
  podSpecs(): { owner: string; spec: PodSpec }[] {
    return this.objects.flatMap((o) => {
      if (o.kind === 'Deployment' || o.kind === 'StatefulSet')
        return [{ owner: `${o.kind}/${o.metadata.name}`, spec: o.spec.template.spec as PodSpec }];
      if (o.kind === 'Pod') return [{ owner: `Pod/${o.metadata.name}`, spec: o.spec as PodSpec }];
      return [];
    });
  }

  workloadSpec(kind: 'Deployment' | 'StatefulSet', name: string): PodSpec {
    return this.get(kind, name).spec.template.spec as PodSpec;
  }

  /** Decoded values of a Secret's data and stringData. */
  secretValues(name: string): Record<string, string> {
    const secret = this.get('Secret', name);
    const decoded = Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
    );
    return { ...decoded, ...(secret.stringData ?? {}) };
  }

  /** The environment a container starts with: its ConfigMaps, then env, secretKeyRefs resolved. */
  containerEnv(container: Container): Record<string, string> {
    const env: Record<string, string> = {};
    for (const from of container.envFrom ?? []) {
      if (from.configMapRef) Object.assign(env, this.get('ConfigMap', from.configMapRef.name).data);
    }
    for (const entry of container.env ?? []) {
      const ref = entry.valueFrom?.secretKeyRef;
      if (ref) {
        const value = this.secretValues(ref.name)[ref.key];
        if (value === undefined) throw new Error(`${entry.name}: Secret ${ref.name} has no key ${ref.key}`);
        env[entry.name] = value;
      } else if (entry.value !== undefined) env[entry.name] = entry.value;
    }
    return env;
  }
}

let helm: Helm;

async function render(values: object = {}): Promise<Manifests> {
  const { stdout } = await helm.ok([
    'template',
    RELEASE,
    CHART_DIR,
    '--namespace',
    NAMESPACE,
    ...helm.values(values),
  ]);
  return new Manifests(parseManifests(stdout));
}

/** The error helm gives for values the chart must refuse. */
async function renderError(values: object): Promise<string> {
  const { status, stderr } = await helm.run([
    'template',
    RELEASE,
    CHART_DIR,
    '--namespace',
    NAMESPACE,
    ...helm.values(values),
  ]);
  if (status === 0) throw new Error('helm template succeeded where it should have failed');
  return stderr;
}

const FULLNAME = 'yunshu'; // the release name contains the chart name, so it is the prefix as is
const APP = FULLNAME;
const WORKER = `${FULLNAME}-worker`;
const MONGO = `${FULLNAME}-mongodb`;
const REDIS = `${FULLNAME}-redis`;
const COLLECT_ROLE = `${NAMESPACE}-${FULLNAME}-collect`;
const RESPOND_ROLE = `${NAMESPACE}-${FULLNAME}-respond`;

const SECRET_ENV = ['MONGODB_URL', 'REDIS_URL', 'YUNSHU_MASTER_KEY'];
const OFFICER_PASSWORDS = ['YUNSHU_ADMIN_PASSWORD', 'YUNSHU_SECADMIN_PASSWORD', 'YUNSHU_AUDITADMIN_PASSWORD'];

// (b): store and cache outside the chart, every secret from a Secret the operator manages.
const EXTERNAL = {
  mongodb: { enabled: false },
  redis: { enabled: false },
  existingSecret: {
    name: 'yunshu-prod',
    keys: {
      mongodbUrl: 'mongo-url',
      redisUrl: 'redis-url',
      masterKey: 'master-key',
      adminPassword: 'admin-password',
      secadminPassword: 'secadmin-password',
      auditadminPassword: 'auditadmin-password',
    },
  },
};

// (c): response actions on, exposed through an Ingress with TLS.
const RESPOND_WITH_INGRESS = {
  rbac: { responseActions: true },
  ingress: {
    enabled: true,
    className: 'nginx',
    hosts: [{ host: 'yunshu.soc.example.gov.cn', paths: [{ path: '/', pathType: 'Prefix' }] }],
    tls: [{ secretName: 'yunshu-tls', hosts: ['yunshu.soc.example.gov.cn'] }],
  },
};

function allContainers(spec: PodSpec): Container[] {
  return [...(spec.initContainers ?? []), ...spec.containers];
}

function envNames(container: Container): string[] {
  return (container.env ?? []).map((e) => e.name);
}

describeWithServices('helm chart charts/yunshu', [helmBinary()], () => {
  beforeAll(() => {
    helm = new Helm(helmBinary().path!);
  });
  afterAll(() => helm.cleanup());

  describe('helm lint --strict', () => {
    test.each([
      ['defaults', {}],
      ['external MongoDB/Redis via existingSecret', EXTERNAL],
      ['response actions and ingress', RESPOND_WITH_INGRESS],
    ])('passes with %s', async (_name, values) => {
      const { status, stdout, stderr } = await helm.run([
        'lint',
        '--strict',
        CHART_DIR,
        ...helm.values(values),
      ]);
      expect({ status, output: stdout + stderr }).toEqual({
        status: 0,
        output: expect.stringContaining('0 chart(s) failed'),
      });
    });
  });

  describe('(a) defaults', () => {
    let m: Manifests;
    beforeAll(async () => {
      m = await render();
    });

    test('renders the app (2 replicas), 2 workers (sharding clusters by lease), MongoDB and Redis', () => {
      expect(m.get('Deployment', APP).spec.replicas).toBe(2);
      expect(m.get('Deployment', WORKER).spec.replicas).toBe(2);
      expect(m.get('StatefulSet', MONGO).spec.template.spec.containers[0].image).toBe('mongo:7');
      expect(m.get('StatefulSet', REDIS).spec.template.spec.containers[0].image).toBe('redis:7');
      expect(m.get('ConfigMap', APP).data).toMatchObject({ YUNSHU_STORE: 'mongo', PORT: '8080' });
    });

    test('every container has liveness and readiness probes and CPU and memory requests', () => {
      const specs = m.podSpecs().filter((p) => !p.owner.startsWith('Pod/'));
      expect(specs.map((p) => p.owner).sort()).toEqual(
        [`Deployment/${APP}`, `Deployment/${WORKER}`, `StatefulSet/${MONGO}`, `StatefulSet/${REDIS}`].sort(),
      );
      for (const { owner, spec } of specs) {
        for (const c of allContainers(spec)) {
          const where = `${owner} ${c.name}`;
          expect({ where, liveness: Boolean(c.livenessProbe), readiness: Boolean(c.readinessProbe) }).toEqual(
            {
              where,
              liveness: true,
              readiness: true,
            },
          );
          expect({ where, requests: c.resources?.requests }).toEqual({
            where,
            requests: { cpu: expect.any(String), memory: expect.any(String) },
          });
          expect(c.resources?.limits?.memory).toEqual(expect.any(String));
        }
      }
    });

    test('the app probes /healthz for liveness and /readyz for readiness, with time for the 2 s store check', () => {
      const app = m.workloadSpec('Deployment', APP).containers[0]!;
      expect(app.livenessProbe?.httpGet?.path).toBe('/healthz');
      expect(app.readinessProbe?.httpGet?.path).toBe('/readyz');
      expect(app.startupProbe?.httpGet?.path).toBe('/healthz');
      expect(app.readinessProbe?.timeoutSeconds).toBeGreaterThan(2);
    });

    test('every pod and container runs hardened: non-root, read-only root, no capabilities, RuntimeDefault seccomp', () => {
      const specs = m.podSpecs();
      expect(specs.length).toBe(5); // 2 Deployments, 2 StatefulSets, the helm test Pod
      for (const { owner, spec } of specs) {
        expect({ owner, pod: spec.securityContext }).toMatchObject({
          owner,
          pod: {
            runAsNonRoot: true,
            runAsUser: expect.any(Number),
            seccompProfile: { type: 'RuntimeDefault' },
          },
        });
        expect(spec.securityContext!.runAsUser).toBeGreaterThan(0);
        for (const c of allContainers(spec)) {
          const where = `${owner} ${c.name}`;
          expect({ where, sc: c.securityContext }).toEqual({
            where,
            sc: expect.objectContaining({
              runAsNonRoot: true,
              readOnlyRootFilesystem: true,
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'] },
              seccompProfile: { type: 'RuntimeDefault' },
            }),
          });
          // The kubelet can only enforce runAsNonRoot against a numeric uid (the app image says USER node).
          expect(c.securityContext!.runAsUser ?? spec.securityContext!.runAsUser).toBeGreaterThan(0);
        }
      }
    });

    test('with a read-only root, /tmp is an emptyDir in every long-running container', () => {
      for (const { owner, spec } of m.podSpecs().filter((p) => !p.owner.startsWith('Pod/'))) {
        for (const c of spec.containers) {
          const tmp = c.volumeMounts?.find((v) => v.mountPath === '/tmp');
          const volume = spec.volumes?.find((v) => v.name === tmp?.name);
          expect({ where: `${owner} ${c.name}`, emptyDir: Boolean(volume?.emptyDir) }).toEqual({
            where: `${owner} ${c.name}`,
            emptyDir: true,
          });
        }
      }
    });

    test('the app gets MONGODB_URL, REDIS_URL, the master key and the officer passwords from secretKeyRef', () => {
      const app = m.workloadSpec('Deployment', APP).containers[0]!;
      for (const name of [...SECRET_ENV, ...OFFICER_PASSWORDS]) {
        const entry = app.env?.find((e) => e.name === name);
        expect({ name, ref: entry?.valueFrom?.secretKeyRef, value: entry?.value }).toEqual({
          name,
          ref: { name: APP, key: name },
          value: undefined,
        });
      }
      expect(Object.keys(m.secretValues(APP)).sort()).toEqual([...SECRET_ENV, ...OFFICER_PASSWORDS].sort());
    });

    test('the workers get the store, Redis and master key, but no account passwords', () => {
      const worker = m.workloadSpec('Deployment', WORKER).containers[0]!;
      expect(worker.command).toEqual(['node', 'dist/server/worker.js']);
      expect(envNames(worker).sort()).toEqual(['YUNSHU_COLLECT', ...SECRET_ENV].sort());
      for (const e of worker.env ?? [])
        if (e.name !== 'YUNSHU_COLLECT') expect(e.valueFrom?.secretKeyRef?.name).toBe(APP);
    });

    test('no Secret value appears in a ConfigMap or as a literal env value', () => {
      const secretValues = m.all('Secret').flatMap((s) => Object.values(m.secretValues(s.metadata.name)));
      expect(secretValues.length).toBeGreaterThanOrEqual(9);
      const exposed = [
        ...m.all('ConfigMap').flatMap((cm) => Object.values(cm.data ?? {})),
        ...m
          .podSpecs()
          .flatMap(({ spec }) =>
            allContainers(spec).flatMap((c) => [
              ...(c.env ?? []).map((e) => e.value ?? ''),
              ...(c.command ?? []),
              ...(c.args ?? []),
            ]),
          ),
      ].join('\n');
      for (const value of secretValues) expect(exposed.includes(value)).toBe(false);
    });

    test('the server accepts the environment the chart gives the app', async () => {
      const env = m.containerEnv(m.workloadSpec('Deployment', APP).containers[0]!);
      const config = loadConfig(env);
      expect(config.store).toEqual({ kind: 'mongo', url: env.MONGODB_URL });
      expect(config.shutdownGraceMs).toBe(10_000);
      expect(env.YUNSHU_AUDIT_RETENTION_DAYS).toBeUndefined(); // the server's own default and floor apply
      // The workers collect; the app replicas must not each collect the whole fleet again, nor seed demo data.
      expect({ collect: config.collect, demo: config.demo }).toEqual({ collect: false, demo: 'off' });
      const workerEnv = m.containerEnv(m.workloadSpec('Deployment', WORKER).containers[0]!);
      expect(loadConfig(workerEnv)).toMatchObject({ collect: true, demo: 'off', store: config.store });
      expect(Object.keys(config.bootstrapPasswords).sort()).toEqual(['admin', 'auditadmin', 'secadmin']);
      expect(config.masterKey).toMatch(/^[0-9a-f]{64}$/);
      const key = await loadMasterKey({ env: config.masterKey, dataDir: join(CHART_DIR, 'never-written') });
      expect(key.length).toBe(32);
    });

    test('the URLs point at the in-chart services and carry the passwords MongoDB and Redis start with', () => {
      const app = m.secretValues(APP);
      const mongo = new URL(app.MONGODB_URL!);
      expect(mongo.host).toBe(`${MONGO}.${NAMESPACE}.svc:27017`);
      expect(mongo.pathname).toBe('/yunshu');
      expect(mongo.username).toBe('yunshu');
      expect(decodeURIComponent(mongo.password)).toBe(m.secretValues(MONGO)['mongodb-password']);
      expect(m.get('Service', MONGO).spec.ports[0].port).toBe(27017);

      const redis = new URL(app.REDIS_URL!);
      expect(redis.host).toBe(`${REDIS}.${NAMESPACE}.svc:6379`);
      expect(decodeURIComponent(redis.password)).toBe(m.secretValues(REDIS)['redis-password']);
      expect(m.get('Service', REDIS).spec.ports[0].port).toBe(6379);

      const mongoEnv = m.workloadSpec('StatefulSet', MONGO).containers[0]!.env ?? [];
      expect(mongoEnv.find((e) => e.name === 'MONGO_INITDB_APP_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({
        name: MONGO,
        key: 'mongodb-password',
      });
    });

    test('MongoDB and Redis keep their data on PersistentVolumeClaims', () => {
      for (const [name, size] of [
        [MONGO, '8Gi'],
        [REDIS, '2Gi'],
      ] as const) {
        const sts = m.get('StatefulSet', name);
        expect(sts.spec.volumeClaimTemplates).toEqual([
          expect.objectContaining({
            metadata: expect.objectContaining({ name: 'data' }),
            spec: expect.objectContaining({ resources: { requests: { storage: size } } }),
          }),
        ]);
        expect(sts.spec.template.spec.automountServiceAccountToken).toBe(false);
      }
    });

    test('terminationGracePeriodSeconds exceeds YUNSHU_SHUTDOWN_GRACE_MS plus the preStop sleep', async () => {
      const app = m.workloadSpec('Deployment', APP);
      const preStop = Number(app.containers[0]!.lifecycle?.preStop?.exec?.command[1]);
      expect(preStop).toBeGreaterThan(0);
      expect(app.terminationGracePeriodSeconds).toBeGreaterThan(10 + preStop);
      expect(m.workloadSpec('Deployment', WORKER).terminationGracePeriodSeconds).toBeGreaterThan(10);

      const slow = await render({ config: { shutdownGraceMs: 45_500 } });
      expect(slow.get('ConfigMap', APP).data?.YUNSHU_SHUTDOWN_GRACE_MS).toBe('45500');
      expect(slow.workloadSpec('Deployment', APP).terminationGracePeriodSeconds).toBeGreaterThan(
        46 + preStop,
      );
      expect(
        await renderError({
          config: { shutdownGraceMs: 60_000 },
          app: { terminationGracePeriodSeconds: 30 },
        }),
      ).toMatch(/app\.terminationGracePeriodSeconds \(30\) must exceed/);
    });

    test('replicas spread over nodes and zones, and only onto amd64 or arm64 nodes', () => {
      for (const [name, component] of [
        [APP, 'app'],
        [WORKER, 'worker'],
      ] as const) {
        const spec = m.workloadSpec('Deployment', name);
        expect(spec.topologySpreadConstraints?.map((t) => t.topologyKey)).toEqual([
          'kubernetes.io/hostname',
          'topology.kubernetes.io/zone',
        ]);
        expect(
          spec.topologySpreadConstraints?.[0]?.labelSelector.matchLabels['app.kubernetes.io/component'],
        ).toBe(component);
        const anti = spec.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0];
        expect(anti?.podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
        expect(anti?.podAffinityTerm.labelSelector.matchLabels['app.kubernetes.io/component']).toBe(
          component,
        );
      }
      for (const { owner, spec } of m.podSpecs().filter((p) => !p.owner.startsWith('Pod/'))) {
        const terms =
          spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
        expect({ owner, terms }).toEqual({
          owner,
          terms: [
            { matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] }] },
          ],
        });
      }
    });

    test('the read-only ClusterRole grants only get/list/watch, never Secrets, and is bound to the ServiceAccount', () => {
      const role = m.get('ClusterRole', COLLECT_ROLE);
      const verbs = new Set(role.rules!.flatMap((r) => r.verbs));
      expect([...verbs].sort()).toEqual(['get', 'list', 'watch']);
      const resources = role.rules!.flatMap((r) => r.resources);
      expect(resources).toEqual(
        expect.arrayContaining([
          'nodes',
          'namespaces',
          'pods',
          'events',
          'deployments',
          'statefulsets',
          'daemonsets',
          'networkpolicies',
          'rolebindings',
          'clusterrolebindings',
        ]),
      );
      expect(resources).not.toContain('secrets');
      expect(resources).not.toContain('*');
      expect(m.find('ClusterRole', RESPOND_ROLE)).toBeUndefined();
      expect(m.find('ClusterRoleBinding', RESPOND_ROLE)).toBeUndefined();

      const binding = m.get('ClusterRoleBinding', COLLECT_ROLE);
      expect(binding.roleRef).toMatchObject({ kind: 'ClusterRole', name: COLLECT_ROLE });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: APP, namespace: NAMESPACE }]);
      expect(m.workloadSpec('Deployment', APP).serviceAccountName).toBe(APP);
      expect(m.get('ServiceAccount', APP).metadata.namespace).toBe(NAMESPACE);
    });

    test('the Service and PodDisruptionBudgets select the right pods', () => {
      const service = m.get('Service', APP);
      expect(service.spec.selector).toEqual(m.get('Deployment', APP).spec.selector.matchLabels);
      expect(service.spec.ports[0].targetPort).toBe('http');
      expect(m.get('PodDisruptionBudget', APP).spec).toEqual({
        maxUnavailable: 1,
        selector: m.get('Deployment', APP).spec.selector,
      });
      expect(m.get('PodDisruptionBudget', WORKER).spec.selector).toEqual(
        m.get('Deployment', WORKER).spec.selector,
      );
      expect(m.find('Ingress', APP)).toBeUndefined();
    });

    test('NetworkPolicies: app ingress on 8080 only; egress to DNS, MongoDB, Redis and the API servers', async () => {
      const app = m.get('NetworkPolicy', APP).spec;
      expect(app.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(app.ingress).toEqual([{ ports: [{ port: 8080, protocol: 'TCP' }] }]);
      const egressPorts = (app.egress as { to?: unknown[]; ports: { port: number }[] }[]).map((rule) =>
        rule.ports.map((p) => p.port),
      );
      expect(egressPorts).toEqual([[53, 53], [27017], [6379], [443, 6443, 9090]]);
      const mongoPeer = app.egress[1].to[0].podSelector.matchLabels;
      expect(mongoPeer['app.kubernetes.io/component']).toBe('mongodb');
      expect(m.get('NetworkPolicy', WORKER).spec.ingress).toEqual([]);
      // MongoDB accepts the app and the workers only.
      const mongoIngress = m.get('NetworkPolicy', MONGO).spec.ingress[0];
      expect(
        mongoIngress.from.map(
          (p: { podSelector: { matchLabels: Record<string, string> } }) =>
            p.podSelector.matchLabels['app.kubernetes.io/component'],
        ),
      ).toEqual(['app', 'worker']);
      expect((await render({ networkPolicy: { enabled: false } })).all('NetworkPolicy')).toEqual([]);
    });

    test('global.imageRegistry prefixes every image (e.g. a domestic mirror)', async () => {
      const mirrored = await render({ global: { imageRegistry: 'harbor.example.gov.cn/library' } });
      const images = mirrored.podSpecs().flatMap(({ spec }) => allContainers(spec).map((c) => c.image));
      expect(new Set(images)).toEqual(
        new Set([
          'harbor.example.gov.cn/library/yunshu/yunshu:0.1.0',
          'harbor.example.gov.cn/library/mongo:7',
          'harbor.example.gov.cn/library/redis:7',
        ]),
      );
    });
  });

  describe('(b) external MongoDB and Redis via existingSecret', () => {
    let m: Manifests;
    beforeAll(async () => {
      m = await render(EXTERNAL);
    });

    test('disabling mongodb and redis removes their StatefulSets, Services, Secrets and policies', () => {
      expect(m.all('StatefulSet')).toEqual([]);
      for (const kind of ['Service', 'Secret', 'NetworkPolicy', 'ConfigMap'])
        for (const name of [MONGO, `${MONGO}-headless`, `${MONGO}-init`, REDIS, `${REDIS}-headless`])
          expect(m.find(kind, name)).toBeUndefined();
      expect(m.get('Deployment', APP).spec.replicas).toBe(2);
    });

    test('every secret comes from the existing Secret under its own key; the chart renders none', () => {
      expect(m.all('Secret')).toEqual([]);
      const app = m.workloadSpec('Deployment', APP).containers[0]!;
      const refs = Object.fromEntries(
        (app.env ?? []).filter((e) => e.valueFrom).map((e) => [e.name, e.valueFrom?.secretKeyRef]),
      );
      expect(refs).toEqual({
        MONGODB_URL: { name: 'yunshu-prod', key: 'mongo-url' },
        REDIS_URL: { name: 'yunshu-prod', key: 'redis-url' },
        YUNSHU_MASTER_KEY: { name: 'yunshu-prod', key: 'master-key' },
        YUNSHU_ADMIN_PASSWORD: { name: 'yunshu-prod', key: 'admin-password' },
        YUNSHU_SECADMIN_PASSWORD: { name: 'yunshu-prod', key: 'secadmin-password' },
        YUNSHU_AUDITADMIN_PASSWORD: { name: 'yunshu-prod', key: 'auditadmin-password' },
      });
      const worker = m.workloadSpec('Deployment', WORKER).containers[0]!;
      expect(worker.env?.filter((e) => e.valueFrom).map((e) => e.valueFrom?.secretKeyRef?.key)).toEqual([
        'mongo-url',
        'redis-url',
        'master-key',
      ]);
    });

    test('egress opens the external database ports instead of the in-chart pods', () => {
      const egress = m.get('NetworkPolicy', APP).spec.egress as {
        to?: { ipBlock?: unknown }[];
        ports: { port: number }[];
      }[];
      expect(egress.map((rule) => rule.ports.map((p) => p.port))).toEqual([
        [53, 53],
        [443, 6443, 9090, 27017, 6379],
      ]);
      expect(egress[1]!.to).toEqual([{ ipBlock: { cidr: '0.0.0.0/0' } }]);
    });

    test('an entry whose key is left empty is managed by the chart instead', async () => {
      const mixed = await render({
        ...EXTERNAL,
        existingSecret: {
          ...EXTERNAL.existingSecret,
          keys: { ...EXTERNAL.existingSecret.keys, masterKey: '' },
        },
      });
      expect(Object.keys(mixed.secretValues(APP))).toEqual(['YUNSHU_MASTER_KEY']);
      const app = mixed.workloadSpec('Deployment', APP).containers[0]!;
      expect(app.env?.find((e) => e.name === 'YUNSHU_MASTER_KEY')?.valueFrom?.secretKeyRef).toEqual({
        name: APP,
        key: 'YUNSHU_MASTER_KEY',
      });
    });

    test('external URLs given as values land in the chart Secret, never in the ConfigMap', async () => {
      const url = 'mongodb://yunshu:S3cret-pw@mongo-0.db,mongo-1.db:27017/yunshu?replicaSet=rs0';
      const redisUrl = 'rediss://:R3dis-pw@redis.example.gov.cn:6380/0';
      const byValue = await render({
        mongodb: { enabled: false },
        redis: { enabled: false },
        externalMongodb: { url },
        externalRedis: { url: redisUrl },
      });
      expect(byValue.secretValues(APP)).toMatchObject({ MONGODB_URL: url, REDIS_URL: redisUrl });
      expect(JSON.stringify(byValue.get('ConfigMap', APP).data)).not.toMatch(/S3cret-pw|R3dis-pw/);
    });

    test('refuses values that cannot work, saying what to set', async () => {
      expect(await renderError({ mongodb: { enabled: false } })).toMatch(
        /set externalMongodb\.url, or existingSecret\.name/,
      );
      expect(await renderError({ redis: { enabled: false } })).toMatch(
        /set externalRedis\.url, or existingSecret\.name/,
      );
      expect(
        await renderError({ mongodb: { enabled: false }, externalMongodb: { url: 'postgres://x' } }),
      ).toMatch(/externalMongodb\.url must be a mongodb:\/\/ or mongodb\+srv:\/\/ URL/);
      expect(await renderError({ config: { extraEnv: { REDIS_URL: 'redis://x' } } })).toMatch(
        /would put a secret into a ConfigMap/,
      );
      expect(await renderError({ secrets: { adminPassword: 'alllowercase' } })).toMatch(
        /secrets\.adminPassword must have/,
      );
      expect(await renderError({ secrets: { masterKey: 'too-short' } })).toMatch(
        /secrets\.masterKey must be a 32-byte key/,
      );
      // values.schema.json: a misspelt safety switch is an error, not a silent no-op.
      expect(await renderError({ rbac: { responseAction: true } })).toMatch(
        /at '\/rbac': additional properties 'responseAction' not allowed/,
      );
    });
  });

  describe('(c) response actions and ingress', () => {
    let m: Manifests;
    beforeAll(async () => {
      m = await render(RESPOND_WITH_INGRESS);
    });

    test('the response-actions ClusterRole exists, scoped to the actions, and is bound to the ServiceAccount', () => {
      const rules = m.get('ClusterRole', RESPOND_ROLE).rules!;
      const grants = (group: string, resource: string) =>
        rules
          .filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource))
          .flatMap((r) => r.verbs)
          .sort();
      expect(grants('', 'pods')).toEqual(['delete', 'get', 'patch']);
      expect(grants('', 'pods/eviction')).toEqual(['create']);
      expect(grants('', 'nodes')).toEqual(['get', 'patch']);
      expect(grants('networking.k8s.io', 'networkpolicies')).toEqual(['create', 'delete']);
      expect(grants('apps', 'deployments/scale')).toEqual(['get', 'patch', 'update']);
      expect(grants('apps', 'deployments')).toEqual([]); // /scale only, never the whole spec
      expect(grants('rbac.authorization.k8s.io', 'rolebindings')).toEqual(['delete']);
      expect(grants('rbac.authorization.k8s.io', 'clusterrolebindings')).toEqual(['delete']);
      const all = rules.flatMap((r) => [...r.verbs, ...r.resources, ...r.apiGroups]);
      expect(all).not.toContain('*');
      expect(all).not.toContain('secrets');
      expect(all).not.toContain('escalate');
      expect(all).not.toContain('bind');

      expect(m.get('ClusterRoleBinding', RESPOND_ROLE)).toMatchObject({
        roleRef: { kind: 'ClusterRole', name: RESPOND_ROLE },
        subjects: [{ kind: 'ServiceAccount', name: APP, namespace: NAMESPACE }],
      });
      // The read-only role stays read-only.
      const verbs = new Set(m.get('ClusterRole', COLLECT_ROLE).rules!.flatMap((r) => r.verbs));
      expect([...verbs].sort()).toEqual(['get', 'list', 'watch']);
    });

    test('the Ingress routes the host to the app Service, with TLS', () => {
      const ingress = m.get('Ingress', APP);
      expect(ingress.apiVersion).toBe('networking.k8s.io/v1');
      expect(ingress.spec.ingressClassName).toBe('nginx');
      expect(ingress.spec.tls).toEqual([{ secretName: 'yunshu-tls', hosts: ['yunshu.soc.example.gov.cn'] }]);
      expect(ingress.spec.rules).toEqual([
        {
          host: 'yunshu.soc.example.gov.cn',
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: { service: { name: APP, port: { name: 'http' } } } },
            ],
          },
        },
      ]);
      expect(m.get('Service', APP).spec.ports[0].name).toBe('http');
    });
  });

  describe('options', () => {
    test('worker.command is configurable and worker.enabled=false removes the workers', async () => {
      const custom = await render({
        worker: { command: ['node', 'dist/server/collector.js'], args: ['--shard=1'] },
      });
      const worker = custom.workloadSpec('Deployment', WORKER).containers[0]!;
      expect(worker.command).toEqual(['node', 'dist/server/collector.js']);
      expect(worker.args).toEqual(['--shard=1']);

      const none = await render({ worker: { enabled: false } });
      expect(none.find('Deployment', WORKER)).toBeUndefined();
      // Without workers the app collects.
      const appEnv = none.workloadSpec('Deployment', APP).containers[0]!.env ?? [];
      expect(appEnv.find((e) => e.name === 'YUNSHU_COLLECT')?.value).toBe('on');
      expect(none.find('PodDisruptionBudget', WORKER)).toBeUndefined();
      expect(none.find('NetworkPolicy', WORKER)).toBeUndefined();
    });

    test('a master key given in values is used as is', async () => {
      const key = 'a'.repeat(64);
      expect((await render({ secrets: { masterKey: key } })).secretValues(APP).YUNSHU_MASTER_KEY).toBe(key);
    });
  });
});
