/**
 * Detection figures on the embedded default (SQLite file, WAL, in-process queue), 100 rules
 * loaded (the shipped pack plus generated Kubernetes-audit rules of every modifier kind):
 *  - eventsPerSec: Kubernetes audit NDJSON through ingest (parse, normalise, enrich, store) and
 *    detection (rules, alerts, incidents), as fast as it goes, until every event is detected;
 *  - p50Ms / p99Ms: event-to-alert latency (batch accepted → alert written) at a steady
 *    20,000 events/s offered in 100 ms batches, ~1 % of events hitting a rule;
 *  - rssMb: resident memory at the end.
 * Prints one JSON line.   npm run bench:detection
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditLog } from '../server/audit/audit-log.js';
import { DetectionRuntime } from '../server/detection/detection-runtime.js';
import { IngestOverloadedError } from '../server/ingest/ingest-pipeline.js';
import { STORE_COLLECTIONS } from '../server/services.js';
import { auditEvent, generatedRule } from './audit-workload.js';
import { SqliteStore } from '../server/store/sqlite/sqlite-store.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 1_000);
const RATE = Number(process.env.BENCH_RATE ?? 20_000);
const STEADY_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 4);
const RULES = 100;

let seq = 0;
const batchOf = (size: number, hitEvery: number): string =>
  Array.from({ length: size }, () =>
    JSON.stringify(
      auditEvent(++seq, {
        hitEvery,
        time: new Date().toISOString().replace('Z', '123Z'),
        idPrefix: `bench-${process.pid}-`,
      }),
    ),
  ).join('\n');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'yunshu-bench-detection-'));
  const store = new SqliteStore({ file: join(dir, 'bench.db'), collections: STORE_COLLECTIONS });
  const runtime = new DetectionRuntime({
    store,
    audit: new AuditLog(store),
    instance: 'bench',
    maxQueuedEvents: 50_000,
  });
  await runtime.start();
  const loaded = runtime.registry.engine.list().length;
  for (let i = loaded; i < RULES; i++) await runtime.registry.create(generatedRule(i));
  const rules = runtime.registry.engine.list().length;

  // Throughput: prepared payloads, so the figure is Yunshu's work, not the generator's.
  const payloads = Array.from({ length: Math.ceil(EVENTS / BATCH) }, () => batchOf(BATCH, 100));
  // Several senders at once, as a fleet's Falco and audit webhooks would be.
  const started = performance.now();
  let next = 0;
  const sender = async (): Promise<void> => {
    for (let i = next++; i < payloads.length; i = next++) {
      for (;;) {
        try {
          await runtime.pipeline.ingest({ source: 'k8s-audit', payload: payloads[i]!, clusterId: 'bench-1' });
          break;
        } catch (err) {
          // Back-pressure, as a sender would get a 429: wait for detection to catch up.
          if (!(err instanceof IngestOverloadedError)) throw err;
          await sleep(50);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: SENDERS }, sender));
  await runtime.worker.drained();
  const seconds = (performance.now() - started) / 1000;
  const eventsPerSec = Math.round(EVENTS / seconds);

  // Latency at a steady offered rate.
  runtime.worker.latency.reset();
  const perTick = Math.round(RATE / 10);
  const ticks = STEADY_SECONDS * 10;
  const steadyPayloads = Array.from({ length: ticks }, () => batchOf(perTick, 100));
  const steadyStart = performance.now();
  let behind = 0;
  let refused = 0;
  const inFlight: Promise<void>[] = [];
  // Senders do not wait for each other: a batch is offered every 100 ms whatever happens to the last.
  for (let tick = 0; tick < ticks; tick++) {
    const wait = steadyStart + tick * 100 - performance.now();
    if (wait > 0) await sleep(wait);
    else behind++;
    inFlight.push(
      runtime.pipeline
        .ingest({ source: 'k8s-audit', payload: steadyPayloads[tick]!, clusterId: 'bench-1' })
        .then(
          () => undefined,
          (err: unknown) => {
            if (!(err instanceof IngestOverloadedError)) throw err;
            refused++;
          },
        ),
    );
  }
  await Promise.all(inFlight);
  await runtime.worker.drained();
  const achievedRate = Math.round(((ticks - refused) * perTick) / ((performance.now() - steadyStart) / 1000));

  const round = (v: number | undefined) => (v === undefined ? null : Math.round(v * 10) / 10);
  const figures = {
    bench: 'detection',
    rules,
    normalizeThreads: runtime.normalizeThreads,
    events: EVENTS,
    batch: BATCH,
    eventsPerSec,
    steadyRate: RATE,
    achievedRate,
    lateTicks: behind,
    refusedBatches: refused,
    p50Ms: round(runtime.worker.latency.percentile(0.5)),
    p99Ms: round(runtime.worker.latency.percentile(0.99)),
    latencySamples: runtime.worker.latency.count,
    alerts: await store.collection('alerts').count(),
    incidents: await store.collection('incidents').count(),
    rssMb: Math.round(process.memoryUsage().rss / 1048576),
  };
  await runtime.stop();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
