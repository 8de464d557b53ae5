/** One behaviour for every LeaseStore adapter; each adapter's test file runs it against its store. */
import { randomUUID } from 'node:crypto';
import type { LeaseStore } from '../../server/coordination/lease.js';

const SHORT_TTL_MS = 200;

/** Polls until `check` holds, failing after a bound far above the TTLs used here. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function leaseStoreConformance(name: string, open: () => LeaseStore): void {
  describe(`lease store conformance: ${name}`, () => {
    let leases: LeaseStore;
    let lease: string;
    beforeEach(() => {
      leases = open();
      // Unique names keep tests independent on a shared server.
      lease = `conformance:${randomUUID()}`;
    });

    test('acquire, renew and release', async () => {
      expect(await leases.holder(lease)).toBeUndefined();
      expect(await leases.acquire(lease, 'a', 10_000)).toBe(true);
      expect(await leases.holder(lease)).toBe('a');
      expect(await leases.renew(lease, 'a', 10_000)).toBe(true);
      await leases.release(lease, 'a');
      expect(await leases.holder(lease)).toBeUndefined();
      expect(await leases.renew(lease, 'a', 10_000)).toBe(false);
    });

    test('acquiring a lease already held by the same owner extends it', async () => {
      expect(await leases.acquire(lease, 'a', SHORT_TTL_MS)).toBe(true);
      expect(await leases.acquire(lease, 'a', 60_000)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, SHORT_TTL_MS * 2));
      expect(await leases.holder(lease)).toBe('a');
    });

    test('a second owner cannot take or renew a held lease', async () => {
      expect(await leases.acquire(lease, 'a', 10_000)).toBe(true);
      expect(await leases.acquire(lease, 'b', 10_000)).toBe(false);
      expect(await leases.renew(lease, 'b', 10_000)).toBe(false);
      expect(await leases.holder(lease)).toBe('a');
    });

    test('once a lease expires another owner can take it, and the old owner cannot renew it', async () => {
      expect(await leases.acquire(lease, 'a', SHORT_TTL_MS)).toBe(true);
      await eventually(() => leases.acquire(lease, 'b', 10_000));
      expect(await leases.holder(lease)).toBe('b');
      expect(await leases.renew(lease, 'a', 10_000)).toBe(false);
      expect(await leases.holder(lease)).toBe('b');
    });

    test('an expired lease has no holder and cannot be renewed', async () => {
      expect(await leases.acquire(lease, 'a', SHORT_TTL_MS)).toBe(true);
      await eventually(async () => (await leases.holder(lease)) === undefined);
      expect(await leases.renew(lease, 'a', 10_000)).toBe(false);
    });

    test('release by a non-owner does nothing', async () => {
      expect(await leases.acquire(lease, 'a', 10_000)).toBe(true);
      await leases.release(lease, 'b');
      expect(await leases.holder(lease)).toBe('a');
    });

    test('a lease taken over after expiry survives the old owner releasing it', async () => {
      expect(await leases.acquire(lease, 'a', SHORT_TTL_MS)).toBe(true);
      await eventually(() => leases.acquire(lease, 'b', 10_000));
      await leases.release(lease, 'a');
      expect(await leases.holder(lease)).toBe('b');
    });

    test('of parallel acquires of one lease exactly one wins', async () => {
      const owners = Array.from({ length: 20 }, (_, i) => `owner-${i}`);
      const won = await Promise.all(owners.map((owner) => leases.acquire(lease, owner, 10_000)));
      expect(won.filter(Boolean)).toHaveLength(1);
      expect(await leases.holder(lease)).toBe(owners[won.indexOf(true)]);
    });

    test('leases with different names are independent', async () => {
      expect(await leases.acquire(`${lease}:1`, 'a', 10_000)).toBe(true);
      expect(await leases.acquire(`${lease}:2`, 'b', 10_000)).toBe(true);
      expect(await leases.holder(`${lease}:1`)).toBe('a');
      expect(await leases.holder(`${lease}:2`)).toBe('b');
    });
  });
}
