/**
 * Cuts a Pod off the network: a deny-all NetworkPolicy selecting a quarantine label, then the label
 * on the Pod. The policy comes first so that the moment the label lands, the Pod is isolated.
 */
import { CoreV1Api, NetworkingV1Api, type V1NetworkPolicy } from '@kubernetes/client-node';
import { z } from 'zod';
import {
  dryRunOf,
  FIELD_MANAGER,
  kube,
  kubeOrNull,
  mergePatch,
  parseParams,
  type ActionContext,
  type KubeAction,
} from './types.js';

export const ISOLATION_LABEL = 'yunshu.io/isolated';

const params = z.object({ namespace: z.string().min(1), pod: z.string().min(1) });
export type IsolatePodParams = z.infer<typeof params>;

export interface IsolatePodUndo {
  namespace: string;
  pod: string;
  /** Only a policy this run created is deleted on revert. */
  policyCreated: boolean;
  /** The label's value before this run; null when it was absent. */
  previousLabel: string | null;
}

export const policyName = (pod: string): string => `yunshu-isolate-${pod}`;

function isolationPolicy(namespace: string, pod: string, value: string, runId: string): V1NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: policyName(pod),
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'yunshu' },
      annotations: { 'yunshu.io/run-id': runId },
    },
    // Both policy types with no rules: nothing in, nothing out.
    spec: { podSelector: { matchLabels: { [ISOLATION_LABEL]: value } }, policyTypes: ['Ingress', 'Egress'] },
  };
}

// The label value the existing policy selects, so a second run joins an isolation already in place
// instead of relabelling the Pod away from it.
const selectedValue = (policy: V1NetworkPolicy | null): string | undefined =>
  policy?.spec?.podSelector?.matchLabels?.[ISOLATION_LABEL];

export const isolatePod: KubeAction<IsolatePodParams, IsolatePodUndo> = {
  name: 'isolatePod',
  params,

  async apply(ctx: ActionContext, raw: IsolatePodParams) {
    const { namespace, pod } = parseParams(params, 'isolatePod', raw);
    const core = ctx.kc.makeApiClient(CoreV1Api);
    const net = ctx.kc.makeApiClient(NetworkingV1Api);
    const dryRun = dryRunOf(ctx);
    const name = policyName(pod);

    const current = await kube(`get pods ${namespace}/${pod}`, () =>
      core.readNamespacedPod({ name: pod, namespace }),
    );
    const existing = await kubeOrNull(`get networkpolicies ${namespace}/${name}`, () =>
      net.readNamespacedNetworkPolicy({ name, namespace }),
    );
    const value = selectedValue(existing) ?? ctx.runId;
    const previousLabel = current.metadata?.labels?.[ISOLATION_LABEL] ?? null;
    const policy = isolationPolicy(namespace, pod, value, ctx.runId);

    const created = existing
      ? null
      : await kube(`create networkpolicies ${namespace}/${name}`, () =>
          net.createNamespacedNetworkPolicy({ namespace, body: policy, dryRun, fieldManager: FIELD_MANAGER }),
        );
    const relabel = previousLabel !== value;
    if (relabel) {
      await kube(`patch pods ${namespace}/${pod}`, () =>
        core.patchNamespacedPod(
          {
            name: pod,
            namespace,
            body: { metadata: { labels: { [ISOLATION_LABEL]: value } } },
            dryRun,
            fieldManager: FIELD_MANAGER,
          },
          mergePatch,
        ),
      );
    }

    const changed = created !== null || relabel;
    const verb = ctx.dryRun ? 'would isolate' : 'isolated';
    return {
      changed,
      summary: changed
        ? `${verb} pod ${namespace}/${pod} with NetworkPolicy ${name}`
        : `pod ${namespace}/${pod} was already isolated by NetworkPolicy ${name}`,
      evidence: { policy: created ?? existing, label: { [ISOLATION_LABEL]: value } },
      undo:
        changed && !ctx.dryRun
          ? { namespace, pod, policyCreated: created !== null, previousLabel }
          : undefined,
    };
  },

  async verify(ctx: ActionContext, raw: IsolatePodParams) {
    const { namespace, pod } = parseParams(params, 'isolatePod', raw);
    const name = policyName(pod);
    const policy = await kubeOrNull(`get networkpolicies ${namespace}/${name}`, () =>
      ctx.kc.makeApiClient(NetworkingV1Api).readNamespacedNetworkPolicy({ name, namespace }),
    );
    const value = selectedValue(policy);
    if (!policy || value === undefined) return false;
    const current = await kubeOrNull(`get pods ${namespace}/${pod}`, () =>
      ctx.kc.makeApiClient(CoreV1Api).readNamespacedPod({ name: pod, namespace }),
    );
    return current?.metadata?.labels?.[ISOLATION_LABEL] === value;
  },

  async revert(ctx: ActionContext, undo: IsolatePodUndo) {
    const { namespace, pod } = undo;
    const name = policyName(pod);
    // A Pod or policy that is already gone needs no reverting, hence kubeOrNull.
    await kubeOrNull(`patch pods ${namespace}/${pod}`, () =>
      ctx.kc.makeApiClient(CoreV1Api).patchNamespacedPod(
        {
          name: pod,
          namespace,
          body: { metadata: { labels: { [ISOLATION_LABEL]: undo.previousLabel } } },
          fieldManager: FIELD_MANAGER,
        },
        mergePatch,
      ),
    );
    if (undo.policyCreated) {
      await kubeOrNull(`delete networkpolicies ${namespace}/${name}`, () =>
        ctx.kc.makeApiClient(NetworkingV1Api).deleteNamespacedNetworkPolicy({ name, namespace }),
      );
    }
  },
};
