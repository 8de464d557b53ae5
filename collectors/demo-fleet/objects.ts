/**
 * Compact records of the generated objects and how they render to the JSON kube-apiserver returns
 * (metadata with uid, ownerReferences and managedFields; spec; status). Records are immutable:
 * a change makes a new record, so the watch history keeps each version without copying objects.
 */
import type { AppTemplate, ContainerTemplate, CpuModel, Profile } from './catalogue.js';
import { hash32, stableHex } from './random.js';
import type { K8sObject, Source } from './store.js';

/** MIDR_EL1 → the implementer and part annotations the node labeller writes (heterogeneity/cpu-profile.ts). */
function midrFields(midr: string): Record<string, string> {
  const value = Number.parseInt(midr, 16);
  return {
    'yunshu.io/cpu-implementer': `0x${((value >>> 24) & 0xff).toString(16)}`,
    'yunshu.io/cpu-part': `0x${((value >>> 4) & 0xfff).toString(16).padStart(3, '0')}`,
  };
}

export const DEMO_LABELS: Readonly<Record<string, string>> = { 'yunshu.io/demo': 'true' };

const isoCache = new Map<number, string>();

/** RFC 3339 with second precision, as metav1.Time serialises; memoised, as lists repeat timestamps a lot. */
export function iso(ms: number): string {
  const second = Math.floor(ms / 1000);
  let text = isoCache.get(second);
  if (text === undefined) {
    if (isoCache.size > 100_000) isoCache.clear();
    text = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
    isoCache.set(second, text);
  }
  return text;
}

