/**
 * One simulated cluster: generates its objects from the catalogue (deterministically from the
 * seed), schedules pods onto nodes, and churns on every tick like a live cluster does.
 */
import { APPS, DEMO_TENANTS, SYSTEM_NAMESPACES, profileOf, type AppTemplate } from './catalogue.js';
import {
  DEMO_LABELS,
  EventRec,
  NodeRec,
  PodRec,
  RawSource,
  ReplicaSetRec,
  WorkloadRec,
  iso,
  type ClusterContext,
  type EventProps,
} from './objects.js';
import { Rng } from './random.js';
import { ObjectStore, RESOURCES, apiVersionOf, type K8sObject, type ResourceName } from './store.js';
import type { DemoClusterSpec, MutationHandle } from './types.js';

const DAY = 86_400_000;
/** Normal events kept per cluster; the apiserver expires them after an hour anyway. */
const MAX_NORMAL_EVENTS = 100;

const acceleratorsRequested = (app: AppTemplate): number =>
  app.containers.reduce((sum, c) => sum + Object.values(c.extended ?? {}).reduce((a, b) => a + b, 0), 0);

export interface SimClusterOptions {
  spec: DemoClusterSpec;
  index: number;
  seed: number;
  historyWindow: number;
  startTime: number;
  /** Simulated time that passes per tick. */
  tickStepMs: number;
}

export class SimCluster {
  readonly spec: DemoClusterSpec;
  readonly store: ObjectStore;
  readonly ctx: ClusterContext;
  private readonly gen: Rng;
  private readonly churn: Rng;
  private readonly startTime: number;
  private readonly tickStepMs: number;
  private ticks = 0;
  private readonly nodes: NodeRec[] = [];
  private readonly nodeLabels: Record<string, string>[] = [];
  private readonly podsOnNode: number[] = [];
  private readonly acceleratorsFree: number[] = [];
  /** Keys (namespace/name) of pods the tick revisits. */
  private readonly crashLooping = new Set<string>();
  private readonly creating = new Set<string>();
  private readonly backOffEvents = new Map<string, string>();
  private readonly normalEvents: string[] = [];
  private flippedNode: number | undefined;

  constructor(options: SimClusterOptions) {
    this.spec = options.spec;
    this.startTime = options.startTime;
    this.tickStepMs = options.tickStepMs;
    this.store = new ObjectStore(options.historyWindow);
    // Separate streams per cluster and purpose: adding a cluster or a tick changes nothing else.
    this.gen = new Rng(`${options.seed}/${options.spec.id}/generate`);
    this.churn = new Rng(`${options.seed}/${options.spec.id}/churn`);
    this.ctx = {
      clusterId: options.spec.id,
      profile: profileOf(options.spec.profile),
      clusterIndex: options.index,
    };
    this.generate();
    this.store.seal();
  }

  /** Simulated wall clock: real time never leaks into objects, so a seed reproduces them. */
  now(): number {
    return this.startTime + this.ticks * this.tickStepMs;
  }

  private generate(): void {
    this.generateNodes();
    const namespaces = this.generateNamespaces();
    const apps = APPS.filter(
      (app) => namespaces.has(app.namespace) && (!app.needsAccelerator || this.ctx.profile.accelerator),
    );
    for (const app of apps) this.addWorkload(app, app.name);
    // Copies of the scalable apps bring the cluster up to its pods-per-node target.
    const scalable = apps.filter((app) => app.scalable);
    const target = this.spec.nodes * this.spec.podsPerNode;
    for (let round = 2; scalable.length > 0 && this.store.count('pods') < target; round++) {
      for (const app of scalable) {
        const missing = target - this.store.count('pods');
        if (missing <= 0) break;
        this.addWorkload({ ...app, replicas: Math.min(app.replicas, missing) }, `${app.name}-${round}`);
      }
    }
    this.generateNetworkPolicies(namespaces);
    this.generateRbac(namespaces);
  }

