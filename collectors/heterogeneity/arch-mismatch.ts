/**
 * Finds workloads whose images lack an architecture they run on or may be scheduled on: the
 * 信创 migration failure where an amd64-only image lands on a Kunpeng or Phytium node.
 *
 * Evidence, strongest first:
 * - exec-format-error: a container ended with "exec format error", so the kernel refused the
 *   binary on that node's arch (strong);
 * - image-index-lacks-arch: the registry's image index has no entry for an arch the workload can
 *   be scheduled on (strong, needs the stored `images[].archs` or an ImagePlatformResolver);
 * - crashloop-on-one-arch-only: pods crash-loop on arch X and none run there, while the same
 *   workload (or the same images elsewhere in the fleet) runs on arch Y (medium: an app bug that
 *   only shows on one arch looks the same).
 * Taints and tolerations are not in the model, so "may be scheduled on" is an over-approximation
 * from the node selector and the kubernetes.io/arch constraints only.
 */
import {
  toArch,
  type Arch,
  type Node,
  type Pod,
  type Severity,
  type Workload,
} from '../../server/model/index.js';

export interface ImagePlatformResolver {
  /** Platforms as os/arch[/variant] (e.g. linux/arm64/v8); undefined when the registry cannot tell. */
  platformsOf(image: string): Promise<string[] | undefined>;
}

export type ArchEvidenceKind = 'exec-format-error' | 'crashloop-on-one-arch-only' | 'image-index-lacks-arch';

export interface ArchEvidence {
  kind: ArchEvidenceKind;
  podId?: string;
  arch: Arch;
  detail: string;
}

export interface ArchMismatchFinding {
  workloadId: string;
  clusterId: string;
  namespace: string;
  kind: Workload['kind'];
  name: string;
  images: string[];
  /** Archs the workload runs on or may be scheduled on in its cluster. */
  nodeArches: Arch[];
  evidence: ArchEvidence[];
  /** Archs the evidence says the images lack. */
  missingArches: Arch[];
  severity: Severity;
}

export type NodeInput = Pick<Node, 'clusterId' | 'name' | 'arch' | 'labels'>;
export type PodInput = Pick<
  Pod,
  'id' | 'clusterId' | 'namespace' | 'name' | 'phase' | 'nodeName' | 'owner' | 'containers'
>;
export type WorkloadInput = Pick<
  Workload,
  | 'id'
  | 'clusterId'
  | 'namespace'
  | 'kind'
  | 'name'
  | 'images'
  | 'nodeSelector'
  | 'allowedArchs'
  | 'owner'
  | 'replicas'
>;

export interface ArchMismatchInput {
  nodes: readonly NodeInput[];
  pods: readonly PodInput[];
  workloads: readonly WorkloadInput[];
  resolver?: ImagePlatformResolver;
}

