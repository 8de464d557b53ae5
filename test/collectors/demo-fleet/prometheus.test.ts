/** The demo fleet's Prometheus API through prometheus-query, and its /metrics through a real Prometheus. */
import { PrometheusDriver, type QueryResult } from 'prometheus-query';
import { PromClient } from '../../../collectors/prometheus/client.js';
import { UsageCollector } from '../../../collectors/prometheus/usage.js';
import { setTimeout as delay } from 'node:timers/promises';
import { PROMQL, type DemoCluster } from '../../../collectors/demo-fleet/index.js';
import { describeWithServices, prometheusBinary, useService } from '../../harness/services.js';
import { startPrometheus } from '../../harness/prometheus.js';
import { clients, clusterOf, useFleet } from './helpers.js';

const fleet = useFleet();
const driverFor = (cluster: DemoCluster, preferPost = false) =>
  new PrometheusDriver({ endpoint: cluster.prometheusUrl, baseURL: '/api/v1', preferPost });

const NODE_QUERIES = [
  PROMQL.nodeCpuUtilisation,
  PROMQL.nodeMemoryUtilisation,
  PROMQL.nodeFilesystemUtilisation,
  PROMQL.nodeNetworkReceiveBytes,
  PROMQL.nodeNetworkTransmitBytes,
];
const FRACTIONS = new Set<string>([
  PROMQL.nodeCpuUtilisation,
  PROMQL.nodeMemoryUtilisation,
  PROMQL.nodeFilesystemUtilisation,
]);

async function nodeNames(cluster: DemoCluster): Promise<string[]> {
  return (await clients(cluster).core.listNode()).items.map((n) => n.metadata?.name as string).sort();
}

describe('demo fleet Prometheus API', () => {
  test.each(NODE_QUERIES)('%s: one sample per node', async (query) => {
    const cluster = clusterOf(fleet(), 'gz-prod-kunpeng');
    const { resultType, result } = await driverFor(cluster).instantQuery(query);
    expect(resultType).toBe('vector');
    expect(result.map((s) => s.metric.labels.node).sort()).toEqual(await nodeNames(cluster));
    for (const sample of result) {
      expect(Object.keys(sample.metric.labels)).toEqual(['node']);
      expect(sample.value.value).toBeGreaterThan(0);
      if (FRACTIONS.has(query)) expect(sample.value.value).toBeLessThan(1);
    }
  });

  test('namespace CPU and memory, per namespace with running pods', async () => {
    const cluster = clusterOf(fleet(), 'gz-prod-x86');
    const driver = driverFor(cluster, true); // also exercises form-encoded POST
    const cpu = await driver.instantQuery(PROMQL.namespaceCpuCores);
    const memory = await driver.instantQuery(PROMQL.namespaceMemoryBytes);
    const namespaces = (r: QueryResult) => r.result.map((s) => s.metric.labels.namespace).sort();
    expect(namespaces(cpu)).toEqual(['gzdsj-data', 'gzdsj-portal', 'gzgat-app', 'kube-system', 'monitoring']);
    expect(namespaces(memory)).toEqual(namespaces(cpu));
    for (const sample of memory.result) expect(sample.value.value).toBeGreaterThan(2 ** 20);
  });

  test('range queries return a matrix with one point per step, varying smoothly over time', async () => {
    const cluster = clusterOf(fleet(), 'gy-city-phytium');
    const end = Date.now();
    const start = end - 3600_000;
    const { resultType, result } = await driverFor(cluster).rangeQuery(
      PROMQL.nodeMemoryUtilisation,
      start,
      end,
      60,
    );
    expect(resultType).toBe('matrix');
    expect(result).toHaveLength(cluster.spec.nodes);
    for (const series of result) {
      expect(series.values).toHaveLength(61);
      // prometheus-query types matrix points as any; they are SampleValue {time, value}.
      const values: number[] = (series.values as { value: number }[]).map((v) => v.value);
      expect(new Set(values).size).toBeGreaterThan(1);
      const biggestStep = Math.max(...values.slice(1).map((v, i) => Math.abs(v - (values[i] as number))));
      expect(biggestStep).toBeLessThan(0.1);
    }
  });

  test('the special test query carries +Inf, -Inf and NaN as Prometheus spells them', async () => {
    const cluster = clusterOf(fleet(), 'gz-prod-x86');
    const response = await fetch(
      `${cluster.prometheusUrl}/api/v1/query?query=${encodeURIComponent(PROMQL.specialValues)}&time=1700000000.5`,
    );
    const body = (await response.json()) as {
      data: { result: { metric: Record<string, string>; value: unknown[] }[] };
    };
    expect(body.data.result.map((s) => [s.metric.case, s.value])).toEqual([
      ['positive_infinity', [1700000000.5, '+Inf']],
      ['negative_infinity', [1700000000.5, '-Inf']],
      ['not_a_number', [1700000000.5, 'NaN']],
    ]);
    // The ordinary queries never do.
    for (const query of NODE_QUERIES) {
      const { result } = await driverFor(cluster).instantQuery(query);
      expect(result.every((s) => Number.isFinite(s.value.value))).toBe(true);
    }
  });

  test('an unknown query is bad_data with HTTP 400, as Prometheus answers', async () => {
    const cluster = clusterOf(fleet(), 'gz-prod-x86');
    const error = await driverFor(cluster)
      .instantQuery('up{job="nope"}')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 'error',
      errorType: 'http_error',
      httpStatus: 400,
      prometheus: { errorType: 'bad_data' },
    });
    const badStep = await driverFor(cluster)
      .rangeQuery(PROMQL.nodeCpuUtilisation, 1000_000, 2000_000, 0)
      .catch((e: unknown) => e);
    expect(badStep).toMatchObject({
      httpStatus: 400,
      prometheus: { status: 'error', errorType: 'bad_data' },
    });
  });

  test('is unreachable during an outage and answers again after it', async () => {
    const cluster = clusterOf(fleet(), 'gy-city-phytium');
    fleet().setDown(cluster.spec.id, true);
    await expect(driverFor(cluster).instantQuery(PROMQL.nodeCpuUtilisation)).rejects.toMatchObject({
      errorType: 'network_error',
    });
    fleet().setDown(cluster.spec.id, false);
    await expect(driverFor(cluster).instantQuery(PROMQL.nodeCpuUtilisation)).resolves.toBeDefined();
  });

  test('/metrics exposes the underlying series in the text format', async () => {
    const cluster = clusterOf(fleet(), 'gz-prod-kunpeng');
    const response = await fetch(cluster.metricsUrl);
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await response.text();
    expect(text).toContain('# TYPE node_cpu_seconds_total counter');
    expect(text).toMatch(/^node_cpu_seconds_total\{cpu="95",mode="idle",node="kunpeng-01"\} \d+(\.\d+)?$/m);
    expect(text).toMatch(
      /^container_cpu_usage_seconds_total\{container="",namespace="gzdsj-data",node="[^"]+",pod="[^"]+"\} /m,
    );
    expect(text).toMatch(/^container_memory_working_set_bytes\{container="api",namespace="gzdsj-data",/m);
    expect(text).toContain('yunshu_demo_special_value{case="positive_infinity"} +Inf');
  });
});