const cpuQuantity = (millis: number): string => (millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`);
const memoryQuantity = (mi: number): string => (mi % 1024 === 0 ? `${mi / 1024}Gi` : `${mi}Mi`);

/** Object fields JSON stored verbatim: rendering parses a fresh copy, so callers may mutate it. */
export class RawSource implements Source {
  private readonly json: string;

  constructor(object: K8sObject) {
    this.json = JSON.stringify(object);
  }

  render(): K8sObject {
    return JSON.parse(this.json) as K8sObject;
  }
}

type Fields = Record<string, unknown>;

const digests = new Map<string, string>();
const imageDigest = (image: string): string => {
  let digest = digests.get(image);
  if (digest === undefined) digests.set(image, (digest = stableHex(image, 64)));
  return digest;
};

/** A managedFields entry; the apiserver returns these on every object, and they are bulky on purpose. */
function managed(manager: string, ms: number, fieldsV1: Fields, subresource?: string): Fields {
  return {
    manager,
    operation: 'Update',
    apiVersion: 'v1',
    time: iso(ms),
    fieldsType: 'FieldsV1',
    fieldsV1,
    ...(subresource ? { subresource } : {}),
  };
}

const POD_SPEC_FIELDS: Fields = {
  'f:metadata': {
    'f:generateName': {},
    'f:labels': { '.': {}, 'f:app': {}, 'f:yunshu.io/demo': {} },
    'f:ownerReferences': { '.': {} },
  },
  'f:spec': {
    'f:containers': {},
    'f:dnsPolicy': {},
    'f:enableServiceLinks': {},
    'f:restartPolicy': {},
    'f:schedulerName': {},
    'f:securityContext': {},
    'f:terminationGracePeriodSeconds': {},
  },
};
const POD_STATUS_FIELDS: Fields = {
  'f:status': {
    'f:conditions': {},
    'f:containerStatuses': {},
    'f:hostIP': {},
    'f:phase': {},
    'f:podIP': {},
    'f:podIPs': { '.': {} },
    'f:startTime': {},
  },
};
const NODE_STATUS_FIELDS: Fields = {
  'f:status': {
    'f:allocatable': {},
    'f:capacity': {},
    'f:conditions': {},
    'f:daemonEndpoints': {},
    'f:nodeInfo': {},
  },
};
const WORKLOAD_SPEC_FIELDS: Fields = {
  'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
  'f:spec': { 'f:selector': {}, 'f:template': {} },
};
const WORKLOAD_STATUS_FIELDS: Fields = { 'f:status': { 'f:conditions': {}, 'f:observedGeneration': {} } };

/** Parameters shared by every record of one cluster. */
export interface ClusterContext {
  readonly clusterId: string;
  readonly profile: Profile;
  readonly clusterIndex: number;
}

export interface NodeProps {
  readonly ctx: ClusterContext;
  readonly index: number;
  readonly name: string;
  readonly uid: string;
  readonly cpu: CpuModel;
  readonly createdMs: number;
  readonly internalIp: string;
  readonly ready: 'True' | 'Unknown';
  readonly memoryPressure: boolean;
  readonly conditionMs: number;
  readonly accelerator: boolean;
  readonly maxPods: number;
}

export class NodeRec implements Source {
  constructor(readonly p: NodeProps) {}

  with(patch: Partial<NodeProps>): NodeRec {
    return new NodeRec({ ...this.p, ...patch });
  }

  get runtime(): string {
    return this.p.cpu.containerRuntimeVersion.split(':')[0] as string;
  }

  render(): K8sObject {
    const { ctx, cpu, name } = this.p;
    const arch = ctx.profile.arch;
    const accelerator = this.p.accelerator ? ctx.profile.accelerator : undefined;
    const memoryKi = cpu.memoryGi * 1024 * 1024 - 262_144;
    const capacity: Record<string, string> = {
      cpu: String(cpu.cores),
      'ephemeral-storage': '514937088Ki',
      'hugepages-1Gi': '0',
      'hugepages-2Mi': '0',
      memory: `${memoryKi}Ki`,
      pods: String(this.p.maxPods),
      ...(accelerator ? { [accelerator.resource]: String(accelerator.count) } : {}),
    };
    const allocatable = {
      ...capacity,
      cpu: `${cpu.cores * 1000 - 500}m`,
      'ephemeral-storage': '474566370528',
      memory: `${memoryKi - 1_048_576}Ki`,
    };
    const osId = /kylin/i.test(cpu.osImage) ? 'kylin' : /uniontech/i.test(cpu.osImage) ? 'uos' : 'centos';
    const labels: Record<string, string> = {
      'beta.kubernetes.io/arch': arch,
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': arch,
      'kubernetes.io/hostname': name,
      'kubernetes.io/os': 'linux',
      'feature.node.kubernetes.io/cpu-model.vendor_id': cpu.vendorId,
      'feature.node.kubernetes.io/cpu-model.family': cpu.family,
      'feature.node.kubernetes.io/cpu-model.id': cpu.modelId,
      'feature.node.kubernetes.io/kernel-version.full': cpu.kernelVersion,
      'feature.node.kubernetes.io/system-os_release.ID': osId,
      ...(this.p.index === 0 ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
      ...(accelerator ? { accelerator: accelerator.label } : {}),
      ...DEMO_LABELS,
    };
    const condition = (type: string, status: string, reason: string, message: string): Fields => ({
      lastHeartbeatTime: iso(this.p.conditionMs),
      lastTransitionTime: iso(this.p.conditionMs),
      message,
      reason,
      status,
      type,
    });
    const unknown = this.p.ready === 'Unknown';
    const pressure = (
      type: string,
      ok: string,
      okMessage: string,
      bad: boolean,
      badReason: string,
    ): Fields =>
      unknown
        ? condition(type, 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.')
        : condition(type, bad ? 'True' : 'False', bad ? badReason : ok, okMessage);
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        uid: this.p.uid,
        creationTimestamp: iso(this.p.createdMs),
        labels,
        annotations: {
          'node.alpha.kubernetes.io/ttl': '0',
          'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
          'nfd.node.kubernetes.io/feature-labels': 'cpu-model.family,cpu-model.id,cpu-model.vendor_id',
          // Set by the Yunshu node labeller from lscpu / MIDR_EL1, which NFD does not publish.
          'yunshu.io/cpu-model-name': cpu.modelName,
          ...(cpu.midr ? { 'yunshu.io/cpu-midr': cpu.midr, ...midrFields(cpu.midr) } : {}),
        },
        managedFields: [
          managed('kubelet', this.p.createdMs, { 'f:metadata': { 'f:labels': {} } }),
          managed('kubelet', this.p.conditionMs, NODE_STATUS_FIELDS, 'status'),
        ],
      },
      spec: {
        podCIDR: `10.244.${this.p.index}.0/24`,
        podCIDRs: [`10.244.${this.p.index}.0/24`],
      },
      status: {
        addresses: [
          { address: this.p.internalIp, type: 'InternalIP' },
          { address: name, type: 'Hostname' },
        ],
        allocatable,
        capacity,
        conditions: [
          pressure(
            'MemoryPressure',
            'KubeletHasSufficientMemory',
            this.p.memoryPressure ? 'kubelet has memory pressure' : 'kubelet has sufficient memory available',
            this.p.memoryPressure,
            'KubeletHasInsufficientMemory',
          ),
          pressure('DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', false, ''),
          pressure(
            'PIDPressure',
            'KubeletHasSufficientPID',
            'kubelet has sufficient PID available',
            false,
            '',
          ),
          unknown
            ? condition('Ready', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.')
            : condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          architecture: arch,
          bootID: stableHex(`${this.p.uid}/boot`, 32).replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-'),
          containerRuntimeVersion: cpu.containerRuntimeVersion,
          kernelVersion: cpu.kernelVersion,
          kubeProxyVersion: ctx.profile.kubeletVersion,
          kubeletVersion: ctx.profile.kubeletVersion,
          machineID: stableHex(`${this.p.uid}/machine`, 32),
          operatingSystem: 'linux',
          osImage: cpu.osImage,
          systemUUID: this.p.uid.toUpperCase(),
        },
      },
    };
  }
}

export interface WorkloadProps {
  readonly ctx: ClusterContext;
  readonly app: AppTemplate;
  readonly name: string;
  readonly uid: string;
  readonly createdMs: number;
  /** pod-template-hash / controller revision. */
  readonly hash: string;
  readonly replicaSetUid: string;
  readonly desired: number;
  readonly ready: number;
}

function containerSpec(container: ContainerTemplate, tokenVolume: string): Fields {
  const requests: Record<string, string> = {
    cpu: cpuQuantity(container.cpuMillis),
    memory: memoryQuantity(container.memoryMi),
  };
  const limits: Record<string, string> = {};
  if (container.cpuLimitMillis) limits.cpu = cpuQuantity(container.cpuLimitMillis);
  if (container.memoryLimitMi) limits.memory = memoryQuantity(container.memoryLimitMi);
  for (const [resource, count] of Object.entries(container.extended ?? {})) {
    requests[resource] = String(count);
    limits[resource] = String(count);
  }
  return {
    name: container.name,
    image: container.image,
    imagePullPolicy: 'IfNotPresent',
    ...(container.port ? { ports: [{ containerPort: container.port, protocol: 'TCP' }] } : {}),
    resources: Object.keys(limits).length ? { limits, requests } : { requests },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    volumeMounts: [
      { mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: tokenVolume, readOnly: true },
    ],
  };
}

function qosClass(app: AppTemplate): string {
  const guaranteed = app.containers.every(
    (c) => c.cpuLimitMillis === c.cpuMillis && c.memoryLimitMi === c.memoryMi,
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export class WorkloadRec {
  constructor(readonly p: WorkloadProps) {}

  get namespace(): string {
    return this.p.app.namespace;
  }

  get kind(): AppTemplate['kind'] {
    return this.p.app.kind;
  }

  get replicaSetName(): string {
    return `${this.p.name}-${this.p.hash}`;
  }

  selector(): Record<string, string> {
    return { app: this.p.name };
  }

  /** Labels the controller puts on its pods. */
  podLabels(podName: string): Record<string, string> {
    const base = { ...this.selector(), ...DEMO_LABELS };
    switch (this.kind) {
      case 'Deployment':
        return { ...base, 'pod-template-hash': this.p.hash };
      case 'StatefulSet':
        return {
          ...base,
          'controller-revision-hash': `${this.p.name}-${this.p.hash}`,
          'statefulset.kubernetes.io/pod-name': podName,
        };
      case 'DaemonSet':
        return { ...base, 'controller-revision-hash': this.p.hash, 'pod-template-generation': '1' };
    }
  }

  /** The pod's controller: Deployments own pods through their ReplicaSet. */
  podOwner(): Fields {
    const deployment = this.kind === 'Deployment';
    return {
      apiVersion: 'apps/v1',
      kind: deployment ? 'ReplicaSet' : this.kind,
      name: deployment ? this.replicaSetName : this.p.name,
      uid: deployment ? this.p.replicaSetUid : this.p.uid,
      controller: true,
      blockOwnerDeletion: true,
    };
  }

  podSpec(tokenVolume: string): Fields {
    const { app } = this.p;
    return {
      containers: app.containers.map((c) => containerSpec(c, tokenVolume)),
      dnsPolicy: 'ClusterFirst',
      enableServiceLinks: true,
      ...(app.nodeSelector ? { nodeSelector: { ...app.nodeSelector } } : {}),
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      serviceAccount: 'default',
      serviceAccountName: 'default',
      terminationGracePeriodSeconds: 30,
      tolerations: [
        {
          effect: 'NoExecute',
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          tolerationSeconds: 300,
        },
        {
          effect: 'NoExecute',
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          tolerationSeconds: 300,
        },
      ],
      volumes: [
        {
          name: tokenVolume,
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { items: [{ key: 'ca.crt', path: 'ca.crt' }], name: 'kube-root-ca.crt' } },
              {
                downwardAPI: {
                  items: [
                    { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' },
                  ],
                },
              },
            ],
          },
        },
      ],
    };
  }

  private template(labels: Record<string, string>): Fields {
    const spec = this.podSpec('kube-api-access');
    delete spec.volumes;
    for (const container of spec.containers as Fields[]) delete container.volumeMounts;
    return { metadata: { creationTimestamp: null, labels }, spec };
  }

  private metadata(name: string, uid: string, extra: Fields = {}): K8sObject['metadata'] {
    return {
      name,
      namespace: this.namespace,
      uid,
      generation: 1,
      creationTimestamp: iso(this.p.createdMs),
      labels: { ...this.selector(), ...DEMO_LABELS },
      ...extra,
      managedFields: [
        managed('kube-controller-manager', this.p.createdMs, WORKLOAD_SPEC_FIELDS),
        managed('kube-controller-manager', this.p.createdMs, WORKLOAD_STATUS_FIELDS, 'status'),
      ],
    };
  }

  render(): K8sObject {
    const { desired, ready } = this.p;
    const labels = { ...this.selector(), ...DEMO_LABELS };
    const selector = { matchLabels: this.selector() };
    const common = { apiVersion: 'apps/v1', kind: this.kind };
    const readyField = ready > 0 ? { readyReplicas: ready, availableReplicas: ready } : {};
    switch (this.kind) {
      case 'Deployment': {
        const available = ready >= desired;
        return {
          ...common,
          metadata: this.metadata(this.p.name, this.p.uid, {
            annotations: { 'deployment.kubernetes.io/revision': '1' },
          }),
          spec: {
            progressDeadlineSeconds: 600,
            replicas: desired,
            revisionHistoryLimit: 10,
            selector,
            strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
            template: this.template(labels),
          },
          status: {
            observedGeneration: 1,
            replicas: desired,
            updatedReplicas: desired,
            ...readyField,
            ...(available ? {} : { unavailableReplicas: desired - ready }),
            conditions: [
              {
                type: 'Available',
                status: available ? 'True' : 'False',
                reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
                message: available
                  ? 'Deployment has minimum availability.'
                  : 'Deployment does not have minimum availability.',
                lastUpdateTime: iso(this.p.createdMs),
                lastTransitionTime: iso(this.p.createdMs),
              },
              {
                type: 'Progressing',
                status: 'True',
                reason: 'NewReplicaSetAvailable',
                message: `ReplicaSet "${this.replicaSetName}" has successfully progressed.`,
                lastUpdateTime: iso(this.p.createdMs),
                lastTransitionTime: iso(this.p.createdMs),
              },
            ],
          },
        };
      }
      case 'StatefulSet':
        return {
          ...common,
          metadata: this.metadata(this.p.name, this.p.uid),
          spec: {
            podManagementPolicy: 'OrderedReady',
            replicas: desired,
            revisionHistoryLimit: 10,
            selector,
            serviceName: this.p.name,
            template: this.template(labels),
            updateStrategy: { rollingUpdate: { partition: 0 }, type: 'RollingUpdate' },
          },
          status: {
            observedGeneration: 1,
            replicas: desired,
            ...readyField,
            currentReplicas: desired,
            updatedReplicas: desired,
            currentRevision: `${this.p.name}-${this.p.hash}`,
            updateRevision: `${this.p.name}-${this.p.hash}`,
            collisionCount: 0,
          },
        };
      case 'DaemonSet':
        return {
          ...common,
          metadata: this.metadata(this.p.name, this.p.uid, {
            annotations: { 'deprecated.daemonset.template.generation': '1' },
          }),
          spec: {
            revisionHistoryLimit: 10,
            selector,
            template: this.template(labels),
            updateStrategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 1 }, type: 'RollingUpdate' },
          },
          status: {
            currentNumberScheduled: desired,
            desiredNumberScheduled: desired,
            numberAvailable: ready,
            numberMisscheduled: 0,
            numberReady: ready,
            observedGeneration: 1,
            updatedNumberScheduled: desired,
          },
        };
    }
  }
}

/** The ReplicaSet between a Deployment and its pods. */
export class ReplicaSetRec implements Source {
  constructor(readonly workload: WorkloadRec) {}

  render(): K8sObject {
    const w = this.workload;
    const { desired, ready, createdMs } = w.p;
    const labels = { ...w.selector(), 'pod-template-hash': w.p.hash, ...DEMO_LABELS };
    const template = w.render().spec as Fields;
    const podTemplate = template.template as { metadata: { labels: Record<string, string> } };
    podTemplate.metadata.labels = labels;
    return {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: w.replicaSetName,
        namespace: w.namespace,
        uid: w.p.replicaSetUid,
        generation: 1,
        creationTimestamp: iso(createdMs),
        labels,
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(desired),
          'deployment.kubernetes.io/max-replicas': String(desired + Math.ceil(desired / 4)),
          'deployment.kubernetes.io/revision': '1',
        },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: w.p.name,
            uid: w.p.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
        managedFields: [managed('kube-controller-manager', createdMs, WORKLOAD_SPEC_FIELDS)],
      },
      spec: {
        replicas: desired,
        selector: { matchLabels: { ...w.selector(), 'pod-template-hash': w.p.hash } },
        template: podTemplate,
      },
      status: {
        replicas: desired,
        fullyLabeledReplicas: desired,
        ...(ready > 0 ? { readyReplicas: ready, availableReplicas: ready } : {}),
        observedGeneration: 1,
      },
    };
  }
}

/**
 * running: up; creating: just scheduled, ContainerCreating; crashloop: the image has no build for
 * the node's arch; unschedulable: no node fits (e.g. not enough NPUs).
 */
export type PodState = 'running' | 'creating' | 'crashloop' | 'unschedulable';

export interface PodProps {
  readonly workload: WorkloadRec;
  readonly name: string;
  readonly uid: string;
  readonly createdMs: number;
  readonly state: PodState;
  readonly nodeName?: string;
  readonly hostIp?: string;
  readonly podIp?: string;
  readonly runtime?: string;
  readonly restarts: number;
  /** When the container last (re)started or, for crash loops, last failed. */
  readonly lastRestartMs: number;
  readonly schedulingMessage?: string;
}

export class PodRec implements Source {
  constructor(readonly p: PodProps) {}

  with(patch: Partial<PodProps>): PodRec {
    return new PodRec({ ...this.p, ...patch });
  }

  get namespace(): string {
    return this.p.workload.namespace;
  }

  private containerStatus(container: ContainerTemplate, index: number): Fields {
    const { p } = this;
    const image = container.image;
    const repo = image.replace(/:[^/:]+$/, '');
    // 64 hex digits unique per pod, container and attempt; cheap, as every list renders them.
    const containerId = (attempt: number): string =>
      `${p.runtime ?? 'containerd'}://${p.uid.replace(/-/g, '')}${hash32(`${index}/${attempt}/${p.uid}`).toString(16).padStart(8, '0').repeat(4)}`;
    const base = {
      name: container.name,
      image,
      imageID: `${repo}@sha256:${imageDigest(image)}`,
      restartCount: p.restarts,
    };
    switch (p.state) {
      case 'creating':
        return {
          ...base,
          imageID: '',
          lastState: {},
          ready: false,
          started: false,
          state: { waiting: { reason: 'ContainerCreating' } },
        };
      case 'crashloop':
        return {
          ...base,
          containerID: containerId(p.restarts),
          lastState: {
            terminated: {
              containerID: containerId(p.restarts),
              exitCode: 128,
              finishedAt: iso(p.lastRestartMs),
              message:
                'failed to create containerd task: failed to create shim task: OCI runtime create failed: ' +
                `runc create failed: unable to start container process: exec: "/usr/local/bin/${container.name}": ` +
                'exec format error: unknown',
              reason: 'StartError',
              // runc never started the process, and the kubelet reports the zero time for it.
              startedAt: '1970-01-01T00:00:00Z',
            },
          },
          ready: false,
          started: false,
          state: {
            waiting: {
              message: `back-off 5m0s restarting failed container=${container.name} pod=${p.name}_${this.namespace}(${p.uid})`,
              reason: 'CrashLoopBackOff',
            },
          },
        };
      default:
        return {
          ...base,
          containerID: containerId(p.restarts),
          lastState:
            p.restarts > 0
              ? {
                  terminated: {
                    containerID: containerId(p.restarts - 1),
                    exitCode: 137,
                    finishedAt: iso(p.lastRestartMs),
                    reason: 'OOMKilled',
                    startedAt: iso(p.createdMs + 3000),
                  },
                }
              : {},
          ready: true,
          started: true,
          state: { running: { startedAt: iso(p.restarts > 0 ? p.lastRestartMs : p.createdMs + 3000) } },
        };
    }
  }

  render(): K8sObject {
    const { p } = this;
    const w = p.workload;
    const app = w.p.app;
    const created = iso(p.createdMs);
    const scheduled = p.state !== 'unschedulable';
    const ready = p.state === 'running';
    const notReady = `containers with unready status: [${app.containers.map((c) => c.name).join(' ')}]`;
    const condition = (type: string, ok: boolean, reason?: string, message?: string): Fields => ({
      lastProbeTime: null,
      lastTransitionTime: created,
      ...(message ? { message } : {}),
      ...(reason ? { reason } : {}),
      status: ok ? 'True' : 'False',
      type,
    });
    const conditions = scheduled
      ? [
          condition('Initialized', true),
          condition('Ready', ready, ready ? undefined : 'ContainersNotReady', ready ? undefined : notReady),
          condition(
            'ContainersReady',
            ready,
            ready ? undefined : 'ContainersNotReady',
            ready ? undefined : notReady,
          ),
          condition('PodScheduled', true),
        ]
      : [condition('PodScheduled', false, 'Unschedulable', p.schedulingMessage)];
    const generateName = w.kind === 'Deployment' ? `${w.replicaSetName}-` : `${w.p.name}-`;
    const tokenVolume = `kube-api-access-${p.uid.slice(-5)}`;
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: p.name,
        ...(w.kind === 'StatefulSet' ? {} : { generateName }),
        namespace: this.namespace,
        uid: p.uid,
        creationTimestamp: created,
        labels: w.podLabels(p.name),
        ownerReferences: [w.podOwner()],
        managedFields: [
          managed('kube-controller-manager', p.createdMs, POD_SPEC_FIELDS),
          ...(scheduled ? [managed('kubelet', p.lastRestartMs, POD_STATUS_FIELDS, 'status')] : []),
        ],
      },
      spec: { ...w.podSpec(tokenVolume), ...(p.nodeName ? { nodeName: p.nodeName } : {}) },
      status: scheduled
        ? {
            conditions,
            containerStatuses: app.containers.map((c, i) => this.containerStatus(c, i)),
            hostIP: p.hostIp,
            hostIPs: [{ ip: p.hostIp }],
            phase: p.state === 'creating' ? 'Pending' : 'Running',
            ...(p.podIp && p.state !== 'creating' ? { podIP: p.podIp, podIPs: [{ ip: p.podIp }] } : {}),
            qosClass: qosClass(app),
            startTime: created,
          }
        : { conditions, phase: 'Pending', qosClass: qosClass(app) },
    };
  }
}

