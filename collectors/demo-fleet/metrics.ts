/**
 * Usage metrics of a simulated cluster. Every series is a smooth function of (seed, object, time):
 * rates are sums of sines, and counters are their exact integrals, so the answers to the contract
 * queries equal what a real Prometheus computes from scraping the /metrics exposition.
 */
import { parseQuantity } from '../../server/model/quantity.js';
import { NodeRec, PodRec } from './objects.js';
import type { PromQueryName } from './promql.js';
import { Rng } from './random.js';
import type { Entry, K8sObject, ObjectStore } from './store.js';

const TAU = 2 * Math.PI;
/** The [5m] range of the rate() queries. */
const RATE_WINDOW_S = 300;
const ROOT_FS_BYTES = 500 * 2 ** 30;
const RUN_TMPFS_BYTES = 2 * 2 ** 30;

/** base + Σ amplitude·sin(2πt/period + phase), with its integral for counters. */
class Wave {
  constructor(
    private readonly base: number,
    private readonly terms: readonly (readonly [amplitude: number, period: number, phase: number])[],
  ) {}

  at(t: number): number {
    return this.terms.reduce((sum, [a, p, f]) => sum + a * Math.sin((TAU * t) / p + f), this.base);
  }

  integral(t: number): number {
    return this.terms.reduce(
      (sum, [a, p, f]) => sum - ((a * p) / TAU) * Math.cos((TAU * t) / p + f),
      this.base * t,
    );
  }

  /** Mean over [from, to]: what rate() of the integral returns. */
  mean(from: number, to: number): number {
    return to > from ? (this.integral(to) - this.integral(from)) / (to - from) : this.at(to);
  }
}

/** A wave that stays within [lo, hi], with an hourly swing and a 15-minute wobble. */
function wave(seed: number, key: string, lo: number, hi: number): Wave {
  const rng = new Rng(`${seed}/${key}`);
  const base = lo + (hi - lo) * (0.3 + 0.4 * rng.next());
  const room = Math.min(base - lo, hi - base);
  return new Wave(base, [
    [room * 0.85, 3600 * (0.8 + 0.4 * rng.next()), TAU * rng.next()],
    [room * 0.15, 900 * (0.8 + 0.4 * rng.next()), TAU * rng.next()],
  ]);
}

interface NodeFacts {
  name: string;
  cores: number;
  memoryBytes: number;
  bootS: number;
}

interface ContainerFacts {
  name: string;
  cpuCores: number;
  memoryBytes: number;
}

interface PodFacts {
  namespace: string;
  name: string;
  uid: string;
  node: string;
  startS: number;
  containers: ContainerFacts[];
}

const seconds = (timestamp: unknown, fallbackS: number): number =>
  typeof timestamp === 'string' && !Number.isNaN(Date.parse(timestamp))
    ? Date.parse(timestamp) / 1000
    : fallbackS;

function quantity(value: unknown, unit: number, fallback: number): number {
  try {
    return typeof value === 'string' ? parseQuantity(value, unit) : fallback;
  } catch {
    return fallback;
  }
}

/** Generated nodes answer from their record; nodes a test put in are read from their JSON. */
function nodeFacts(entry: Entry, render: (entry: Entry) => K8sObject): NodeFacts {
  const source = entry.source;
  if (source instanceof NodeRec) {
    const { cpu, name, createdMs } = source.p;
    return { name, cores: cpu.cores, memoryBytes: cpu.memoryGi * 2 ** 30, bootS: createdMs / 1000 };
  }
  const node = render(entry);
  const capacity = ((node.status as { capacity?: Record<string, string> } | undefined)?.capacity ??
    {}) as Record<string, string>;
  return {
    name: node.metadata.name,
    cores: quantity(capacity.cpu, 1, 1),
    memoryBytes: quantity(capacity.memory, 1, 2 ** 30),
    bootS: seconds(node.metadata.creationTimestamp, 0),
  };
}

/** Running pods only: others have no live container series. */
function podFacts(entry: Entry, render: (entry: Entry) => K8sObject): PodFacts | undefined {
  const source = entry.source;
  if (source instanceof PodRec) {
    const { p } = source;
    if (p.state !== 'running' || p.nodeName === undefined) return undefined;
    return {
      namespace: source.namespace,
      name: p.name,
      uid: p.uid,
      node: p.nodeName,
      startS: (p.restarts > 0 ? p.lastRestartMs : p.createdMs + 3000) / 1000,
      containers: p.workload.p.app.containers.map((c) => ({
        name: c.name,
        cpuCores: c.cpuMillis / 1000,
        memoryBytes: c.memoryMi * 2 ** 20,
      })),
    };
  }
  const pod = render(entry) as K8sObject & {
    spec?: {
      nodeName?: string;
      containers?: { name: string; resources?: { requests?: Record<string, string> } }[];
    };
    status?: { phase?: string; startTime?: string };
  };
  if (pod.status?.phase !== 'Running' || !pod.spec?.nodeName) return undefined;
  return {
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name,
    uid: pod.metadata.uid ?? pod.metadata.name,
    node: pod.spec.nodeName,
    startS: seconds(pod.status.startTime ?? pod.metadata.creationTimestamp, 0),
    containers: (pod.spec.containers ?? []).map((c) => ({
      name: c.name,
      cpuCores: quantity(c.resources?.requests?.cpu, 1, 0.1),
      memoryBytes: quantity(c.resources?.requests?.memory, 1, 64 * 2 ** 20),
    })),
  };
}

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

