/** Marks a Node unschedulable, as `kubectl cordon` does; running Pods are left alone. */
import { CoreV1Api } from '@kubernetes/client-node';
import { z } from 'zod';
import {
  dryRunOf,
  FIELD_MANAGER,
  kube,
  mergePatch,
  parseParams,
  type ActionContext,
  type KubeAction,
} from './types.js';

const params = z.object({ node: z.string().min(1) });
export type CordonNodeParams = z.infer<typeof params>;

export interface CordonNodeUndo {
  node: string;
  /** A node cordoned before this run stays cordoned on revert. */
  wasUnschedulable: boolean;
}

export const cordonNode: KubeAction<CordonNodeParams, CordonNodeUndo> = {
  name: 'cordonNode',
  params,

  async apply(ctx: ActionContext, raw: CordonNodeParams) {
    const { node } = parseParams(params, 'cordonNode', raw);
    const core = ctx.kc.makeApiClient(CoreV1Api);
    const current = await kube(`get nodes ${node}`, () => core.readNode({ name: node }));
    const wasUnschedulable = current.spec?.unschedulable === true;
    if (wasUnschedulable) {
      return {
        changed: false,
        summary: `node ${node} was already cordoned`,
        undo: { node, wasUnschedulable },
      };
    }
    const patched = await kube(`patch nodes ${node}`, () =>
      core.patchNode(
        {
          name: node,
          body: { spec: { unschedulable: true } },
          dryRun: dryRunOf(ctx),
          fieldManager: FIELD_MANAGER,
        },
        mergePatch,
      ),
    );
    return {
      changed: true,
      summary: `${ctx.dryRun ? 'would cordon' : 'cordoned'} node ${node}`,
      evidence: { unschedulable: patched.spec?.unschedulable },
      undo: ctx.dryRun ? undefined : { node, wasUnschedulable },
    };
  },

  async verify(ctx: ActionContext, raw: CordonNodeParams) {
    const { node } = parseParams(params, 'cordonNode', raw);
    const current = await kube(`get nodes ${node}`, () =>
      ctx.kc.makeApiClient(CoreV1Api).readNode({ name: node }),
    );
    return current.spec?.unschedulable === true;
  },

  async revert(ctx: ActionContext, undo: CordonNodeUndo) {
    if (undo.wasUnschedulable) return;
    // null removes the field, leaving the spec as it was before (an uncordoned node has no field).
    await kube(`patch nodes ${undo.node}`, () =>
      ctx.kc
        .makeApiClient(CoreV1Api)
        .patchNode(
          { name: undo.node, body: { spec: { unschedulable: null } }, fieldManager: FIELD_MANAGER },
          mergePatch,
        ),
    );
  },
};
