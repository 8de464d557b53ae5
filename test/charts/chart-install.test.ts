// Installs charts/yunshu with the real helm CLI into a real kube-apiserver (test/envtest: API semantics,
// admission and RBAC, no kubelets), to check what rendering alone cannot: the API server accepts every
// object, the pods pass Pod Security "restricted", RBAC grants exactly what the roles say, and the
// generated secrets survive upgrades and reinstalls through `lookup`.
import { ApiException, AuthorizationV1Api, CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { startEnvtest, type Envtest } from '../envtest/envtest.js';
import { describeWithEnvtest } from '../envtest/gate.js';
import { describeWithServices } from '../harness/services.js';
import { CHART_DIR, Helm, helmBinary, parseManifests, type K8sObject } from './helm.js';

const NAMESPACE = 'soc';
const RELEASE = 'yunshu';
const SERVICE_ACCOUNT = 'yunshu';

describeWithServices('helm install of charts/yunshu', [helmBinary()], () => {
  describeWithEnvtest('helm install of charts/yunshu into a kube-apiserver', () => {
    let env: Envtest;
    let helm: Helm;
    let kubeconfig: string;
    let core: CoreV1Api;
    let authz: AuthorizationV1Api;

    beforeAll(async () => {
      env = await startEnvtest();
      helm = new Helm(helmBinary().path!);
      kubeconfig = helm.writeFile('kubeconfig', env.adminKubeconfig);
      const kc = new KubeConfig();
      kc.loadFromString(env.adminKubeconfig);
      core = kc.makeApiClient(CoreV1Api);
      authz = kc.makeApiClient(AuthorizationV1Api);
      // Enforced, so any pod the chart's workloads would create must meet the restricted standard.
      await core.createNamespace({
        body: {
          metadata: {
            name: NAMESPACE,
            labels: {
              'pod-security.kubernetes.io/enforce': 'restricted',
              'pod-security.kubernetes.io/enforce-version': 'latest',
            },
          },
        },
      });
    }, 90_000);

    afterAll(async () => {
      await env?.stop();
      helm?.cleanup();
    });

    const target = (): string[] => ['--kubeconfig', kubeconfig, '--namespace', NAMESPACE];

    async function secret(name: string): Promise<Record<string, string>> {
      const found = await core.readNamespacedSecret({ name, namespace: NAMESPACE });
      return Object.fromEntries(
        Object.entries(found.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
      );
    }

    type ChartSecrets = Record<'app' | 'mongodb' | 'redis', Record<string, string>>;
    async function chartSecrets(): Promise<ChartSecrets> {
      return {
        app: await secret(RELEASE),
        mongodb: await secret(`${RELEASE}-mongodb`),
        redis: await secret(`${RELEASE}-redis`),
      };
    }

    /** Whether the chart's ServiceAccount may do this, as the API server's RBAC authorizer decides. */
    async function saCan(
      verb: string,
      resource: string,
      options: { group?: string; subresource?: string } = {},
    ): Promise<boolean> {
      const review = await authz.createSubjectAccessReview({
        body: {
          spec: {
            user: `system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}`,
            groups: ['system:serviceaccounts', `system:serviceaccounts:${NAMESPACE}`, 'system:authenticated'],
            resourceAttributes: {
              verb,
              resource,
              group: options.group ?? '',
              ...(options.subresource ? { subresource: options.subresource } : {}),
              // Another namespace: the roles are cluster-wide, and that is what collection needs.
              namespace: 'kube-system',
            },
          },
        },
      });
      return review.status?.allowed === true;
    }

    // [verb, resource, group, subresource]
    type Access = [string, string, string?, string?];
    const READ: Access[] = [
      ['list', 'pods'],
      ['watch', 'nodes'],
      ['list', 'namespaces'],
      ['watch', 'events'],
      ['list', 'deployments', 'apps'],
      ['watch', 'daemonsets', 'apps'],
      ['list', 'networkpolicies', 'networking.k8s.io'],
      ['watch', 'clusterrolebindings', 'rbac.authorization.k8s.io'],
      ['list', 'rolebindings', 'rbac.authorization.k8s.io'],
    ];
    const RESPOND: Access[] = [
      ['patch', 'pods'],
      ['delete', 'pods'],
      ['create', 'pods', '', 'eviction'],
      ['create', 'networkpolicies', 'networking.k8s.io'],
      ['delete', 'networkpolicies', 'networking.k8s.io'],
      ['patch', 'nodes'],
      ['update', 'deployments', 'apps', 'scale'],
      ['delete', 'rolebindings', 'rbac.authorization.k8s.io'],
      ['delete', 'clusterrolebindings', 'rbac.authorization.k8s.io'],
    ];
    const NEVER: Access[] = [
      ['get', 'secrets'],
      ['list', 'secrets'],
      ['get', 'configmaps'],
      ['update', 'deployments', 'apps'],
      ['create', 'pods'],
      ['create', 'rolebindings', 'rbac.authorization.k8s.io'],
      ['escalate', 'clusterroles', 'rbac.authorization.k8s.io'],
      ['delete', 'nodes'],
    ];

    async function access(list: Access[]): Promise<Record<string, boolean>> {
      const entries = await Promise.all(
        list.map(async ([verb, resource, group, subresource]) => [
          `${verb} ${group ? `${group}/` : ''}${resource}${subresource ? `/${subresource}` : ''}`,
          await saCan(verb, resource, {
            ...(group ? { group } : {}),
            ...(subresource ? { subresource } : {}),
          }),
        ]),
      );
      return Object.fromEntries(entries) as Record<string, boolean>;
    }

    /** The authorizer reads roles from a watch cache, so a change shows up after a short delay. */
    async function eventuallyAccess(list: Access[], expected: Record<string, boolean>): Promise<void> {
      const deadline = Date.now() + 10_000;
      let actual = await access(list);
      while (JSON.stringify(actual) !== JSON.stringify(expected) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        actual = await access(list);
      }
      expect(actual).toEqual(expected);
    }

    const all = (list: Access[], allowed: boolean) =>
      Object.fromEntries(
        list.map(([verb, resource, group, subresource]) => [
          `${verb} ${group ? `${group}/` : ''}${resource}${subresource ? `/${subresource}` : ''}`,
          allowed,
        ]),
      );

    let installed: K8sObject[] = [];

    test('installs: the API server accepts every object, and warns about none', async () => {
      const { stderr } = await helm.ok(['install', RELEASE, CHART_DIR, ...target()]);
      expect(stderr).not.toMatch(/warn/i);
      installed = parseManifests((await helm.ok(['get', 'manifest', RELEASE, ...target()])).stdout);
      const kinds = installed.map((o) => o.kind);
      expect(kinds.filter((k) => k === 'StatefulSet')).toHaveLength(2);
      expect(kinds.filter((k) => k === 'Deployment')).toHaveLength(2);
      expect(Object.keys((await chartSecrets()).app).sort()).toEqual(
        [
          'MONGODB_URL',
          'REDIS_URL',
          'YUNSHU_ADMIN_PASSWORD',
          'YUNSHU_AUDITADMIN_PASSWORD',
          'YUNSHU_MASTER_KEY',
          'YUNSHU_SECADMIN_PASSWORD',
        ].sort(),
      );
    });

    test('every pod the chart runs passes Pod Security "restricted"', async () => {
      const hooks = parseManifests((await helm.ok(['get', 'hooks', RELEASE, ...target()])).stdout);
      const pods: V1Pod[] = [...installed, ...hooks].flatMap((o): V1Pod[] => {
        const name = `psa-${o.kind.toLowerCase()}-${o.metadata.name}`;
        if (o.kind === 'Pod') return [{ metadata: { name }, spec: o.spec }];
        if (o.kind !== 'Deployment' && o.kind !== 'StatefulSet') return [];
        // As the StatefulSet controller does, give each claim template a volume.
        const claims = ((o.spec.volumeClaimTemplates ?? []) as { metadata: { name: string } }[]).map((t) => ({
          name: t.metadata.name,
          persistentVolumeClaim: { claimName: `${t.metadata.name}-${o.metadata.name}-0` },
        }));
        const spec = o.spec.template.spec;
        return [{ metadata: { name }, spec: { ...spec, volumes: [...(spec.volumes ?? []), ...claims] } }];
      });
      expect(pods).toHaveLength(5);
      for (const body of pods) {
        // dryRun: admission (Pod Security included) runs in full, nothing is stored.
        await expect(
          core
            .createNamespacedPod({ namespace: NAMESPACE, body, dryRun: 'All' })
            .then((pod) => pod.metadata?.name),
        ).resolves.toBe(body.metadata!.name);
      }

      // The same check refuses a pod that breaks the standard, so the passes above mean something.
      const privileged = structuredClone(pods[0]!);
      privileged.metadata!.name = 'psa-privileged';
      privileged.spec!.containers[0]!.securityContext = {
        ...privileged.spec!.containers[0]!.securityContext,
        allowPrivilegeEscalation: true,
      };
      const refused = await core
        .createNamespacedPod({ namespace: NAMESPACE, body: privileged, dryRun: 'All' })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(refused).toBeInstanceOf(ApiException);
      expect((refused as ApiException<unknown>).code).toBe(403);
      const body = (refused as ApiException<unknown>).body;
      const status = (typeof body === 'string' ? JSON.parse(body) : body) as { message: string };
      expect(status.message).toMatch(
        /violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false/,
      );
    });

    test('RBAC: the ServiceAccount reads the cluster, never Secrets, and changes nothing', async () => {
      expect(await access(READ)).toEqual(all(READ, true));
      expect(await access(RESPOND)).toEqual(all(RESPOND, false));
      expect(await access(NEVER)).toEqual(all(NEVER, false));
    });

    test('an upgrade keeps every generated key and password', async () => {
      const before = await chartSecrets();
      await helm.ok(['upgrade', RELEASE, CHART_DIR, ...target()]);
      expect(await chartSecrets()).toEqual(before);
      expect(new URL(before.app.MONGODB_URL!).password).toBe(before.mongodb['mongodb-password']);
    });

    test('an upgrade to a different master key is refused and changes nothing', async () => {
      const before = await chartSecrets();
      const { status, stderr } = await helm.run([
        'upgrade',
        RELEASE,
        CHART_DIR,
        ...target(),
        ...helm.values({ secrets: { masterKey: 'b'.repeat(64) } }),
      ]);
      expect(status).not.toBe(0);
      expect(stderr).toMatch(/secrets\.masterKey differs from the YUNSHU_MASTER_KEY already in the cluster/);
      expect(await chartSecrets()).toEqual(before);
    });

    test('rbac.responseActions grants the response actions, and turning it off takes them back', async () => {
      await helm.ok([
        'upgrade',
        RELEASE,
        CHART_DIR,
        ...target(),
        ...helm.values({ rbac: { responseActions: true } }),
      ]);
      await eventuallyAccess(RESPOND, all(RESPOND, true));
      expect(await access(NEVER)).toEqual(all(NEVER, false));

      // Explicit values: `helm upgrade` with none would reuse the last release's, responseActions included.
      await helm.ok([
        'upgrade',
        RELEASE,
        CHART_DIR,
        ...target(),
        ...helm.values({ rbac: { responseActions: false } }),
      ]);
      await eventuallyAccess(RESPOND, all(RESPOND, false));
      expect(await access(READ)).toEqual(all(READ, true));
    });

    test('uninstall keeps the Secrets, and a reinstall adopts and reuses them', async () => {
      const before = await chartSecrets();
      await helm.ok(['uninstall', RELEASE, ...target()]);
      expect(await chartSecrets()).toEqual(before);
      const gone = await core.readNamespacedConfigMap({ name: RELEASE, namespace: NAMESPACE }).then(
        () => false,
        (error: unknown) => error instanceof ApiException && error.code === 404,
      );
      expect(gone).toBe(true);

      await helm.ok(['install', RELEASE, CHART_DIR, ...target()]);
      expect(await chartSecrets()).toEqual(before);
    });
  });
});
