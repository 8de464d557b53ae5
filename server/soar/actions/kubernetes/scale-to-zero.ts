/**
 * Stops a workload by scaling it to zero replicas, only through the /scale subresource: that needs
 * no write access to the workload itself and cannot touch anything but the replica count.
 */
import { AppsV1Api, type V1Scale } from '@kubernetes/client-node';
import { z } from 'zod';
import { dryRunOf, FIELD_MANAGER, kube, parseParams, type ActionContext, type KubeAction } from './types.js';

const params = z.object({
  namespace: z.string().min(1),
  kind: z.enum(['Deployment', 'StatefulSet']),
  name: z.string().min(1),
});
export type ScaleToZeroParams = z.infer<typeof params>;

export interface ScaleToZeroUndo extends ScaleToZeroParams {
  replicas: number;
}

function scaleApi(ctx: ActionContext, { namespace, kind, name }: ScaleToZeroParams) {
  const apps = ctx.kc.makeApiClient(AppsV1Api);
  const resource = `${kind === 'Deployment' ? 'deployments' : 'statefulsets'}/scale ${namespace}/${name}`;
  return {
    read: () =>
      kube(`get ${resource}`, () =>
        kind === 'Deployment'
          ? apps.readNamespacedDeploymentScale({ name, namespace })
          : apps.readNamespacedStatefulSetScale({ name, namespace }),
      ),
    // The read scale's resourceVersion rides along, so a concurrent change fails with 409, not lost.
    replace: (body: V1Scale, dryRun?: string) =>
      kube(`update ${resource}`, () =>
        kind === 'Deployment'
          ? apps.replaceNamespacedDeploymentScale({
              name,
              namespace,
              body,
              dryRun,
              fieldManager: FIELD_MANAGER,
            })
          : apps.replaceNamespacedStatefulSetScale({
              name,
              namespace,
              body,
              dryRun,
              fieldManager: FIELD_MANAGER,
            }),
      ),
  };
}

export const scaleToZero: KubeAction<ScaleToZeroParams, ScaleToZeroUndo> = {
  name: 'scaleToZero',
  params,

  async apply(ctx: ActionContext, raw: ScaleToZeroParams) {
    const target = parseParams(params, 'scaleToZero', raw);
    const api = scaleApi(ctx, target);
    const scale = await api.read();
    const replicas = scale.spec?.replicas ?? 0;
    const what = `${target.kind} ${target.namespace}/${target.name}`;
    if (replicas === 0) {
      return { changed: false, summary: `${what} was already at 0 replicas`, undo: { ...target, replicas } };
    }
    await api.replace({ ...scale, spec: { ...scale.spec, replicas: 0 } }, dryRunOf(ctx));
    return {
      changed: true,
      summary: `${ctx.dryRun ? 'would scale' : 'scaled'} ${what} from ${replicas} to 0 replicas`,
      evidence: { replicas },
      undo: ctx.dryRun ? undefined : { ...target, replicas },
    };
  },

  async verify(ctx: ActionContext, raw: ScaleToZeroParams) {
    const scale = await scaleApi(ctx, parseParams(params, 'scaleToZero', raw)).read();
    return (scale.spec?.replicas ?? 0) === 0;
  },

  async revert(ctx: ActionContext, undo: ScaleToZeroUndo) {
    const api = scaleApi(ctx, undo);
    const scale = await api.read();
    if (scale.spec?.replicas === undo.replicas) return;
    await api.replace({ ...scale, spec: { ...scale.spec, replicas: undo.replicas } });
  },
};
