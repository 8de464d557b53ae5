/**
 * The lease port: a named, expiring claim held by one owner at a time. Workers use leases to split
 * work (one collector per cluster) without a coordinator; a lease whose holder dies simply expires.
 */
export interface LeaseStore {
  /** True when `owner` now holds `name` for `ttlMs`; a lease it already holds is extended. */
  acquire(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Extends `owner`'s lease by `ttlMs`; false when it expired or another owner took it meanwhile. */
  renew(name: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up; does nothing when `owner` no longer holds it. */
  release(name: string, owner: string): Promise<void>;
  /** The current, unexpired holder. */
  holder(name: string): Promise<string | undefined>;
}
