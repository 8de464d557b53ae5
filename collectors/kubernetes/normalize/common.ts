/** Helpers the per-kind normalizers share. */
import type { V1ObjectMeta, V1OwnerReference, V1PodSpec } from '@kubernetes/client-node';
import {
  parseQuantity,
  toArch,
  type Arch,
  type OwnerRef,
  type ResourceQuantities,
} from '../../../server/model/index.js';

/**
 * Resolves the tenant owning a namespace. `namespaceFrom` passes the namespace's labels; the
 * namespaced normalizers (pods, workloads) do not have them and pass none, so a resolver that
 * matches label selectors must look the namespace up itself (e.g. in the namespace informer cache).
 */
export type TenantOf = (
  clusterId: string,
  namespace: string,
  namespaceLabels?: Readonly<Record<string, string>>,
) => string | undefined;

/** Deterministic document id, so re-collecting the same object upserts it. */
export const docId = (clusterId: string, uid: string): string => `${clusterId}/${uid}`;

/**
 * Kubernetes time to a model timestamp. The client deserializes times into `Date`, while raw JSON
 * (fixtures, a plain `fetch`) carries RFC 3339 strings; both are accepted.
 */
export function isoTime(time: Date | string | undefined | null): string | undefined {
  if (time === undefined || time === null) return undefined;
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Text cut to `max` characters (an ellipsis marks the cut); empty text is left out. */
export const clip = (text: string | undefined, max: number): string | undefined =>
  text === undefined || text === '' ? undefined : text.length > max ? `${text.slice(0, max - 1)}…` : text;

/** The object's identity fields; throws when the API server left out what every object has. */
export function objectFields(clusterId: string, meta: V1ObjectMeta | undefined) {
  const { uid, name } = meta ?? {};
  if (!uid || !name)
    throw new TypeError(`Kubernetes object without metadata.uid/name in cluster ${clusterId}`);
  return {
    id: docId(clusterId, uid),
    schemaVersion: 1 as const,
    clusterId,
    name,
    uid,
    labels: { ...meta?.labels },
    k8sCreatedAt: isoTime(meta?.creationTimestamp),
  };
}

const QUANTITY_KEYS: readonly (readonly [string, keyof ResourceQuantities, number])[] = [
  ['cpu', 'cpuMillicores', 1e-3],
  ['memory', 'memoryBytes', 1],
  ['pods', 'pods', 1],
  ['ephemeral-storage', 'ephemeralStorageBytes', 1],
];

/** A resource list in base units; amounts that are absent or unparsable are left out. */
export function quantities(list: Readonly<Record<string, string>> | undefined): ResourceQuantities {
  const out: ResourceQuantities = {};
  for (const [key, field, unit] of QUANTITY_KEYS) {
    const raw = list?.[key];
    if (raw === undefined) continue;
    try {
      out[field] = parseQuantity(raw, unit);
    } catch {
      // A malformed amount from a misbehaving device plugin or kubelet must not drop the object.
    }
  }
  return out;
}

/** The controlling owner reference (ownerReferences with controller: true). */
export const controllerOf = (meta: V1ObjectMeta | undefined): V1OwnerReference | undefined =>
  meta?.ownerReferences?.find((ref) => ref.controller);

export const ownerRef = (ref: V1OwnerReference | undefined): OwnerRef | undefined =>
  ref ? { kind: ref.kind, name: ref.name } : undefined;

const ARCH_LABELS = ['kubernetes.io/arch', 'beta.kubernetes.io/arch'];
/** Architectures a NotIn / anything-but constraint may still land on: the ones the model names. */
const KNOWN_ARCHS: readonly Arch[] = ['amd64', 'arm64', 'loong64', 'sw64'];

const uniqueArchs = (values: readonly string[]): Arch[] => [...new Set(values.map(toArch))];

/**
 * Architectures a pod template may be scheduled on, from `kubernetes.io/arch` in the node selector
 * and in the required node affinity; empty means unconstrained (also when the constraints
 * contradict each other, which leaves the pods unschedulable rather than arch-constrained).
 * Affinity terms are ORed and expressions within a term ANDed, as the scheduler does.
 */
export function allowedArchsOf(spec: V1PodSpec | undefined): Arch[] {
  const selected = ARCH_LABELS.map((key) => spec?.nodeSelector?.[key]).filter((v) => v !== undefined);
  let allowed: Arch[] | undefined = selected.length ? uniqueArchs(selected) : undefined;

  const terms =
    spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms?.length) {
    let union: Arch[] | undefined = [];
    for (const term of terms) {
      let termArchs: Arch[] | undefined;
      for (const expr of term.matchExpressions ?? []) {
        if (!ARCH_LABELS.includes(expr.key)) continue;
        const values = expr.values ?? [];
        const exprArchs =
          expr.operator === 'In'
            ? uniqueArchs(values)
            : expr.operator === 'NotIn'
              ? KNOWN_ARCHS.filter((a) => !uniqueArchs(values).includes(a))
              : expr.operator === 'DoesNotExist'
                ? []
                : undefined; // Exists (every node has the label) or a numeric operator: no constraint
        if (exprArchs) termArchs = termArchs ? termArchs.filter((a) => exprArchs.includes(a)) : exprArchs;
      }
      if (!termArchs) {
        union = undefined; // a term without an arch expression lets every arch through
        break;
      }
      union.push(...termArchs.filter((a) => !union?.includes(a)));
    }
    if (union) allowed = allowed ? allowed.filter((a) => union.includes(a)) : union;
  }
  return allowed ?? [];
}
