import { Redis } from 'ioredis';
import { RedisLeaseStore } from '../../server/coordination/redis-lease-store.js';
import { startRedis } from '../harness/redis.js';
import { describeWithServices, redisBinary, useService } from '../harness/services.js';
import { leaseStoreConformance } from './lease-store.conformance.js';

describeWithServices('redis lease store', [redisBinary()], () => {
  const server = useService(() => startRedis());
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(server().url, { maxRetriesPerRequest: 1 });
  });
  afterAll(() => {
    redis.disconnect();
  });

  leaseStoreConformance('redis', () => new RedisLeaseStore(redis));

  test('keeps each lease under yunshu:lease: with the owner as value and a TTL', async () => {
    const leases = new RedisLeaseStore(redis);
    expect(await leases.acquire('cluster:gz-prod-x86', 'worker-1', 10_000)).toBe(true);
    expect(await redis.get('yunshu:lease:cluster:gz-prod-x86')).toBe('worker-1');
    const ttl = await redis.pttl('yunshu:lease:cluster:gz-prod-x86');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10_000);
  });
});
