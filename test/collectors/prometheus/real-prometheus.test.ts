/**
 * The collector against a real Prometheus (Debian `prometheus`) scraping a tiny exporter that
 * serves node_exporter-, cAdvisor- and kube-state-metrics-shaped series: checks that the PromQL
 * in queries.ts is valid and means what it says, and that special values survive end to end.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { PromClient } from '../../../collectors/prometheus/client.js';
import { UsageHistory } from '../../../collectors/prometheus/history.js';
import { UsageCollector, type UsageSnapshot } from '../../../collectors/prometheus/usage.js';
import { serveHttp } from '../../harness/http.js';
import { startPrometheus } from '../../harness/prometheus.js';
import { describeWithServices, prometheusBinary, useService } from '../../harness/services.js';

const GiB = 1024 ** 3;
const NODES = {
  'yunshu-n1': { memAvailable: 3 * GiB, memTotal: 8 * GiB, rootAvail: 40e9, rootSize: 100e9 },
  'yunshu-n2': { memAvailable: 10 * GiB, memTotal: 16 * GiB, rootAvail: 90e9, rootSize: 100e9 },
};

/** One scrape's worth of series; counters grow with every scrape so rate() has something to see. */
function exposition(scrape: number): string {
  const lines: string[] = [];
  const family = (name: string, type: string) => lines.push(`# TYPE ${name} ${type}`);
  const sample = (name: string, labels: Record<string, string>, value: number | string) =>
    lines.push(
      `${name}{${Object.entries(labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',')}} ${value}`,
    );

  family('node_cpu_seconds_total', 'counter');
  for (const node of Object.keys(NODES)) {
    for (const cpu of ['0', '1']) {
      sample('node_cpu_seconds_total', { node, cpu, mode: 'idle' }, 1000 + 0.75 * scrape);
      sample('node_cpu_seconds_total', { node, cpu, mode: 'user' }, 500 + 0.25 * scrape);
    }
  }
  family('node_memory_MemAvailable_bytes', 'gauge');
  for (const [node, n] of Object.entries(NODES))
    sample('node_memory_MemAvailable_bytes', { node }, n.memAvailable);
  family('node_memory_MemTotal_bytes', 'gauge');
  for (const [node, n] of Object.entries(NODES)) sample('node_memory_MemTotal_bytes', { node }, n.memTotal);
  // A full tmpfs must not count as a full disk.
  for (const [name, field] of [
    ['node_filesystem_avail_bytes', 'rootAvail'],
    ['node_filesystem_size_bytes', 'rootSize'],
  ] as const) {
    family(name, 'gauge');
    for (const [node, n] of Object.entries(NODES)) {
      sample(name, { node, device: '/dev/vda1', fstype: 'xfs', mountpoint: '/' }, n[field]);
      sample(
        name,
        { node, device: 'tmpfs', fstype: 'tmpfs', mountpoint: '/run' },
        name.includes('avail') ? 0 : 1e9,
      );
    }
  }
  family('node_network_receive_bytes_total', 'counter');
  for (const node of Object.keys(NODES)) {
    sample('node_network_receive_bytes_total', { node, device: 'eth0' }, 1e6 * scrape);
    sample('node_network_receive_bytes_total', { node, device: 'lo' }, 1e12 * scrape);
  }
  family('node_network_transmit_bytes_total', 'counter');
  for (const node of Object.keys(NODES)) {
    sample('node_network_transmit_bytes_total', { node, device: 'eth0' }, 2e6 * scrape);
  }

  // cAdvisor: a container, and its pod-level cgroup (container="") that must not be counted twice.
  family('container_cpu_usage_seconds_total', 'counter');
  const web = { namespace: 'gzdsj-prod', pod: 'web-0' };
  sample('container_cpu_usage_seconds_total', { ...web, container: 'web' }, 100 + 0.5 * scrape);
  sample('container_cpu_usage_seconds_total', { ...web, container: '' }, 100 + 0.5 * scrape);
  family('container_memory_working_set_bytes', 'gauge');
  sample('container_memory_working_set_bytes', { ...web, container: 'web' }, 256 * 1024 ** 2);
  sample('container_memory_working_set_bytes', { ...web, container: '' }, 256 * 1024 ** 2);

  // kube-state-metrics: a finished Job pod still has requests, which no longer hold anything.
  family('kube_pod_container_resource_requests', 'gauge');
  const job = { namespace: 'gzdsj-prod', pod: 'report-1' };
  sample(
    'kube_pod_container_resource_requests',
    { ...web, container: 'web', resource: 'cpu', unit: 'core' },
    0.5,
  );
  sample(
    'kube_pod_container_resource_requests',
    { ...web, container: 'web', resource: 'memory', unit: 'byte' },
    512 * 1024 ** 2,
  );
  sample(
    'kube_pod_container_resource_requests',
    { ...job, container: 'report', resource: 'cpu', unit: 'core' },
    2,
  );
  family('kube_pod_status_phase', 'gauge');
  for (const phase of ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']) {
    sample('kube_pod_status_phase', { ...web, phase }, phase === 'Running' ? 1 : 0);
    sample('kube_pod_status_phase', { ...job, phase }, phase === 'Succeeded' ? 1 : 0);
  }
  family('kube_resourcequota', 'gauge');
  const quota = (resourcequota: string, resource: string, type: string, value: number) =>
    sample('kube_resourcequota', { namespace: 'gzdsj-prod', resourcequota, resource, type }, value);
  quota('compute', 'requests.cpu', 'hard', 4);
  quota('compute', 'requests.cpu', 'used', 0.5);
  quota('compute', 'limits.memory', 'hard', 8 * GiB);
  quota('tight', 'requests.cpu', 'hard', 2);

  family('yunshu_test_special', 'gauge');
  sample('yunshu_test_special', { kind: 'pos' }, '+Inf');
  sample('yunshu_test_special', { kind: 'neg' }, '-Inf');
  sample('yunshu_test_special', { kind: 'nan' }, 'NaN');
  return `${lines.join('\n')}\n`;
}

