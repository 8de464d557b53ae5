/**
 * Revokes access by deleting a RoleBinding or ClusterRoleBinding. The binding is captured first:
 * it is the evidence of what access existed, and all revert() needs to recreate it.
 */
import {
  RbacAuthorizationV1Api,
  type V1ClusterRoleBinding,
  type V1RoleBinding,
} from '@kubernetes/client-node';
import { z } from 'zod';
import {
  ActionError,
  dryRunList,
  FIELD_MANAGER,
  kube,
  kubeOrNull,
  parseParams,
  type ActionContext,
  type KubeAction,
} from './types.js';

const params = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('RoleBinding'), namespace: z.string().min(1), name: z.string().min(1) }),
  z.object({
    kind: z.literal('ClusterRoleBinding'),
    namespace: z.undefined().optional(),
    name: z.string().min(1),
  }),
]);
export type RevokeBindingParams = z.infer<typeof params>;

export type RevokeBindingUndo =
  | { kind: 'RoleBinding'; binding: V1RoleBinding }
  | { kind: 'ClusterRoleBinding'; binding: V1ClusterRoleBinding };

type Binding = V1RoleBinding | V1ClusterRoleBinding;

const resourceOf = (p: RevokeBindingParams): string =>
  p.kind === 'RoleBinding' ? `rolebindings ${p.namespace}/${p.name}` : `clusterrolebindings ${p.name}`;

function read(rbac: RbacAuthorizationV1Api, p: RevokeBindingParams): Promise<Binding | null> {
  return kubeOrNull(`get ${resourceOf(p)}`, () =>
    p.kind === 'RoleBinding'
      ? rbac.readNamespacedRoleBinding({ name: p.name, namespace: p.namespace })
      : rbac.readClusterRoleBinding({ name: p.name }),
  );
}

// Server-assigned fields would make the recreate fail (resourceVersion) or are noise in evidence.
function portable(binding: Binding): Binding {
  const { managedFields: _m, resourceVersion: _r, uid: _u, ...metadata } = binding.metadata ?? {};
  return { ...binding, metadata };
}

export const revokeBinding: KubeAction<RevokeBindingParams, RevokeBindingUndo> = {
  name: 'revokeBinding',
  params,

  async apply(ctx: ActionContext, raw: RevokeBindingParams) {
    const p = parseParams(params, 'revokeBinding', raw);
    const rbac = ctx.kc.makeApiClient(RbacAuthorizationV1Api);
    const current = await read(rbac, p);
    if (!current) return { changed: false, summary: `${resourceOf(p)} was already absent` };

    const evidence = portable(current);
    // With a DeleteOptions body the API server ignores the query parameters, so dryRun goes here too.
    // The preconditions delete exactly the binding captured as evidence, not one recreated meanwhile.
    const body = {
      preconditions: { uid: current.metadata?.uid, resourceVersion: current.metadata?.resourceVersion },
      dryRun: dryRunList(ctx),
    };
    await kube(`delete ${resourceOf(p)}`, () =>
      p.kind === 'RoleBinding'
        ? rbac.deleteNamespacedRoleBinding({ name: p.name, namespace: p.namespace, body })
        : rbac.deleteClusterRoleBinding({ name: p.name, body }),
    );
    return {
      changed: true,
      summary: `${ctx.dryRun ? 'would revoke' : 'revoked'} ${resourceOf(p)} (roleRef ${current.roleRef.kind}/${current.roleRef.name})`,
      evidence,
      undo: ctx.dryRun ? undefined : ({ kind: p.kind, binding: evidence } as RevokeBindingUndo),
    };
  },

  async verify(ctx: ActionContext, raw: RevokeBindingParams) {
    const p = parseParams(params, 'revokeBinding', raw);
    return (await read(ctx.kc.makeApiClient(RbacAuthorizationV1Api), p)) === null;
  },

  async revert(ctx: ActionContext, undo: RevokeBindingUndo) {
    const rbac = ctx.kc.makeApiClient(RbacAuthorizationV1Api);
    const name = undo.binding.metadata?.name ?? '';
    const namespace = undo.binding.metadata?.namespace ?? '';
    const what =
      undo.kind === 'RoleBinding' ? `rolebindings ${namespace}/${name}` : `clusterrolebindings ${name}`;
    try {
      await kube(`create ${what}`, () =>
        undo.kind === 'RoleBinding'
          ? rbac.createNamespacedRoleBinding({ namespace, body: undo.binding, fieldManager: FIELD_MANAGER })
          : rbac.createClusterRoleBinding({ body: undo.binding, fieldManager: FIELD_MANAGER }),
      );
    } catch (err) {
      // Already recreated (an earlier revert, or by hand): the access is back either way.
      if (err instanceof ActionError && err.statusCode === 409) return;
      throw err;
    }
  },
};
