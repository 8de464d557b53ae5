/**
 * Collector figures at scale: a demo fleet of 20 clusters × 50 nodes × 100 pods (100,000 pods),
 * collected into the embedded SQLite store through the real client code. Prints one JSON line:
 * first-sync seconds, change-to-visible latency (p50/p99 over pod changes), peak RSS.
 *   npm run bench:collectors      (BENCH_CLUSTERS, BENCH_NODES, BENCH_PODS_PER_NODE to resize)
 * The simulator runs in this process too: rssMb is the whole process, collectorRssMb the growth over
 * the simulator's own footprint before collection started.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoFleet } from '../collectors/demo-fleet/index.js';
import { defaultDemoClusters } from '../collectors/demo-fleet/catalogue.js';
import type { DemoClusterSpec } from '../collectors/demo-fleet/types.js';
import { FleetCollector } from '../collectors/kubernetes/fleet-collector.js';
import { resourceKinds } from '../collectors/kubernetes/resources.js';
import { TenantResolver } from '../collectors/kubernetes/tenant-resolver.js';
import { registerDemoFleet } from '../server/collection/demo-seed.js';
import { createServices, STORE_COLLECTIONS } from '../server/services.js';
import { SqliteStore } from '../server/store/sqlite/sqlite-store.js';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 20);
const NODES = Number(process.env.BENCH_NODES ?? 50);
const PODS_PER_NODE = Number(process.env.BENCH_PODS_PER_NODE ?? 100);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 50);

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const templates = defaultDemoClusters();
  const clusters: DemoClusterSpec[] = Array.from({ length: CLUSTERS }, (_, i) => {
    const template = templates[i % templates.length]!;
    return { ...template, id: `bench-${i}`, name: `bench-${i}`, nodes: NODES, podsPerNode: PODS_PER_NODE };
  });
  const fleet = await startDemoFleet({ clusters, tickMs: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'yunshu-bench-collectors-'));
  const store = new SqliteStore({ file: join(dir, 'bench.db'), collections: STORE_COLLECTIONS });
  const services = createServices(store);
  await registerDemoFleet(store, services.secrets, fleet);
  const pods = store.collection('pods');
  let live = 0;
  for (const cluster of fleet.clusters)
    fleet.mutate(cluster.spec.id, 'pods', (objects) => (live += objects.list().length));

  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

  const tenants = new TenantResolver(store);
  await tenants.refresh(true);
  const collector = new FleetCollector(store, services.secrets, () => resourceKinds(tenants));
  const started = performance.now();
  await collector.start();
  while ((await pods.count()) < live) await sleep(250);
  const firstSyncSeconds = (performance.now() - started) / 1000;

  // Change to visible: a new pod appears in a cluster; how long until the store has it.
  const latencies: number[] = [];
  for (let i = 0; i < CHANGES; i++) {
    const cluster = fleet.clusters[i % fleet.clusters.length]!.spec.id;
    const uid = `bench-change-${i}`;
    const at = performance.now();
    fleet.mutate(cluster, 'pods', (objects) => {
      const copy = structuredClone(objects.list()[0]!);
      copy.metadata = { ...copy.metadata, name: uid, uid };
      objects.put(copy);
    });
    while (!(await pods.get(`${cluster}/${uid}`))) await sleep(2);
    latencies.push(performance.now() - at);
  }
  latencies.sort((a, b) => a - b);
  clearInterval(sampler);

  await collector.stop();
  await fleet.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      bench: 'collectors',
      clusters: CLUSTERS,
      nodes: CLUSTERS * NODES,
      pods: live,
      firstSyncSeconds: Number(firstSyncSeconds.toFixed(1)),
      changeP50Ms: Math.round(percentile(latencies, 50)),
      changeP99Ms: Math.round(percentile(latencies, 99)),
      rssMb: Math.round(peakRss / 1_048_576),
      collectorRssMb: Math.round((peakRss - baselineRss) / 1_048_576),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