  private generateNodes(): void {
    const { profile, clusterIndex } = this.ctx;
    const digits = Math.max(2, String(this.spec.nodes).length);
    for (let i = 0; i < this.spec.nodes; i++) {
      const cpu = profile.cpus[i % profile.cpus.length] as (typeof profile.cpus)[number];
      const accelerator = profile.accelerator !== undefined && i === this.spec.nodes - 1;
      const createdMs = this.startTime - this.gen.int(200, 400) * DAY;
      const node = new NodeRec({
        ctx: this.ctx,
        index: i,
        name: `${cpu.prefix}-${String(i + 1).padStart(digits, '0')}`,
        uid: this.gen.uuid(),
        cpu,
        createdMs,
        internalIp: `10.${16 + (clusterIndex % 200)}.${Math.floor(i / 200)}.${(i % 200) + 11}`,
        ready: 'True',
        memoryPressure: false,
        conditionMs: createdMs,
        accelerator,
        maxPods: Math.max(110, this.spec.podsPerNode + 10),
      });
      this.nodes.push(node);
      this.nodeLabels.push(node.render().metadata.labels ?? {});
      this.podsOnNode.push(0);
      this.acceleratorsFree.push(accelerator ? (profile.accelerator?.count ?? 0) : 0);
      this.store.put('nodes', undefined, node.p.name, node);
    }
  }

  private rawMeta(
    name: string,
    namespace?: string,
    labels: Record<string, string> = {},
  ): K8sObject['metadata'] {
    const createdMs = this.startTime - this.gen.int(100, 400) * DAY;
    return {
      name,
      ...(namespace ? { namespace } : {}),
      uid: this.gen.uuid(),
      creationTimestamp: iso(createdMs),
      labels: { ...labels, ...DEMO_LABELS },
      managedFields: [
        {
          manager: 'kubectl-client-side-apply',
          operation: 'Update',
          apiVersion: 'v1',
          time: iso(createdMs),
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:metadata': { 'f:annotations': { '.': {} }, 'f:labels': { '.': {} } } },
        },
      ],
    };
  }

  private putRaw(resource: ResourceName, object: Omit<K8sObject, 'apiVersion' | 'kind'>): void {
    const type = RESOURCES[resource];
    const full = { apiVersion: apiVersionOf(type), kind: type.kind, ...object } as K8sObject;
    this.store.put(resource, full.metadata.namespace, full.metadata.name, new RawSource(full));
  }

