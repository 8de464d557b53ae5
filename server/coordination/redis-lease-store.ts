/**
 * Leases in Redis, shared by every replica: one key per lease holding the owner, with a TTL. Renew
 * and release compare the owner and act in one Lua script, so a worker whose lease expired never
 * extends or deletes the lease another worker has taken over since.
 */
import type { Redis } from 'ioredis';
import type { LeaseStore } from './lease.js';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

export class RedisLeaseStore implements LeaseStore {
  /** The connection is the caller's: it opens and closes it. */
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'yunshu:lease:',
  ) {}

  async acquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
    if ((await this.redis.set(this.prefix + name, owner, 'PX', ttlMs, 'NX')) === 'OK') return true;
    // Taken: by this owner, acquiring again extends it; by another, the compare fails.
    return this.renew(name, owner, ttlMs);
  }

  async renew(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.prefix + name, owner, ttlMs)) === 1;
  }

  async release(name: string, owner: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.prefix + name, owner);
  }

  async holder(name: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + name)) ?? undefined;
  }
}
