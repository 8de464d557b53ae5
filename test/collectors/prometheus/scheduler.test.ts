import nock from 'nock';
import { setTimeout as delay } from 'node:timers/promises';
import { UsageScheduler, type ClusterUsageStatus } from '../../../collectors/prometheus/scheduler.js';
import {
  UsageCollector,
  type UsageSnapshot,
  type UsageSource,
} from '../../../collectors/prometheus/usage.js';
import {
  PROM_URL,
  errorBody,
  serveUsage,
  testClient,
  usageQueryOf,
  useNock,
  vectorBody,
} from './fake-prometheus.js';

useNock();

const GZ2_URL = 'http://prometheus.gz-2.test:9090';

// Bounded poll: the scheduler runs on real timers, and no test asserts how long anything takes.
async function until<T>(read: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

const statusOf = (scheduler: UsageScheduler, clusterId: string): ClusterUsageStatus | undefined =>
  scheduler.status().find((s) => s.clusterId === clusterId);

const emptySnapshot = (clusterId: string): UsageSnapshot => ({
  clusterId,
  at: new Date().toISOString(),
  nodes: new Map(),
  namespaces: new Map(),
  warnings: [],
});

let scheduler: UsageScheduler | undefined;
afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
});

describe('UsageScheduler', () => {
  test('a failing Prometheus degrades its cluster, which recovers by itself', async () => {
    let healthy = false;
    nock(PROM_URL)
      .persist()
      .get('/api/v1/query')
      .query(true)
      .reply((request: Request) =>
        !healthy
          ? [503, errorBody('unavailable', 'TSDB not ready')]
          : usageQueryOf(request) === 'namespaceCpuCores'
            ? [200, vectorBody([{ metric: { namespace: 'gzdsj-prod' }, value: '0.5' }])]
            : [200, vectorBody([])],
      );
    const snapshots: UsageSnapshot[] = [];
    const changes: ClusterUsageStatus[] = [];
    scheduler = new UsageScheduler({
      intervalMs: 20,
      maxBackoffMs: 40,
      onSnapshot: (snapshot) => void snapshots.push(snapshot),
      onStateChange: (status) => changes.push(status),
    });
    await scheduler.add(new UsageCollector('gz-1', testClient({ retry: { retries: 0 } }).client));

    const degraded = await until(() => {
      const status = statusOf(scheduler!, 'gz-1');
      return status?.state === 'degraded' ? status : undefined;
    }, 'degraded');
    expect(degraded.lastError).toMatchObject({ status: 503, errorType: 'unavailable' });
    expect(degraded.lastError?.message).toMatch(/TSDB not ready/);
    expect(degraded.lastSuccessAt).toBeUndefined();
    expect(snapshots).toEqual([]);

    healthy = true;
    const recovered = await until(() => {
      const status = statusOf(scheduler!, 'gz-1');
      return status?.state === 'ok' ? status : undefined;
    }, 'recovery');
    expect(recovered.consecutiveFailures).toBe(0);
    expect(recovered.lastSuccessAt).toEqual(expect.any(String));
    expect(recovered.lastError).toMatchObject({ status: 503 });
    expect(changes.map((c) => c.state)).toEqual(['degraded', 'ok']);
    expect(snapshots[0]?.namespaces.get('gzdsj-prod')?.cpuCores?.value).toBe(0.5);
  });

  test('a broken cluster does not hold up a healthy one', async () => {
    serveUsage({ nodeCpuUtilisation: [{ metric: { node: 'gz-n1' }, value: '0.3' }] });
    nock(GZ2_URL).persist().get('/api/v1/query').query(true).reply(500, 'internal error');
    const seen: string[] = [];
    scheduler = new UsageScheduler({ intervalMs: 10, onSnapshot: (s) => void seen.push(s.clusterId) });
    await scheduler.add(new UsageCollector('gz-1', testClient({ retry: { retries: 0 } }).client));
    await scheduler.add(
      new UsageCollector('gz-2', testClient({ endpoint: GZ2_URL, retry: { retries: 0 } }).client),
    );

    await until(() => (seen.length >= 3 ? true : undefined), 'three snapshots of gz-1');
    await until(
      () => (statusOf(scheduler!, 'gz-2')?.state === 'degraded' ? true : undefined),
      'gz-2 degraded',
    );
    expect(new Set(seen)).toEqual(new Set(['gz-1']));
    expect(statusOf(scheduler, 'gz-1')?.state).toBe('ok');
    expect(statusOf(scheduler, 'gz-2')?.lastError).toMatchObject({ status: 500, errorType: 'http' });
  });

  test('runs one collection per cluster at a time', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const slow: UsageSource = {
      clusterId: 'gz-1',
      async collect() {
        running++;
        most = Math.max(most, running);
        await delay(30);
        running--;
        runs++;
        return emptySnapshot('gz-1');
      },
    };
    scheduler = new UsageScheduler({ intervalMs: 1, onSnapshot: () => undefined });
    await scheduler.add(slow);
    await until(() => (runs >= 3 ? true : undefined), 'three runs');
    expect(most).toBe(1);
  });

  test('stop() cancels the collection in flight and nothing runs afterwards', async () => {
    let started = 0;
    let aborted = false;
    const hanging: UsageSource = {
      clusterId: 'gz-1',
      collect: (signal) =>
        new Promise((_, reject) => {
          started++;
          signal?.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          });
        }),
    };
    const changes: ClusterUsageStatus[] = [];
    const stopped = new UsageScheduler({
      intervalMs: 1,
      onSnapshot: () => undefined,
      onStateChange: (s) => changes.push(s),
    });
    await stopped.add(hanging);
    await until(() => (started === 1 ? true : undefined), 'the collection to start');
    await stopped.stop();
    expect(aborted).toBe(true);
    expect(stopped.status()).toEqual([]);
    await delay(20);
    expect(started).toBe(1);
    // Cancelled by stop(), not failed: the cluster never showed as degraded.
    expect(changes).toEqual([]);
  });

  test('a snapshot the consumer cannot take counts as a failure', async () => {
    const source: UsageSource = { clusterId: 'gz-1', collect: async () => emptySnapshot('gz-1') };
    scheduler = new UsageScheduler({
      intervalMs: 10,
      onSnapshot: () => {
        throw new Error('store unavailable');
      },
    });
    await scheduler.add(source);
    const status = await until(() => {
      const s = statusOf(scheduler!, 'gz-1');
      return s?.state === 'degraded' ? s : undefined;
    }, 'degraded');
    expect(status.lastError?.message).toBe('store unavailable');
  });
});