export interface EventProps {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly involved: {
    readonly kind: string;
    readonly name: string;
    readonly uid: string;
    readonly fieldPath?: string;
  };
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly component: 'kubelet' | 'default-scheduler';
  readonly host?: string;
  readonly count: number;
  readonly firstMs: number;
  readonly lastMs: number;
}

export class EventRec implements Source {
  constructor(readonly p: EventProps) {}

  with(patch: Partial<EventProps>): EventRec {
    return new EventRec({ ...this.p, ...patch });
  }

  render(): K8sObject {
    const { p } = this;
    return {
      apiVersion: 'v1',
      kind: 'Event',
      count: p.count,
      eventTime: null,
      firstTimestamp: iso(p.firstMs),
      involvedObject: {
        apiVersion: 'v1',
        ...(p.involved.fieldPath ? { fieldPath: p.involved.fieldPath } : {}),
        kind: p.involved.kind,
        name: p.involved.name,
        namespace: p.namespace,
        uid: p.involved.uid,
      },
      lastTimestamp: iso(p.lastMs),
      message: p.message,
      metadata: {
        name: p.name,
        namespace: p.namespace,
        uid: p.uid,
        creationTimestamp: iso(p.firstMs),
        labels: { ...DEMO_LABELS },
        managedFields: [
          managed(p.component, p.lastMs, {
            'f:count': {},
            'f:firstTimestamp': {},
            'f:involvedObject': {},
            'f:lastTimestamp': {},
            'f:message': {},
            'f:reason': {},
            'f:source': {},
            'f:type': {},
          }),
        ],
      },
      reason: p.reason,
      reportingComponent: p.component,
      reportingInstance: p.host ?? '',
      source: { component: p.component, ...(p.host ? { host: p.host } : {}) },
      type: p.type,
    };
  }
}
