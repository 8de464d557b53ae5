/**
 * The SOAR Kubernetes actions against a real kube-apiserver: each one applied, verified, checked
 * directly through the API, applied again (no change), and reverted to the original state; server
 * dry runs that change nothing; and an RBAC denial surfacing as a 403 ActionError.
 */
import { fileURLToPath } from 'node:url';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import {
  ActionError,
  cordonNode,
  deletePod,
  isolatePod,
  ISOLATION_LABEL,
  labelObject,
  policyName,
  revokeBinding,
  scaleToZero,
  type ActionContext,
} from '../../server/soar/actions/kubernetes/index.js';
import { startEnvtest, type Envtest } from './envtest.js';
import { loadFixtures } from './fixtures.js';
import { describeWithEnvtest } from './gate.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/fleet.yaml', import.meta.url));
const NS = 'gzdsj-data';
const POD = 'data-portal-7d9c5b6f4d-abcde';

const kubeConfig = (yaml: string): KubeConfig => {
  const kc = new KubeConfig();
  kc.loadFromString(yaml);
  return kc;
};

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

const statusCodeOf = (err: unknown): number | undefined => (err as { code?: number }).code;

describeWithEnvtest('Kubernetes response actions against a real kube-apiserver', () => {
  let env: Envtest;
  let ctx: ActionContext;
  let core: CoreV1Api;
  let apps: AppsV1Api;
  let net: NetworkingV1Api;
  let rbac: RbacAuthorizationV1Api;

  beforeAll(async () => {
    env = await startEnvtest({ watchCache: false });
    await loadFixtures(env.adminKubeconfig, FIXTURES);
    const kc = kubeConfig(env.adminKubeconfig);
    ctx = { kc, runId: 'run-0001' };
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    net = kc.makeApiClient(NetworkingV1Api);
    rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  }, 60_000);

  afterAll(async () => {
    await env?.stop();
  });

  describe('isolatePod', () => {
    const params = { namespace: NS, pod: POD };
    const readPolicy = () => net.readNamespacedNetworkPolicy({ name: policyName(POD), namespace: NS });

    it('dry run: reports the change, creates and labels nothing', async () => {
      const outcome = await isolatePod.apply({ ...ctx, dryRun: true }, params);
      expect(outcome).toMatchObject({ changed: true, undo: undefined });
      expect(statusCodeOf(await rejection(readPolicy()))).toBe(404);
      const pod = await core.readNamespacedPod({ name: POD, namespace: NS });
      expect(pod.metadata?.labels?.[ISOLATION_LABEL]).toBeUndefined();
      expect(await isolatePod.verify(ctx, params)).toBe(false);
    });

    it('applies a deny-all policy the API server accepts, is idempotent, and reverts', async () => {
      const before = await core.readNamespacedPod({ name: POD, namespace: NS });
      const outcome = await isolatePod.apply(ctx, params);
      expect(outcome.changed).toBe(true);
      expect(await isolatePod.verify(ctx, params)).toBe(true);

      const policy = await readPolicy();
      expect(policy.spec).toEqual({
        podSelector: { matchLabels: { [ISOLATION_LABEL]: 'run-0001' } },
        policyTypes: ['Ingress', 'Egress'],
      });
      const pod = await core.readNamespacedPod({ name: POD, namespace: NS });
      expect(pod.metadata?.labels).toEqual({ ...before.metadata?.labels, [ISOLATION_LABEL]: 'run-0001' });

      const again = await isolatePod.apply({ ...ctx, runId: 'run-0002' }, params);
      expect(again).toMatchObject({ changed: false, undo: undefined });
      expect((await readPolicy()).metadata?.resourceVersion).toBe(policy.metadata?.resourceVersion);

      await isolatePod.revert!(ctx, outcome.undo!);
      expect(statusCodeOf(await rejection(readPolicy()))).toBe(404);
      const after = await core.readNamespacedPod({ name: POD, namespace: NS });
      expect(after.metadata?.labels).toEqual(before.metadata?.labels);
      expect(await isolatePod.verify(ctx, params)).toBe(false);
    });

    it('rejects invalid parameters before touching the cluster', async () => {
      const err = await rejection(isolatePod.apply(ctx, { namespace: NS } as never));
      expect(err).toBeInstanceOf(ActionError);
      expect(err).toMatchObject({ statusCode: 400, reason: 'Invalid' });
    });
  });

  describe('cordonNode', () => {
    const params = { node: 'kp-node-1' };
    const unschedulable = async () => (await core.readNode({ name: 'kp-node-1' })).spec?.unschedulable;

    it('dry run changes nothing', async () => {
      const outcome = await cordonNode.apply({ ...ctx, dryRun: true }, params);
      expect(outcome).toMatchObject({ changed: true, evidence: { unschedulable: true }, undo: undefined });
      expect(await unschedulable()).toBeUndefined();
    });

    it('cordons, is idempotent, and reverts', async () => {
      const outcome = await cordonNode.apply(ctx, params);
      expect(outcome).toMatchObject({ changed: true, undo: { node: 'kp-node-1', wasUnschedulable: false } });
      expect(await cordonNode.verify(ctx, params)).toBe(true);
      expect(await unschedulable()).toBe(true);

      const again = await cordonNode.apply(ctx, params);
      expect(again.changed).toBe(false);
      await cordonNode.revert!(ctx, again.undo!);
      expect(await unschedulable()).toBe(true);

      await cordonNode.revert!(ctx, outcome.undo!);
      expect(await unschedulable()).toBeUndefined();
      expect(await cordonNode.verify(ctx, params)).toBe(false);
    });

    it('fails with a 403 ActionError naming verb and resource when RBAC denies it, changing nothing', async () => {
      const denied = { kc: kubeConfig(await env.restrictedKubeconfig('soar-no-rights')), runId: 'run-0003' };
      const err = await rejection(cordonNode.apply(denied, params));
      expect(err).toBeInstanceOf(ActionError);
      expect(err).toMatchObject({ statusCode: 403, reason: 'Forbidden' });
      expect((err as Error).message).toMatch(/cannot (get|patch) resource "nodes"/);
      expect(await unschedulable()).toBeUndefined();
    });
  });

  describe('scaleToZero', () => {
    const params = { namespace: NS, kind: 'Deployment' as const, name: 'data-portal' };
    // Scale.spec.replicas is omitempty: 0 arrives as an absent field.
    const replicas = async () =>
      (await apps.readNamespacedDeploymentScale({ name: 'data-portal', namespace: NS })).spec?.replicas ?? 0;

    it('dry run changes nothing', async () => {
      const outcome = await scaleToZero.apply({ ...ctx, dryRun: true }, params);
      expect(outcome).toMatchObject({ changed: true, evidence: { replicas: 2 }, undo: undefined });
      expect(await replicas()).toBe(2);
    });

    it('scales to zero through /scale, is idempotent, and restores the replicas', async () => {
      const outcome = await scaleToZero.apply(ctx, params);
      expect(outcome).toMatchObject({ changed: true, undo: { ...params, replicas: 2 } });
      expect(await scaleToZero.verify(ctx, params)).toBe(true);
      expect(await replicas()).toBe(0);
      const deployment = await apps.readNamespacedDeployment({ name: 'data-portal', namespace: NS });
      expect(deployment.spec?.replicas).toBe(0);

      expect((await scaleToZero.apply(ctx, params)).changed).toBe(false);

      await scaleToZero.revert!(ctx, outcome.undo!);
      expect(await replicas()).toBe(2);
      expect(await scaleToZero.verify(ctx, params)).toBe(false);
    });
  });

  describe('revokeBinding', () => {
    const params = { kind: 'RoleBinding' as const, namespace: NS, name: 'gzdsj-developers' };
    const read = () => rbac.readNamespacedRoleBinding({ name: 'gzdsj-developers', namespace: NS });

    it('dry run changes nothing', async () => {
      const before = await read();
      const outcome = await revokeBinding.apply({ ...ctx, dryRun: true }, params);
      expect(outcome).toMatchObject({ changed: true, undo: undefined });
      expect((await read()).metadata?.uid).toBe(before.metadata?.uid);
    });

    it('captures and deletes the binding, is idempotent, and recreates it', async () => {
      const before = await read();
      const outcome = await revokeBinding.apply(ctx, params);
      expect(outcome.changed).toBe(true);
      const evidence = outcome.evidence as typeof before;
      expect(evidence.metadata).not.toHaveProperty('managedFields');
      expect(evidence.metadata).not.toHaveProperty('resourceVersion');
      expect(evidence.metadata).not.toHaveProperty('uid');
      expect(evidence).toMatchObject({ roleRef: before.roleRef, subjects: before.subjects });
      expect(statusCodeOf(await rejection(read()))).toBe(404);
      expect(await revokeBinding.verify(ctx, params)).toBe(true);

      expect((await revokeBinding.apply(ctx, params)).changed).toBe(false);

      // The undo survives a round trip through JSON, as the engine persists it.
      await revokeBinding.revert!(ctx, JSON.parse(JSON.stringify(outcome.undo)));
      const after = await read();
      expect(after.roleRef).toEqual(before.roleRef);
      expect(after.subjects).toEqual(before.subjects);
      expect(after.metadata?.name).toBe(before.metadata?.name);
      expect(await revokeBinding.verify(ctx, params)).toBe(false);
    });
  });

  describe('labelObject', () => {
    const params = {
      kind: 'Node' as const,
      name: 'ft-node-1',
      labels: { 'yunshu.io/quarantine': 'case-42', 'kubernetes.io/os': 'quarantined' },
      annotations: { 'yunshu.io/cpu-part': null },
    };
    const readNode = () => core.readNode({ name: 'ft-node-1' });

    it('dry run changes nothing', async () => {
      const before = await readNode();
      const outcome = await labelObject.apply({ ...ctx, dryRun: true }, params);
      expect(outcome).toMatchObject({ changed: true, undo: undefined });
      const after = await readNode();
      expect(after.metadata?.labels).toEqual(before.metadata?.labels);
      expect(after.metadata?.annotations).toEqual(before.metadata?.annotations);
    });

    it('merge-patches, is idempotent, and restores previous values and absent keys', async () => {
      const before = await readNode();
      const outcome = await labelObject.apply(ctx, params);
      expect(outcome).toMatchObject({
        changed: true,
        undo: {
          labels: { 'yunshu.io/quarantine': null, 'kubernetes.io/os': 'linux' },
          annotations: { 'yunshu.io/cpu-part': '0x662' },
        },
      });
      expect(await labelObject.verify(ctx, params)).toBe(true);
      const patched = await readNode();
      expect(patched.metadata?.labels).toEqual({
        ...before.metadata?.labels,
        'yunshu.io/quarantine': 'case-42',
        'kubernetes.io/os': 'quarantined',
      });
      expect(patched.metadata?.annotations).not.toHaveProperty('yunshu.io/cpu-part');

      expect((await labelObject.apply(ctx, params)).changed).toBe(false);

      await labelObject.revert!(ctx, outcome.undo!);
      const after = await readNode();
      expect(after.metadata?.labels).toEqual(before.metadata?.labels);
      expect(after.metadata?.annotations).toEqual(before.metadata?.annotations);
    });

    it('labels a namespaced object, and requires its namespace', async () => {
      const pod = { kind: 'Pod' as const, namespace: NS, name: POD, labels: { 'yunshu.io/case': 'case-42' } };
      const outcome = await labelObject.apply(ctx, pod);
      expect(outcome.changed).toBe(true);
      const read = () => core.readNamespacedPod({ name: POD, namespace: NS });
      expect((await read()).metadata?.labels?.['yunshu.io/case']).toBe('case-42');
      await labelObject.revert!(ctx, outcome.undo!);
      expect((await read()).metadata?.labels).not.toHaveProperty('yunshu.io/case');

      const err = await rejection(labelObject.apply(ctx, { ...pod, namespace: undefined }));
      expect(err).toMatchObject({ statusCode: 400, reason: 'Invalid' });
    });
  });

  describe('deletePod', () => {
    it('dry run changes nothing', async () => {
      const params = { namespace: 'gzgat-app', pod: 'case-sync-0' };
      const outcome = await deletePod.apply({ ...ctx, dryRun: true }, params);
      expect(outcome.changed).toBe(true);
      const pod = await core.readNamespacedPod({ name: 'case-sync-0', namespace: 'gzgat-app' });
      expect(pod.metadata?.deletionTimestamp).toBeUndefined();
      expect(await deletePod.verify(ctx, params)).toBe(false);
    });

    it('captures the pod as evidence, then deletes it; a second apply changes nothing', async () => {
      const params = { namespace: 'gzgat-app', pod: 'case-sync-0', gracePeriodSeconds: 0 };
      const outcome = await deletePod.apply(ctx, params);
      expect(outcome.changed).toBe(true);
      expect(outcome.undo).toBeUndefined();
      expect(deletePod.revert).toBeUndefined();
      expect(outcome.evidence).toMatchObject({
        metadata: { name: 'case-sync-0', namespace: 'gzgat-app' },
        spec: { nodeName: 'ft-node-1' },
        status: { phase: 'Running' },
      });
      expect((outcome.evidence as { metadata: object }).metadata).not.toHaveProperty('managedFields');
      expect(
        statusCodeOf(
          await rejection(core.readNamespacedPod({ name: 'case-sync-0', namespace: 'gzgat-app' })),
        ),
      ).toBe(404);
      expect(await deletePod.verify(ctx, params)).toBe(true);
      expect((await deletePod.apply(ctx, params)).changed).toBe(false);
    });

    it('graceful deletion leaves a bound pod terminating (no kubelet), which counts as deleted', async () => {
      const params = { namespace: NS, pod: POD };
      expect((await deletePod.apply(ctx, params)).changed).toBe(true);
      const pod = await core.readNamespacedPod({ name: POD, namespace: NS });
      expect(pod.metadata?.deletionTimestamp).toBeDefined();
      expect(await deletePod.verify(ctx, params)).toBe(true);
      expect((await deletePod.apply(ctx, params)).changed).toBe(false);
    });
  });
});