const SPECIAL_VALUES: readonly [string, number][] = [
  ['positive_infinity', Infinity],
  ['negative_infinity', -Infinity],
  ['not_a_number', NaN],
];

/** Prometheus' float formatting for the values that JSON cannot carry. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

export class ClusterMetrics {
  constructor(
    private readonly seed: number,
    private readonly clusterId: string,
    private readonly store: ObjectStore,
  ) {}

  private wave(key: string, lo: number, hi: number): Wave {
    return wave(this.seed, `${this.clusterId}/${key}`, lo, hi);
  }

  private nodes(): NodeFacts[] {
    const render = (entry: Entry) => this.store.render(entry);
    return [...this.store.entries('nodes')].map((entry) => nodeFacts(entry, render));
  }

  private pods(): PodFacts[] {
    const render = (entry: Entry) => this.store.render(entry);
    const pods: PodFacts[] = [];
    for (const entry of this.store.entries('pods')) {
      const facts = podFacts(entry, render);
      if (facts) pods.push(facts);
    }
    return pods;
  }

  private nodeWaves(node: NodeFacts) {
    return {
      cpu: this.wave(`node/${node.name}/cpu`, 0.05, 0.9),
      memory: this.wave(`node/${node.name}/memory`, 0.2, 0.9),
      filesystem: this.wave(`node/${node.name}/fs`, 0.15, 0.85),
      receive: this.wave(`node/${node.name}/rx`, 1e5, 6e7),
      transmit: this.wave(`node/${node.name}/tx`, 5e4, 3e7),
      loopback: this.wave(`node/${node.name}/lo`, 1e3, 5e4),
    };
  }

  private containerWaves(pod: PodFacts, container: ContainerFacts) {
    return {
      cpu: this.wave(`pod/${pod.uid}/${container.name}/cpu`, 0.05, 0.9),
      memory: this.wave(`pod/${pod.uid}/${container.name}/memory`, 0.3, 1),
    };
  }

  /** Evaluates a contract query at time t (unix seconds). */
  evaluate(query: PromQueryName, t: number): Sample[] {
    const windowStart = (startS: number) => Math.max(t - RATE_WINDOW_S, startS);
    const perNode = (value: (node: NodeFacts, waves: ReturnType<ClusterMetrics['nodeWaves']>) => number) =>
      this.nodes().map((node) => ({ metric: { node: node.name }, value: value(node, this.nodeWaves(node)) }));
    const perNamespace = (value: (pod: PodFacts, container: ContainerFacts) => number): Sample[] => {
      const sums = new Map<string, number>();
      for (const pod of this.pods()) {
        for (const container of pod.containers) {
          sums.set(pod.namespace, (sums.get(pod.namespace) ?? 0) + value(pod, container));
        }
      }
      return [...sums].map(([namespace, value]) => ({ metric: { namespace }, value }));
    };
    switch (query) {
      case 'nodeCpuUtilisation':
        return perNode((node, w) => w.cpu.mean(windowStart(node.bootS), t));
      case 'nodeMemoryUtilisation':
        return perNode((_node, w) => w.memory.at(t));
      case 'nodeFilesystemUtilisation':
        return perNode((_node, w) => w.filesystem.at(t));
      case 'nodeNetworkReceiveBytes':
        return perNode((node, w) => w.receive.mean(windowStart(node.bootS), t));
      case 'nodeNetworkTransmitBytes':
        return perNode((node, w) => w.transmit.mean(windowStart(node.bootS), t));
      case 'namespaceCpuCores':
        return perNamespace(
          (pod, c) => c.cpuCores * this.containerWaves(pod, c).cpu.mean(windowStart(pod.startS), t),
        );
      case 'namespaceMemoryBytes':
        return perNamespace((pod, c) => Math.round(c.memoryBytes * this.containerWaves(pod, c).memory.at(t)));
      case 'namespaceRequests':
        // Requests are what the usage waves scale (a container's cpuCores / memoryBytes).
        return (['cpu', 'memory'] as const).flatMap((resource) =>
          perNamespace((_pod, c) => (resource === 'cpu' ? c.cpuCores : c.memoryBytes)).map((s) => ({
            metric: { ...s.metric, resource },
            value: s.value,
          })),
        );
      case 'namespaceQuota':
        return [];
      case 'specialValues':
        return SPECIAL_VALUES.map(([name, value]) => ({
          metric: { __name__: 'yunshu_demo_special_value', case: name },
          value,
        }));
    }
  }

  /** The underlying series in the Prometheus text format (version 0.0.4), as exporters serve them. */
  exposition(t: number): string {
    const out: string[] = [];
    const family = (name: string, type: 'counter' | 'gauge', help: string) =>
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    const sample = (name: string, labels: Record<string, string>, value: number) =>
      out.push(`${name}{${formatLabels(labels)}} ${formatValue(value)}`);
    const nodes = this.nodes().map((node) => ({ node, w: this.nodeWaves(node) }));
    const pods = this.pods();

    family('node_cpu_seconds_total', 'counter', 'Seconds the CPUs spent in each mode.');
    for (const { node, w } of nodes) {
      const uptime = Math.max(0, t - node.bootS);
      const busy = w.cpu.integral(t) - w.cpu.integral(node.bootS);
      const modes: [string, number][] = [
        ['idle', uptime - busy],
        ['iowait', busy * 0.05],
        ['system', busy * 0.25],
        ['user', busy * 0.7],
      ];
      for (let cpu = 0; cpu < node.cores; cpu++) {
        for (const [mode, value] of modes)
          sample('node_cpu_seconds_total', { cpu: String(cpu), mode, node: node.name }, value);
      }
    }
    family('node_memory_MemTotal_bytes', 'gauge', 'Memory information field MemTotal_bytes.');
    for (const { node } of nodes) sample('node_memory_MemTotal_bytes', { node: node.name }, node.memoryBytes);
    family('node_memory_MemAvailable_bytes', 'gauge', 'Memory information field MemAvailable_bytes.');
    for (const { node, w } of nodes) {
      sample(
        'node_memory_MemAvailable_bytes',
        { node: node.name },
        Math.round(node.memoryBytes * (1 - w.memory.at(t))),
      );
    }
    const filesystems = (node: NodeFacts, used: number): [Record<string, string>, number, number][] => [
      [{ device: '/dev/mapper/root', fstype: 'xfs', mountpoint: '/', node: node.name }, ROOT_FS_BYTES, used],
      [{ device: 'tmpfs', fstype: 'tmpfs', mountpoint: '/run', node: node.name }, RUN_TMPFS_BYTES, 0.01],
    ];
    family('node_filesystem_size_bytes', 'gauge', 'Filesystem size in bytes.');
    for (const { node, w } of nodes) {
      for (const [labels, size] of filesystems(node, w.filesystem.at(t)))
        sample('node_filesystem_size_bytes', labels, size);
    }
    family('node_filesystem_avail_bytes', 'gauge', 'Filesystem space available to non-root users in bytes.');
    for (const { node, w } of nodes) {
      for (const [labels, size, used] of filesystems(node, w.filesystem.at(t))) {
        sample('node_filesystem_avail_bytes', labels, Math.round(size * (1 - used)));
      }
    }
    for (const direction of ['receive', 'transmit'] as const) {
      const name = `node_network_${direction}_bytes_total`;
      family(name, 'counter', `Network device statistic ${direction}_bytes.`);
      for (const { node, w } of nodes) {
        const total = (rate: Wave) => Math.round(rate.integral(t) - rate.integral(node.bootS));
        sample(name, { device: 'eth0', node: node.name }, total(w[direction]));
        sample(name, { device: 'lo', node: node.name }, total(w.loopback));
      }
    }
    // cAdvisor also exports a pod-level cgroup series with container="", which the queries exclude.
    family('container_cpu_usage_seconds_total', 'counter', 'Cumulative cpu time consumed in seconds.');
    for (const pod of pods) {
      const values = pod.containers.map((c) => {
        const cpu = this.containerWaves(pod, c).cpu;
        return c.cpuCores * (cpu.integral(t) - cpu.integral(pod.startS));
      });
      this.podSamples(sample, 'container_cpu_usage_seconds_total', pod, values);
    }
    family('container_memory_working_set_bytes', 'gauge', 'Current working set in bytes.');
    for (const pod of pods) {
      const values = pod.containers.map((c) =>
        Math.round(c.memoryBytes * this.containerWaves(pod, c).memory.at(t)),
      );
      this.podSamples(sample, 'container_memory_working_set_bytes', pod, values);
    }
    family('yunshu_demo_special_value', 'gauge', 'Test-only values that JSON numbers cannot carry.');
    for (const [name, value] of SPECIAL_VALUES) sample('yunshu_demo_special_value', { case: name }, value);
    out.push('');
    return out.join('\n');
  }

  private podSamples(
    sample: (name: string, labels: Record<string, string>, value: number) => void,
    name: string,
    pod: PodFacts,
    values: number[],
  ): void {
    const labels = { namespace: pod.namespace, node: pod.node, pod: pod.name };
    pod.containers.forEach((c, i) => sample(name, { container: c.name, ...labels }, values[i] as number));
    sample(
      name,
      { container: '', ...labels },
      values.reduce((a, b) => a + b, 0),
    );
  }
}

function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(
      ([key, value]) => `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
    )
    .join(',');
}
