/** Leases inside one process: enough when a single process runs every collector. */
import type { LeaseStore } from './lease.js';

interface Lease {
  owner: string;
  expiresAt: number;
}

export class MemoryLeaseStore implements LeaseStore {
  private readonly leases = new Map<string, Lease>();

  /** `now` is injectable so that tests can expire leases without waiting. */
  constructor(private readonly now: () => number = Date.now) {}

  private live(name: string): Lease | undefined {
    const lease = this.leases.get(name);
    if (lease && lease.expiresAt <= this.now()) {
      this.leases.delete(name);
      return undefined;
    }
    return lease;
  }

  acquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const lease = this.live(name);
    if (lease && lease.owner !== owner) return Promise.resolve(false);
    this.leases.set(name, { owner, expiresAt: this.now() + ttlMs });
    return Promise.resolve(true);
  }

  renew(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const lease = this.live(name);
    if (lease?.owner !== owner) return Promise.resolve(false);
    lease.expiresAt = this.now() + ttlMs;
    return Promise.resolve(true);
  }

  release(name: string, owner: string): Promise<void> {
    if (this.live(name)?.owner === owner) this.leases.delete(name);
    return Promise.resolve();
  }

  holder(name: string): Promise<string | undefined> {
    return Promise.resolve(this.live(name)?.owner);
  }
}
