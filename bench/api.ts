/**
 * API figures on the embedded default (SQLite file, WAL): GET /api/v1/metrics/mttx over 100,000
 * incidents (each with a timeline, so documents are a few KB) next to 1,000,000 alerts, as the route
 * computes it (incidents/mttx.ts, platform-wide, the default 30-day range):
 *  - p50Ms / p95Ms per groupBy, over BENCH_CALLS calls after one warm-up call;
 *  - setupSeconds: writing the data set (insertMany in batches, as ingest does).
 * Prints one JSON line.   npm run bench:api
 * BENCH_INCIDENTS / BENCH_ALERTS / BENCH_CALLS change the sizes (BENCH_ALERTS=0 skips the alerts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../collectors/demo-fleet/random.js';
import { MTTX_GROUP_BY, mttx } from '../server/incidents/mttx.js';
import type { Alert } from '../server/model/alert.js';
import type { EventSource, Severity } from '../server/model/fragments.js';
import type { Incident, TimelineEntry } from '../server/model/incident.js';
import { STORE_COLLECTIONS } from '../server/services.js';
import type { NewDoc } from '../server/store/port.js';
import { SqliteStore } from '../server/store/sqlite/sqlite-store.js';

const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 100_000);
const ALERTS = Number(process.env.BENCH_ALERTS ?? 1_000_000);
const CALLS = Number(process.env.BENCH_CALLS ?? 30);
const BATCH = 5_000;
const RANGE_MS = 30 * 86_400_000;

const SEVERITIES: Severity[] = ['info', 'low', 'medium', 'high', 'critical'];
const SOURCES: EventSource[] = [
  'falco',
  'k8s-audit',
  'alertmanager',
  'trivy',
  'kube-bench',
  'k8s-event',
  'ocsf',
];
const TENANTS = Array.from({ length: 40 }, (_, i) => `tenant-${i}`);
const CLUSTERS = Array.from({ length: 60 }, (_, i) => `cluster-${i}`);

// Seeded, so every run measures the same data.
const rng = new Rng(42);
const rand = (): number => rng.next();
const pick = <T>(values: readonly T[]): T => values[Math.floor(rand() * values.length)]!;
const some = <T>(values: readonly T[], max: number): T[] => [
  ...new Set(Array.from({ length: 1 + Math.floor(rand() * max) }, () => pick(values))),
];
const iso = (ms: number): string => new Date(ms).toISOString();

/** An incident detected in the last 30 days; later lifecycle steps are reached less often. */
function incident(i: number, now: number): NewDoc<Incident> {
  const detected = now - Math.floor(rand() * RANGE_MS);
  const after = (maxMs: number) => detected + Math.floor(rand() * maxMs);
  const acknowledged = rand() < 0.9 ? after(3_600_000) : undefined;
  const contained = acknowledged !== undefined && rand() < 0.7 ? after(6 * 3_600_000) : undefined;
  const resolved = contained !== undefined && rand() < 0.8 ? after(3 * 86_400_000) : undefined;
  const timeline: TimelineEntry[] = Array.from({ length: 5 + Math.floor(rand() * 30) }, (_, n) => ({
    kind: n % 3 === 0 ? 'alert' : 'event',
    at: iso(detected + n * 1_000),
    text: `Falco: Terminal shell in container (user=root container=nginx-${n} shell=bash parent=runc cmdline=bash -il)`,
    ref: { type: 'security_event', id: `falco:${i}-${n}` },
  }));
  const status = resolved ? 'resolved' : contained ? 'contained' : acknowledged ? 'acknowledged' : 'open';
  return {
    id: `inc-${i}`,
    schemaVersion: 1,
    title: `Suspicious shell in workload ${i % 997}`,
    severity: pick(SEVERITIES),
    alertIds: Array.from({ length: 1 + (i % 8) }, (_, n) => `alert-${i}-${n}`),
    tenantId: pick(TENANTS),
    status,
    occurredAt: iso(detected - Math.floor(rand() * 600_000)),
    detectedAt: iso(detected),
    ...(acknowledged !== undefined ? { acknowledgedAt: iso(acknowledged) } : {}),
    ...(contained !== undefined ? { containedAt: iso(contained), containedBy: 'playbook' as const } : {}),
    ...(resolved !== undefined ? { resolvedAt: iso(resolved) } : {}),
    clusterIds: some(CLUSTERS, 3),
    sources: some(SOURCES, 2),
    timeline,
  };
}

function alert(i: number, now: number): NewDoc<Alert> {
  const first = now - Math.floor(rand() * RANGE_MS);
  const cluster = pick(CLUSTERS);
  return {
    id: `alert-${i}`,
    schemaVersion: 1,
    fingerprint: `fp-${i}`,
    ruleId: `rule-${i % 300}`,
    title: 'Terminal shell in container',
    severity: pick(SEVERITIES),
    status: pick(['new', 'acknowledged', 'in_progress', 'closed'] as const),
    source: pick(SOURCES),
    occurrenceCount: 1 + (i % 20),
    firstSeenAt: iso(first),
    lastSeenAt: iso(first + Math.floor(rand() * 3_600_000)),
    mitre: { tactics: ['execution'], techniques: ['T1609'] },
    evidenceEventIds: [`falco:${i}`],
    k8s: { clusterId: cluster, namespace: `ns-${i % 50}`, pod: `web-${i % 997}` },
    searchText: `terminal shell in container falco:${i} ${cluster}`,
    incidentId: `inc-${i % INCIDENTS}`,
    tenantId: pick(TENANTS),
  };
}

async function fill<T extends { id: string; version: number; createdAt: string; updatedAt: string }>(
  store: SqliteStore,
  name: string,
  count: number,
  make: (i: number, now: number) => NewDoc<T>,
  now: number,
): Promise<void> {
  const collection = store.collection<T>(name);
  for (let i = 0; i < count; i += BATCH)
    await collection.insertMany(
      Array.from({ length: Math.min(BATCH, count - i) }, (_, n) => make(i + n, now)),
    );
}

/** Nearest-rank percentile of ascending values. */
const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'yunshu-bench-api-'));
  const store = new SqliteStore({ file: join(dir, 'bench.db'), collections: STORE_COLLECTIONS });
  const now = Date.now();
  const setupStart = performance.now();
  await fill<Incident>(store, 'incidents', INCIDENTS, incident, now);
  await fill<Alert>(store, 'alerts', ALERTS, alert, now);
  const setupSeconds = (performance.now() - setupStart) / 1000;

  const query = { from: iso(now - RANGE_MS), to: iso(now + 1) };
  const round = (ms: number) => Math.round(ms * 10) / 10;
  const mttxMs: Record<string, { p50Ms: number; p95Ms: number; groups: number }> = {};
  for (const groupBy of MTTX_GROUP_BY) {
    const groups = (await mttx(store, { ...query, groupBy })).length;
    const times: number[] = [];
    for (let call = 0; call < CALLS; call++) {
      const started = performance.now();
      await mttx(store, { ...query, groupBy });
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    mttxMs[groupBy] = { p50Ms: round(percentile(times, 50)), p95Ms: round(percentile(times, 95)), groups };
  }

  await store.close();
  rmSync(dir, { recursive: true, force: true });
  const figures = {
    bench: 'api',
    incidents: INCIDENTS,
    alerts: ALERTS,
    calls: CALLS,
    setupSeconds: Math.round(setupSeconds),
    mttx: mttxMs,
    rssMb: Math.round(process.memoryUsage().rss / 1048576),
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
