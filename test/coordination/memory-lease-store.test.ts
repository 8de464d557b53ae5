import { MemoryLeaseStore } from '../../server/coordination/memory-lease-store.js';
import { leaseStoreConformance } from './lease-store.conformance.js';

leaseStoreConformance('memory', () => new MemoryLeaseStore());

describe('MemoryLeaseStore with an injected clock', () => {
  test('a lease expires exactly at its TTL', async () => {
    let now = 1_000;
    const leases = new MemoryLeaseStore(() => now);
    expect(await leases.acquire('x', 'a', 100)).toBe(true);
    now = 1_099;
    expect(await leases.acquire('x', 'b', 100)).toBe(false);
    now = 1_100;
    expect(await leases.holder('x')).toBeUndefined();
    expect(await leases.acquire('x', 'b', 100)).toBe(true);
  });
});
