/**
 * Deletes a Pod, capturing it first as evidence. There is deliberately no revert: what deletion
 * stops is the running containers and their in-memory state, which no API call can bring back. A
 * Pod recreated from the captured spec would be a new Pod (new UID, fresh processes), and one owned
 * by a controller is replaced by that controller anyway.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import { z } from 'zod';
import { dryRunList, kube, kubeOrNull, parseParams, type ActionContext, type KubeAction } from './types.js';

const params = z.object({
  namespace: z.string().min(1),
  pod: z.string().min(1),
  /** Omitted: the Pod's own grace period. 0 removes it from the API at once, without waiting for the kubelet. */
  gracePeriodSeconds: z.number().int().min(0).optional(),
});
export type DeletePodParams = z.infer<typeof params>;

export const deletePod: KubeAction<DeletePodParams, never> = {
  name: 'deletePod',
  params,

  async apply(ctx: ActionContext, raw: DeletePodParams) {
    const { namespace, pod, gracePeriodSeconds } = parseParams(params, 'deletePod', raw);
    const core = ctx.kc.makeApiClient(CoreV1Api);
    const current = await kubeOrNull(`get pods ${namespace}/${pod}`, () =>
      core.readNamespacedPod({ name: pod, namespace }),
    );
    // A Pod already terminating was deleted before; deleting again would only shorten its grace period.
    if (!current || current.metadata?.deletionTimestamp) {
      return { changed: false, summary: `pod ${namespace}/${pod} was already deleted` };
    }
    const { managedFields: _managedFields, ...metadata } = current.metadata ?? {};
    const evidence = { ...current, metadata };
    await kube(`delete pods ${namespace}/${pod}`, () =>
      core.deleteNamespacedPod({
        name: pod,
        namespace,
        // With a DeleteOptions body the API server ignores the query parameters, so all options go here.
        // The uid precondition deletes exactly the Pod captured as evidence, not a same-named successor.
        body: { preconditions: { uid: current.metadata?.uid }, dryRun: dryRunList(ctx), gracePeriodSeconds },
      }),
    );
    return {
      changed: true,
      summary: `${ctx.dryRun ? 'would delete' : 'deleted'} pod ${namespace}/${pod}`,
      evidence,
    };
  },

  // Deleted means gone from the API or terminating: without a kubelet confirming, a Pod bound to a
  // node stays visible with a deletionTimestamp until its grace period is over.
  async verify(ctx: ActionContext, raw: DeletePodParams) {
    const { namespace, pod } = parseParams(params, 'deletePod', raw);
    const current = await kubeOrNull(`get pods ${namespace}/${pod}`, () =>
      ctx.kc.makeApiClient(CoreV1Api).readNamespacedPod({ name: pod, namespace }),
    );
    return !current || Boolean(current.metadata?.deletionTimestamp);
  },
};