const ARCH_ORDER: readonly Arch[] = ['amd64', 'arm64', 'loong64', 'sw64', 'other'];
const byArch = (a: Arch, b: Arch) => ARCH_ORDER.indexOf(a) - ARCH_ORDER.indexOf(b);
const sortedArchs = (archs: Iterable<Arch>) => [...new Set(archs)].sort(byArch);
const key = (...parts: string[]) => parts.join('\u0000');
const EXEC_FORMAT = /exec format error/i;
const MAX_DETAIL = 300;
const clip = (text: string) => (text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL - 1)}…` : text);

const crashLooping = (pod: PodInput) => pod.containers.some((c) => c.reason === 'CrashLoopBackOff');
const healthy = (pod: PodInput) =>
  pod.phase === 'Running' && pod.containers.filter((c) => !c.init).every((c) => c.ready);

/** Per workload: its pods and, per arch, which of them crash-loop and which run. */
interface WorkloadState {
  workload: WorkloadInput;
  pods: { pod: PodInput; arch: Arch | undefined }[];
  crashing: Map<Arch, PodInput[]>;
  healthyArchs: Set<Arch>;
  imageSignature: string;
}

export async function findArchMismatches(input: ArchMismatchInput): Promise<ArchMismatchFinding[]> {
  const nodeArch = new Map(input.nodes.map((n) => [key(n.clusterId, n.name), n.arch]));
  const byRef = new Map(input.workloads.map((w) => [key(w.clusterId, w.namespace, w.kind, w.name), w]));

  // Pods belong to the top-level workload: a CronJob's Job is reported as the CronJob.
  const topLevel = (w: WorkloadInput): WorkloadInput => {
    let current = w;
    for (let depth = 0; current.owner && depth < 5; depth++) {
      const parent = byRef.get(
        key(current.clusterId, current.namespace, current.owner.kind, current.owner.name),
      );
      if (!parent) break;
      current = parent;
    }
    return current;
  };

  const states = new Map<string, WorkloadState>();
  for (const w of input.workloads) {
    if (topLevel(w) !== w) continue;
    const imageSignature = w.images
      .map((i) => i.image)
      .sort()
      .join('\n');
    states.set(w.id, { workload: w, pods: [], crashing: new Map(), healthyArchs: new Set(), imageSignature });
  }
  for (const pod of input.pods) {
    if (!pod.owner) continue;
    const owner = byRef.get(key(pod.clusterId, pod.namespace, pod.owner.kind, pod.owner.name));
    const state = owner && states.get(topLevel(owner).id);
    if (!state) continue;
    const arch = pod.nodeName ? nodeArch.get(key(pod.clusterId, pod.nodeName)) : undefined;
    state.pods.push({ pod, arch });
    if (!arch) continue;
    if (healthy(pod)) state.healthyArchs.add(arch);
    else if (crashLooping(pod)) state.crashing.set(arch, [...(state.crashing.get(arch) ?? []), pod]);
  }

  const platformCache = new Map<string, Promise<Arch[] | undefined>>();
  const imageArchs = (image: string, stored: Arch[] | undefined): Promise<Arch[] | undefined> => {
    if (stored) return Promise.resolve(stored);
    const resolver = input.resolver;
    if (!resolver) return Promise.resolve(undefined);
    let cached = platformCache.get(image);
    if (!cached) {
      cached = resolver.platformsOf(image).then(
        (platforms) =>
          platforms &&
          sortedArchs(
            platforms.filter((p) => p.split('/')[0] === 'linux').map((p) => toArch(p.split('/')[1] ?? '')),
          ),
        () => undefined, // a resolver that throws after all still only means "unknown"
      );
      platformCache.set(image, cached);
    }
    return cached;
  };

  const findings: ArchMismatchFinding[] = [];
  for (const state of states.values()) {
    const finding = await assess(state, input.nodes, states, imageArchs);
    if (finding) findings.push(finding);
  }
  return findings.sort((a, b) => a.workloadId.localeCompare(b.workloadId));
}

async function assess(
  state: WorkloadState,
  nodes: readonly NodeInput[],
  states: ReadonlyMap<string, WorkloadState>,
  imageArchs: (image: string, stored: Arch[] | undefined) => Promise<Arch[] | undefined>,
): Promise<ArchMismatchFinding | undefined> {
  const { workload: w } = state;
  const schedulable = nodes.filter(
    (n) =>
      n.clusterId === w.clusterId &&
      Object.entries(w.nodeSelector).every(([k, v]) => n.labels[k] === v) &&
      (w.allowedArchs.length === 0 || w.allowedArchs.includes(n.arch)),
  );
  const runningArchs = new Set(state.pods.flatMap(({ arch }) => (arch ? [arch] : [])));
  const nodeArches = sortedArchs([...schedulable.map((n) => n.arch), ...runningArchs]);
  const evidence: ArchEvidence[] = [];

  for (const { pod, arch } of state.pods) {
    if (!arch) continue;
    for (const c of pod.containers) {
      const message = [c.message, c.lastTermination?.message].find((m) => m && EXEC_FORMAT.test(m));
      if (message) {
        evidence.push({
          kind: 'exec-format-error',
          podId: pod.id,
          arch,
          detail: clip(`container ${c.name} (${c.image}) on node ${pod.nodeName}: ${message}`),
        });
        break;
      }
    }
  }

  for (const [arch, crashing] of state.crashing) {
    if (state.healthyArchs.has(arch)) continue;
    const sameWorkload = sortedArchs([...state.healthyArchs].filter((a) => a !== arch));
    const elsewhere =
      sameWorkload.length === 0 && state.imageSignature
        ? [...states.values()].find(
            (other) =>
              other !== state &&
              other.imageSignature === state.imageSignature &&
              [...other.healthyArchs].some((a) => a !== arch),
          )
        : undefined;
    const runsOn = sameWorkload.length
      ? sameWorkload
      : sortedArchs([...(elsewhere?.healthyArchs ?? [])].filter((a) => a !== arch));
    if (!runsOn.length) continue;
    const where = elsewhere
      ? `the same images run on ${runsOn.join(', ')} in ${elsewhere.workload.clusterId}/${elsewhere.workload.namespace}/${elsewhere.workload.name}`
      : `pods of the workload run on ${runsOn.join(', ')}`;
    evidence.push({
      kind: 'crashloop-on-one-arch-only',
      podId: crashing[0]?.id,
      arch,
      detail: clip(
        `${crashing.length} pod(s) in CrashLoopBackOff on ${arch} and none running there, while ${where}`,
      ),
    });
  }

  for (const { image, archs } of w.images) {
    const provided = await imageArchs(image, archs);
    if (!provided) continue;
    // "other" lumps distinct archs together (riscv64, mips64le...), so it proves nothing either way.
    for (const arch of nodeArches.filter((a) => a !== 'other' && !provided.includes(a))) {
      evidence.push({
        kind: 'image-index-lacks-arch',
        arch,
        detail: clip(`${image} provides ${provided.join(', ') || 'no linux platform'}, not ${arch}`),
      });
    }
  }

  if (!evidence.length) return undefined;
  evidence.sort(
    (a, b) =>
      a.kind.localeCompare(b.kind) ||
      byArch(a.arch, b.arch) ||
      (a.podId ?? '').localeCompare(b.podId ?? '') ||
      a.detail.localeCompare(b.detail),
  );
  return {
    workloadId: w.id,
    clusterId: w.clusterId,
    namespace: w.namespace,
    kind: w.kind,
    name: w.name,
    images: w.images.map((i) => i.image),
    nodeArches,
    evidence,
    missingArches: sortedArchs(evidence.map((e) => e.arch)),
    severity: severityOf(w, evidence, runningArchs),
  };
}

/**
 * critical: exec format errors and no replica ready (the service is down);
 * high: exec format errors, or the image lacks an arch the workload is on or explicitly targets;
 * medium: crash-loops only, or the image lacks an arch the workload might merely be scheduled on.
 */
function severityOf(
  w: WorkloadInput,
  evidence: readonly ArchEvidence[],
  runningArchs: ReadonlySet<Arch>,
): Severity {
  const execErrors = evidence.some((e) => e.kind === 'exec-format-error');
  if (execErrors && w.replicas.desired > 0 && w.replicas.ready === 0) return 'critical';
  const lacksUsedArch = evidence.some(
    (e) =>
      e.kind === 'image-index-lacks-arch' && (runningArchs.has(e.arch) || w.allowedArchs.includes(e.arch)),
  );
  return execErrors || lacksUsedArch ? 'high' : 'medium';
}
