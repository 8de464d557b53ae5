import { Redis } from 'ioredis';
import { ClusterShards } from '../../server/coordination/cluster-shards.js';
import { MemoryLeaseStore } from '../../server/coordination/memory-lease-store.js';
import { RedisLeaseStore } from '../../server/coordination/redis-lease-store.js';
import { startRedis } from '../harness/redis.js';
import { describeWithServices, redisBinary, useService } from '../harness/services.js';
import { eventually } from './lease-store.conformance.js';

const CLUSTERS = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];

describe('ClusterShards on the in-process lease store', () => {
  test('a single worker owns every cluster, and follows the registry', async () => {
    const shards = new ClusterShards({ leases: new MemoryLeaseStore() });
    await shards.sync(CLUSTERS);
    expect(shards.owned()).toEqual(CLUSTERS);
    expect(CLUSTERS.every((id) => shards.owns(id))).toBe(true);

    await shards.sync(['c1', 'c7']);
    expect(shards.owned()).toEqual(['c1', 'c7']);
    expect(shards.owns('c2')).toBe(false);
    await shards.stop();
    expect(shards.owned()).toEqual([]);
  });

  test('maxClusters caps what one worker takes', async () => {
    const leases = new MemoryLeaseStore();
    const a = new ClusterShards({ leases, owner: 'a', maxClusters: 4 });
    const b = new ClusterShards({ leases, owner: 'b', maxClusters: 4 });
    await a.sync(CLUSTERS);
    await b.sync(CLUSTERS);
    expect(a.owned()).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(b.owned()).toEqual(['c5', 'c6']);
  });

  test('reports ownership changes', async () => {
    const shards = new ClusterShards({ leases: new MemoryLeaseStore(), owner: 'a' });
    const changes: unknown[] = [];
    shards.onChange = (change) => changes.push(change);
    await shards.sync(['c1', 'c2']);
    await shards.sync(['c1', 'c2']);
    await shards.sync(['c2']);
    expect(changes).toEqual([
      { acquired: ['c1', 'c2'], lost: [], released: [], workers: 1 },
      { acquired: [], lost: [], released: ['c1'], workers: 1 },
    ]);
  });
});

describeWithServices('ClusterShards on Redis', [redisBinary()], () => {
  const server = useService(() => startRedis());
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(server().url, { maxRetriesPerRequest: 1 });
  });
  afterAll(() => {
    redis.disconnect();
  });

  test('two workers split six clusters, and the survivor takes over a crashed one', async () => {
    const leases = new RedisLeaseStore(redis);
    const ttlMs = 300;
    const a = new ClusterShards({ leases, owner: 'worker-a', ttlMs });
    const b = new ClusterShards({ leases, owner: 'worker-b', ttlMs });
    const owners = (id: string) => [a, b].filter((s) => s.owns(id)).length;
    const syncBoth = () => Promise.all([a.sync(CLUSTERS), b.sync(CLUSTERS)]);

    // A worker above its share releases the surplus; the other takes it on its next sync.
    await eventually(async () => {
      await syncBoth();
      expect(CLUSTERS.map(owners).every((n) => n <= 1)).toBe(true);
      return a.owned().length === 3 && b.owned().length === 3;
    });
    expect([...a.owned(), ...b.owned()].sort()).toEqual(CLUSTERS);

    // b crashes: it neither renews nor releases. a takes everything once b's leases expire.
    await eventually(async () => {
      await a.sync(CLUSTERS);
      return a.owned().length === CLUSTERS.length;
    });
    expect(await Promise.all(CLUSTERS.map((id) => leases.holder(`cluster:${id}`)))).toEqual(
      CLUSTERS.map(() => 'worker-a'),
    );
    await a.stop();
    expect(await leases.holder('cluster:c1')).toBeUndefined();
  });
});