  private generateNamespaces(): Set<string> {
    const tenants = DEMO_TENANTS.filter((t) => this.spec.tenants?.includes(t.code) ?? true);
    const names = new Set(SYSTEM_NAMESPACES);
    for (const name of SYSTEM_NAMESPACES) {
      this.putRaw('namespaces', {
        metadata: this.rawMeta(name, undefined, { 'kubernetes.io/metadata.name': name }),
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
    }
    for (const tenant of tenants) {
      for (const name of tenant.namespaces) {
        names.add(name);
        const metadata = this.rawMeta(name, undefined, {
          'kubernetes.io/metadata.name': name,
          'gov.cn/tenant': tenant.code,
        });
        metadata.annotations = { 'gov.cn/tenant-name': tenant.name };
        this.putRaw('namespaces', {
          metadata,
          spec: { finalizers: ['kubernetes'] },
          status: { phase: 'Active' },
        });
      }
    }
    return names;
  }

  private addWorkload(app: AppTemplate, name: string): void {
    const createdMs = this.startTime - this.gen.int(30, 300) * DAY;
    let workload = new WorkloadRec({
      ctx: this.ctx,
      app,
      name,
      uid: this.gen.uuid(),
      createdMs,
      hash: app.kind === 'Deployment' ? this.gen.nameSuffix(10) : this.gen.hex(10),
      replicaSetUid: this.gen.uuid(),
      desired: app.kind === 'DaemonSet' ? this.spec.nodes : app.replicas,
      ready: 0,
    });
    let ready = 0;
    if (app.kind === 'DaemonSet') {
      for (const node of this.nodes) ready += this.createPod(workload, node.p.index, createdMs) ? 1 : 0;
    } else {
      for (let i = 0; i < app.replicas; i++) ready += this.createPod(workload, i, createdMs) ? 1 : 0;
    }
    workload = new WorkloadRec({ ...workload.p, ready });
    const resource =
      app.kind === 'Deployment' ? 'deployments' : app.kind === 'StatefulSet' ? 'statefulsets' : 'daemonsets';
    this.store.put(resource, app.namespace, name, workload);
    if (app.kind === 'Deployment') {
      this.store.put('replicasets', app.namespace, workload.replicaSetName, new ReplicaSetRec(workload));
    }
  }

  /** Picks the least-loaded node that fits, or explains why none does as the scheduler would. */
  private schedule(app: AppTemplate): number | string {
    const selector = Object.entries(app.nodeSelector ?? {});
    const npus = acceleratorsRequested(app);
    let best: number | undefined;
    let mismatched = 0;
    let insufficient = 0;
    for (let i = 0; i < this.nodes.length; i++) {
      const labels = this.nodeLabels[i] as Record<string, string>;
      if (!selector.every(([key, value]) => labels[key] === value)) mismatched++;
      else if ((this.acceleratorsFree[i] as number) < npus) insufficient++;
      else if (best === undefined || (this.podsOnNode[i] as number) < (this.podsOnNode[best] as number))
        best = i;
    }
    if (best !== undefined) return best;
    const total = this.nodes.length;
    const reasons = [
      ...(insufficient ? [`${insufficient} Insufficient ${this.ctx.profile.accelerator?.resource}`] : []),
      ...(mismatched ? [`${mismatched} node(s) didn't match Pod's node affinity/selector`] : []),
    ];
    return (
      `0/${total} nodes are available: ${reasons.join(', ')}. preemption: 0/${total} nodes are available: ` +
      `${total} Preemption is not helpful for scheduling.`
    );
  }

  /** Creates and stores one pod of a workload; true when it runs. */
  private createPod(workload: WorkloadRec, slot: number, workloadCreatedMs: number, rng = this.gen): boolean {
    const { app } = workload.p;
    const target = app.kind === 'DaemonSet' ? slot : this.schedule(app);
    const name =
      app.kind === 'StatefulSet'
        ? `${workload.p.name}-${slot}`
        : app.kind === 'Deployment'
          ? `${workload.replicaSetName}-${rng.nameSuffix(5)}`
          : `${workload.p.name}-${rng.nameSuffix(5)}`;
    const churned = rng === this.churn;
    const createdMs = churned
      ? this.now()
      : Math.max(workloadCreatedMs, this.startTime - rng.int(1, 30) * DAY);
    const uid = rng.uuid();
    if (typeof target === 'string') {
      const pod = new PodRec({
        workload,
        name,
        uid,
        createdMs,
        state: 'unschedulable',
        restarts: 0,
        lastRestartMs: createdMs,
        schedulingMessage: target,
      });
      this.store.put('pods', app.namespace, name, pod);
      this.addEvent(rng, pod, 'Warning', 'FailedScheduling', target, 'default-scheduler', rng.int(50, 200));
      return false;
    }
    const node = this.nodes[target] as NodeRec;
    const arch = this.ctx.profile.arch;
    const crash = !app.imageArchs.includes(arch);
    const restarts = crash ? rng.int(30, 90) : rng.chance(0.1) ? rng.int(1, 3) : 0;
    const npus = acceleratorsRequested(app);
    this.podsOnNode[target] = (this.podsOnNode[target] as number) + 1;
    this.acceleratorsFree[target] = (this.acceleratorsFree[target] as number) - npus;
    const pod = new PodRec({
      workload,
      name,
      uid,
      createdMs,
      state: crash ? 'crashloop' : churned ? 'creating' : 'running',
      nodeName: node.p.name,
      hostIp: node.p.internalIp,
      podIp: `10.244.${target % 256}.${((this.podsOnNode[target] as number) % 250) + 2}`,
      runtime: node.runtime,
      restarts,
      lastRestartMs: crash ? this.now() - rng.int(10, 280) * 1000 : createdMs + rng.int(60, 3600) * 1000,
    });
    this.store.put('pods', app.namespace, name, pod);
    const key = `${app.namespace}/${name}`;
    if (restarts > 0 && !crash) {
      const image = app.containers[0]?.image ?? '';
      this.addEvent(
        rng,
        pod,
        'Normal',
        'Pulled',
        `Container image "${image}" already present on machine`,
        'kubelet',
        restarts,
      );
    }
    if (crash) {
      this.crashLooping.add(key);
      const container = app.containers[0]?.name ?? app.name;
      const message = `Back-off restarting failed container ${container} in pod ${name}_${app.namespace}(${uid})`;
      const event = this.addEvent(rng, pod, 'Warning', 'BackOff', message, 'kubelet', restarts);
      this.backOffEvents.set(key, event);
    }
    if (churned) {
      this.creating.add(key);
      this.addEvent(
        rng,
        pod,
        'Normal',
        'Scheduled',
        `Successfully assigned ${key} to ${node.p.name}`,
        'default-scheduler',
        1,
      );
    }
    return !crash;
  }

  /** Stores an event about a pod and returns its name. */
  private addEvent(
    rng: Rng,
    pod: PodRec,
    type: EventProps['type'],
    reason: string,
    message: string,
    component: EventProps['component'],
    count: number,
  ): string {
    const now = this.now();
    const name = `${pod.p.name}.${rng.hex(16)}`;
    const container = pod.p.workload.p.app.containers[0]?.name;
    const event = new EventRec({
      namespace: pod.namespace,
      name,
      uid: rng.uuid(),
      involved: {
        kind: 'Pod',
        name: pod.p.name,
        uid: pod.p.uid,
        ...(component === 'kubelet' && container ? { fieldPath: `spec.containers{${container}}` } : {}),
      },
      type,
      reason,
      message,
      component,
      ...(component === 'kubelet' && pod.p.nodeName ? { host: pod.p.nodeName } : {}),
      count,
      firstMs: Math.min(pod.p.createdMs, now),
      lastMs: count > 1 && pod.p.state !== 'unschedulable' ? pod.p.lastRestartMs : now,
    });
    this.store.put('events', pod.namespace, name, event);
    if (type === 'Normal') {
      this.normalEvents.push(`${pod.namespace}/${name}`);
      while (this.normalEvents.length > MAX_NORMAL_EVENTS) {
        const [ns, old] = (this.normalEvents.shift() as string).split('/') as [string, string];
        this.store.remove('events', ns, old);
      }
    }
    return name;
  }

  private generateNetworkPolicies(namespaces: Set<string>): void {
    const policies: Record<string, { name: string; spec: Record<string, unknown> }[]> = {
      'gzgat-app': [
        { name: 'default-deny-all', spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
        {
          name: 'allow-gateway-ingress',
          spec: {
            podSelector: { matchLabels: { app: 'case-mgmt-api' } },
            ingress: [
              {
                from: [
                  { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
                ],
                ports: [{ port: 8443, protocol: 'TCP' }],
              },
            ],
            policyTypes: ['Ingress'],
          },
        },
      ],
      'gzdsj-data': [
        {
          name: 'allow-same-namespace',
          spec: { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }], policyTypes: ['Ingress'] },
        },
      ],
    };
    for (const [namespace, list] of Object.entries(policies)) {
      if (!namespaces.has(namespace)) continue;
      for (const policy of list) {
        const metadata = { ...this.rawMeta(policy.name, namespace), generation: 1 };
        this.putRaw('networkpolicies', { metadata, spec: policy.spec });
      }
    }
  }

  private generateRbac(namespaces: Set<string>): void {
    const rbacGroup = 'rbac.authorization.k8s.io';
    const clusterRole = (name: string) => ({ apiGroup: rbacGroup, kind: 'ClusterRole', name });
    const serviceAccount = (name: string, namespace: string) => ({ kind: 'ServiceAccount', name, namespace });
    const bindings: [
      string,
      ReturnType<typeof clusterRole>,
      Record<string, string>[],
      Record<string, string>?,
    ][] = [
      [
        'cluster-admin',
        clusterRole('cluster-admin'),
        [{ apiGroup: rbacGroup, kind: 'Group', name: 'system:masters' }],
        { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
      ],
      [
        'kubeadm:node-proxier',
        clusterRole('system:node-proxier'),
        [serviceAccount('kube-proxy', 'kube-system')],
      ],
      ['calico-node', clusterRole('calico-node'), [serviceAccount('calico-node', 'kube-system')]],
      ['prometheus-k8s', clusterRole('prometheus-k8s'), [serviceAccount('prometheus-k8s', 'monitoring')]],
    ];
    // One risky binding in the fleet: cluster-admin for a namespace's default ServiceAccount.
    if (this.ctx.clusterIndex === 0) {
      const namespace = namespaces.has('gzdsj-data') ? 'gzdsj-data' : 'default';
      bindings.push([
        'ci-deployer-cluster-admin',
        clusterRole('cluster-admin'),
        [serviceAccount('default', namespace)],
      ]);
    }
    for (const [name, roleRef, subjects, labels] of bindings) {
      this.putRaw('clusterrolebindings', {
        metadata: this.rawMeta(name, undefined, labels),
        roleRef,
        subjects,
      });
    }
    for (const tenant of DEMO_TENANTS) {
      for (const namespace of tenant.namespaces.filter((ns) => namespaces.has(ns))) {
        this.putRaw('rolebindings', {
          metadata: this.rawMeta(`${tenant.code}-admins`, namespace),
          roleRef: clusterRole('admin'),
          subjects: [{ apiGroup: rbacGroup, kind: 'Group', name: `oidc:${tenant.code}-admins` }],
        });
        this.putRaw('rolebindings', {
          metadata: this.rawMeta('ci-deployer', namespace),
          roleRef: clusterRole('edit'),
          subjects: [serviceAccount('ci-deployer', namespace)],
        });
      }
    }
  }

  /** One churn step: rollouts replace pods, crash loops restart, a node condition may flip. */
  tick(): void {
    this.ticks++;
    const now = this.now();
    for (const key of this.creating) {
      const pod = this.podAt(key);
      if (pod?.p.state === 'creating') this.putPod(pod.with({ state: 'running', lastRestartMs: now }));
    }
    this.creating.clear();

    const pods = this.store.count('pods');
    for (let n = Math.max(1, Math.round(pods / 2500)); n > 0; n--) {
      // A few tries find a running Deployment pod (most pods are), without indexing them.
      for (let attempt = 0; attempt < 20; attempt++) {
        const pod = this.store.at('pods', this.churn.int(0, pods - 1))?.source;
        if (pod instanceof PodRec && pod.p.state === 'running' && pod.p.workload.kind === 'Deployment') {
          this.replacePod(pod);
          break;
        }
      }
    }

    for (const key of this.crashLooping) {
      const pod = this.podAt(key);
      if (pod?.p.state !== 'crashloop') {
        this.crashLooping.delete(key);
        continue;
      }
      this.putPod(pod.with({ restarts: pod.p.restarts + 1, lastRestartMs: now }));
      const eventName = this.backOffEvents.get(key);
      const event =
        eventName === undefined ? undefined : this.store.get('events', pod.namespace, eventName)?.source;
      if (event instanceof EventRec) {
        this.store.put(
          'events',
          pod.namespace,
          event.p.name,
          event.with({ count: event.p.count + 1, lastMs: now }),
        );
      }
    }

    if (this.churn.chance(0.3)) {
      const pod = this.store.at('pods', this.churn.int(0, pods - 1))?.source;
      if (pod instanceof PodRec && pod.p.state === 'running') {
        this.putPod(pod.with({ restarts: pod.p.restarts + 1, lastRestartMs: now }));
      }
    }

    this.flipNodeCondition(now);
    this.store.bookmarkAll();
  }

  private podAt(key: string): PodRec | undefined {
    const [namespace, name] = key.split('/') as [string, string];
    const source = this.store.get('pods', namespace, name)?.source;
    return source instanceof PodRec ? source : undefined;
  }

  private putPod(pod: PodRec): void {
    this.store.put('pods', pod.namespace, pod.p.name, pod);
  }

  private replacePod(pod: PodRec): void {
    const index = this.nodes.findIndex((n) => n.p.name === pod.p.nodeName);
    if (index >= 0) this.podsOnNode[index] = (this.podsOnNode[index] as number) - 1;
    this.store.remove('pods', pod.namespace, pod.p.name);
    const container = pod.p.workload.p.app.containers[0]?.name ?? 'app';
    this.addEvent(this.churn, pod, 'Normal', 'Killing', `Stopping container ${container}`, 'kubelet', 1);
    this.createPod(pod.p.workload, 0, pod.p.workload.p.createdMs, this.churn);
  }

  /** A flipped node recovers on the next tick; otherwise one node sometimes gets into trouble. */
  private flipNodeCondition(now: number): void {
    if (this.flippedNode !== undefined) {
      const node = this.nodes[this.flippedNode] as NodeRec;
      this.setNode(node.with({ ready: 'True', memoryPressure: false, conditionMs: now }));
      this.flippedNode = undefined;
    } else if (this.nodes.length > 0 && this.churn.chance(0.15)) {
      const node = this.churn.pick(this.nodes);
      const patch = this.churn.chance(0.5) ? { memoryPressure: true } : { ready: 'Unknown' as const };
      this.setNode(node.with({ ...patch, conditionMs: now }));
      this.flippedNode = node.p.index;
    }
  }

  private setNode(node: NodeRec): void {
    this.nodes[node.p.index] = node;
    // Only while the generated node is still stored: a test may have replaced or deleted it.
    if (this.store.get('nodes', undefined, node.p.name)?.source instanceof NodeRec) {
      this.store.put('nodes', undefined, node.p.name, node);
    }
  }

  /** Lets tests and benchmarks change objects through the same path churn uses, with watch events. */
  mutation(resource: ResourceName): MutationHandle {
    const type = RESOURCES[resource];
    const namespaceOf = (namespace: string | undefined): string | undefined =>
      type.namespaced ? (namespace ?? 'default') : undefined;
    return {
      list: () => [...this.store.entries(resource)].map((entry) => this.store.render(entry)),
      get: (name, namespace) => {
        const entry = this.store.get(resource, namespaceOf(namespace), name);
        return entry && this.store.render(entry);
      },
      put: (object) => {
        const namespace = namespaceOf(object.metadata.namespace);
        const existing = this.store.get(resource, namespace, object.metadata.name);
        const previous = existing && this.store.render(existing);
        const metadata = { ...object.metadata };
        delete metadata.resourceVersion;
        metadata.uid ??= previous?.metadata.uid ?? this.churn.uuid();
        metadata.creationTimestamp ??= previous?.metadata.creationTimestamp ?? iso(this.now());
        metadata.labels = { ...metadata.labels, ...DEMO_LABELS };
        if (namespace !== undefined) metadata.namespace = namespace;
        const full = { ...object, apiVersion: apiVersionOf(type), kind: type.kind, metadata };
        this.store.put(resource, namespace, object.metadata.name, new RawSource(full));
      },
      remove: (name, namespace) => this.store.remove(resource, namespaceOf(namespace), name),
    };
  }
}