describeWithServices('Prometheus collector against a real Prometheus', [prometheusBinary()], () => {
  let scrapes = 0;
  const exporter = useService(() =>
    serveHttp((request, response) => {
      if (request.url !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(exposition(++scrapes));
    }),
  );
  const prometheus = useService(() => startPrometheus({ scrapeTargets: [new URL(exporter().url).host] }));
  const client = () => new PromClient({ endpoint: prometheus().url, retry: { retries: 1, baseDelayMs: 50 } });

  // Bounded poll: the first scrape comes about 5 s after start, and rate() needs two.
  async function readySnapshot(): Promise<UsageSnapshot> {
    const collector = new UsageCollector('gz-1', client());
    const deadline = Date.now() + 45_000;
    for (;;) {
      const snapshot = await collector.collect();
      const ready = [...Object.keys(NODES)].every((node) => snapshot.nodes.get(node)?.cpuUtilisation);
      if ((ready && snapshot.namespaces.get('gzdsj-prod')?.cpuCores) || Date.now() > deadline)
        return snapshot;
      await delay(250);
    }
  }

  test('usage per node and namespace matches the served series', async () => {
    const snapshot = await readySnapshot();
    expect(snapshot.clusterId).toBe('gz-1');
    expect(snapshot.warnings).toEqual([]);
    expect([...snapshot.nodes.keys()].sort()).toEqual(Object.keys(NODES));

    for (const [node, served] of Object.entries(NODES)) {
      const usage = snapshot.nodes.get(node);
      expect(usage?.memoryUtilisation?.value).toBeCloseTo(1 - served.memAvailable / served.memTotal, 12);
      expect(usage?.diskUtilisation?.value).toBeCloseTo(1 - served.rootAvail / served.rootSize, 12);
      // rate() over 5m with a few seconds of samples is small but positive: CPU is partly busy.
      expect(usage?.cpuUtilisation?.value).toBeGreaterThan(0);
      expect(usage?.cpuUtilisation?.value).toBeLessThanOrEqual(1);
      const rx = usage?.networkReceiveBytesPerSecond?.value ?? NaN;
      expect(rx).toBeGreaterThan(0);
      // Far below what loopback (1e12 per scrape) would add.
      expect(rx).toBeLessThan(1e9);
      expect(usage?.networkTransmitBytesPerSecond?.value).toBeGreaterThan(rx);
    }

    const ns = snapshot.namespaces.get('gzdsj-prod');
    expect(ns?.cpuCores?.value).toBeGreaterThan(0);
    expect(ns?.memoryBytes?.value).toBe(256 * 1024 ** 2);
    expect(ns?.memoryBytes?.raw).toBe('268435456');
    expect(ns?.requests?.cpuCores?.value).toBe(0.5);
    expect(ns?.requests?.memoryBytes?.value).toBe(512 * 1024 ** 2);
    expect(ns?.quota?.requestsCpuCores?.value).toBe(2);
    expect(ns?.quota?.limitsMemoryBytes?.value).toBe(8 * GiB);
  });

  test('+Inf, -Inf and NaN come back with their raw tokens', async () => {
    await readySnapshot();
    const { series } = await client().instant('yunshu_test_special');
    const byKind = Object.fromEntries(series.map((s) => [s.labels.kind, s.sample]));
    expect(byKind.pos).toMatchObject({ value: Infinity, raw: '+Inf' });
    expect(byKind.neg).toMatchObject({ value: -Infinity, raw: '-Inf' });
    expect(byKind.nan?.value).toBeNaN();
    expect(byKind.nan?.raw).toBe('NaN');
  });

  test('history returns the node’s memory over time', async () => {
    await readySnapshot();
    const to = new Date();
    const history = new UsageHistory(() => client());
    const result = await history.history({
      clusterId: 'gz-1',
      metric: 'node_memory',
      target: 'yunshu-n1',
      from: new Date(to.getTime() - 5_000),
      to,
      step: 1,
    });
    expect(result.series).toHaveLength(1);
    expect(result.series[0]?.labels).toEqual({ node: 'yunshu-n1' });
    expect(result.series[0]?.samples.length).toBeGreaterThan(0);
    for (const sample of result.series[0]?.samples ?? []) expect(sample.raw).toBe('0.625');
  });

  test('a malformed query keeps Prometheus’ 400 and bad_data, with no retry', async () => {
    const error: unknown = await client()
      .instant('sum(')
      .catch((err: unknown) => err);
    expect(error).toMatchObject({ status: 400, errorType: 'bad_data', attempts: 1 });
  });
});
