/** Sets (or, with null, removes) labels and annotations on an object, e.g. to mark it under investigation. */
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { z } from 'zod';
import { dryRunOf, FIELD_MANAGER, kube, parseParams, type ActionContext, type KubeAction } from './types.js';

const API_VERSIONS = { Pod: 'v1', Node: 'v1', Namespace: 'v1', Deployment: 'apps/v1' } as const;
const NAMESPACED = new Set(['Pod', 'Deployment']);

// null removes the key (merge-patch semantics); undo uses the same shape to restore absent keys.
const entries = z.record(z.string().min(1), z.string().nullable());

const params = z
  .object({
    kind: z.enum(['Pod', 'Node', 'Namespace', 'Deployment']),
    namespace: z.string().min(1).optional(),
    name: z.string().min(1),
    labels: entries.optional(),
    annotations: entries.optional(),
  })
  .refine((p) => NAMESPACED.has(p.kind) === (p.namespace !== undefined), {
    message: 'namespace is required for Pod and Deployment, and not allowed for Node and Namespace',
    path: ['namespace'],
  })
  .refine((p) => Object.keys({ ...p.labels, ...p.annotations }).length > 0, {
    message: 'give at least one label or annotation',
  });
export type LabelObjectParams = z.infer<typeof params>;

export interface LabelObjectUndo {
  kind: LabelObjectParams['kind'];
  namespace?: string;
  name: string;
  labels: Record<string, string | null>;
  annotations: Record<string, string | null>;
}

type Target = Pick<LabelObjectParams, 'kind' | 'namespace' | 'name'>;

const header = ({ kind, namespace, name }: Target): KubernetesObject & { metadata: { name: string } } => ({
  apiVersion: API_VERSIONS[kind],
  kind,
  metadata: namespace ? { name, namespace } : { name },
});

const resourceOf = ({ kind, namespace, name }: Target): string =>
  `${kind.toLowerCase()}s ${namespace ? `${namespace}/` : ''}${name}`;

/** The keys of `wanted` whose current value differs, mapped to that current value (null if absent). */
function previous(
  current: Record<string, string> | undefined,
  wanted: Record<string, string | null> | undefined,
): Record<string, string | null> {
  return Object.fromEntries(
    Object.entries(wanted ?? {})
      .map(([key, value]) => [key, current?.[key] ?? null, value] as const)
      .filter(([, before, value]) => before !== value)
      .map(([key, before]) => [key, before]),
  );
}

async function patch(
  ctx: ActionContext,
  target: Target,
  labels: Record<string, string | null>,
  annotations: Record<string, string | null>,
  dryRun?: string,
): Promise<void> {
  // The nulls that delete keys in a merge patch have no place in the client's object type.
  const body = {
    ...header(target),
    metadata: { ...header(target).metadata, labels, annotations },
  } as KubernetesObject;
  await kube(`patch ${resourceOf(target)}`, () =>
    KubernetesObjectApi.makeApiClient(ctx.kc).patch(
      body,
      undefined,
      dryRun,
      FIELD_MANAGER,
      undefined,
      PatchStrategy.MergePatch,
    ),
  );
}

export const labelObject: KubeAction<LabelObjectParams, LabelObjectUndo> = {
  name: 'labelObject',
  params,

  async apply(ctx: ActionContext, raw: LabelObjectParams) {
    const p = parseParams(params, 'labelObject', raw);
    const current = await kube(`get ${resourceOf(p)}`, () =>
      KubernetesObjectApi.makeApiClient(ctx.kc).read(header(p)),
    );
    const labels = previous(current.metadata?.labels, p.labels);
    const annotations = previous(current.metadata?.annotations, p.annotations);
    const keys = [...Object.keys(labels), ...Object.keys(annotations)];
    if (keys.length === 0) {
      return {
        changed: false,
        summary: `${resourceOf(p)} already carries the requested labels and annotations`,
      };
    }
    // Only the keys that differ are patched, so the undo never overwrites anything it did not set.
    const pick = (wanted: Record<string, string | null> | undefined, keysOf: Record<string, unknown>) =>
      Object.fromEntries(Object.keys(keysOf).map((key) => [key, wanted?.[key] ?? null]));
    await patch(ctx, p, pick(p.labels, labels), pick(p.annotations, annotations), dryRunOf(ctx));
    return {
      changed: true,
      summary: `${ctx.dryRun ? 'would set' : 'set'} ${keys.join(', ')} on ${resourceOf(p)}`,
      evidence: { previous: { labels, annotations } },
      undo: ctx.dryRun
        ? undefined
        : { kind: p.kind, namespace: p.namespace, name: p.name, labels, annotations },
    };
  },

  async verify(ctx: ActionContext, raw: LabelObjectParams) {
    const p = parseParams(params, 'labelObject', raw);
    const current = await kube(`get ${resourceOf(p)}`, () =>
      KubernetesObjectApi.makeApiClient(ctx.kc).read(header(p)),
    );
    const keys = Object.keys({
      ...previous(current.metadata?.labels, p.labels),
      ...previous(current.metadata?.annotations, p.annotations),
    });
    return keys.length === 0;
  },

  async revert(ctx: ActionContext, undo: LabelObjectUndo) {
    await patch(ctx, undo, undo.labels, undo.annotations);
  },
};