describeWithServices('demo fleet scraped by a real Prometheus', [prometheusBinary()], () => {
  const target = () => new URL(fleet().url).host;
  const cluster = () => clusterOf(fleet(), 'gz-prod-x86');
  const prometheus = useService(() =>
    startPrometheus({
      extraConfigYaml: [
        'scrape_configs:',
        '  - job_name: demo-fleet',
        `    metrics_path: /clusters/gz-prod-x86/metrics`,
        `    static_configs: [{ targets: ['${target()}'] }]`,
      ].join('\n'),
    }),
  );

  test('evaluates the contract queries to what the simulator answers', async () => {
    const real = new PrometheusDriver({ endpoint: prometheus().url, baseURL: '/api/v1' });
    const simulated = driverFor(cluster());
    const nodes = cluster().spec.nodes;
    // rate() needs two scrapes; poll until every node has a CPU sample.
    const deadline = Date.now() + 45_000;
    while (
      (await real.instantQuery(PROMQL.nodeCpuUtilisation)).result.length < nodes &&
      Date.now() < deadline
    ) {
      await delay(500);
    }
    const byKey = (r: QueryResult, label: string) =>
      new Map(r.result.map((s) => [s.metric.labels[label] as string, s.value.value]));
    // rate() over [5m] reads low until Prometheus has scraped for 5 minutes (it divides by the
    // whole range), so the CPU counters are checked with irate(): the last two samples' slope,
    // which differs from the simulator's 5-minute mean only by the wave's drift: at most the
    // waves' steepest slope times half the window (metrics.ts: hourly swing ≤ 0.22, 15-minute wobble
    // ≤ 0.04 → ≤ 0.07 + 0.05), plus the few seconds between the last scrape and the simulator's answer.
    const cpuNow = PROMQL.nodeCpuUtilisation.replace('rate(', 'irate(');
    for (const [realQuery, simQuery, label, tolerance] of [
      [PROMQL.nodeMemoryUtilisation, PROMQL.nodeMemoryUtilisation, 'node', 0.02],
      [PROMQL.nodeFilesystemUtilisation, PROMQL.nodeFilesystemUtilisation, 'node', 0.02],
      [cpuNow, PROMQL.nodeCpuUtilisation, 'node', 0.2],
      [PROMQL.namespaceMemoryBytes, PROMQL.namespaceMemoryBytes, 'namespace', 0.05],
    ] as const) {
      const fromReal = byKey(await real.instantQuery(realQuery), label);
      const fromSim = byKey(await simulated.instantQuery(simQuery), label);
      expect([...fromReal.keys()].sort()).toEqual([...fromSim.keys()].sort());
      for (const [key, value] of fromReal) {
        const expected = fromSim.get(key) as number;
        const scale = label === 'namespace' ? expected : 1; // bytes: relative tolerance
        expect(Math.abs(value - expected)).toBeLessThanOrEqual(tolerance * scale);
      }
    }
  });

  test('the usage collector reads the scraped fleet back through its prometheus-query wrapper', async () => {
    const collector = new UsageCollector('gz-prod-x86', new PromClient({ endpoint: prometheus().url }));
    const snapshot = await collector.collect();
    expect(snapshot.nodes.size).toBe(cluster().spec.nodes);
    for (const usage of snapshot.nodes.values()) {
      expect(usage.memoryUtilisation!.value).toBeGreaterThan(0);
      expect(usage.memoryUtilisation!.value).toBeLessThan(1);
    }
    const namespaces = [...snapshot.namespaces.keys()];
    expect(namespaces).toEqual(expect.arrayContaining(['gzdsj-data', 'gzgat-app']));
    expect(snapshot.namespaces.get('gzdsj-data')!.memoryBytes!.value).toBeGreaterThan(0);
  });
});
