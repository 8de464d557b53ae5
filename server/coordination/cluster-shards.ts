/**
 * Splits the cluster fleet across collector workers with one lease per cluster: a worker collects
 * exactly the clusters whose lease it holds, and when it dies its leases expire and the others' next
 * sync takes them over.
 *
 * Policy: each worker takes at most a fair share, ceil(clusters / live workers), or `maxClusters`
 * when set. Live workers are counted through member slot leases (`member:0`, `member:1`, …; each
 * worker holds one), read with one `holder()` per slot. A worker above its share releases the
 * surplus, so a worker that joins later gets clusters within a few syncs; one below it acquires
 * clusters nobody holds. Slots are only scanned up to the number of clusters, since further workers
 * could not get a cluster anyway.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { LeaseStore } from './lease.js';

export interface ClusterShardsOptions {
  leases: LeaseStore;
  /** Unique per process; default hostname:pid:random. */
  owner?: string;
  /** How long a lease outlives its last renewal, i.e. how soon a dead worker's clusters move. */
  ttlMs?: number;
  /** How often the caller should sync; well below ttlMs so one slow renewal does not lose leases. */
  renewMs?: number;
  /** Take at most this many clusters instead of the fair share (skips counting workers). */
  maxClusters?: number;
}

/** What one sync changed; `workers` is the live-worker estimate it used (1 with maxClusters). */
export interface ShardChange {
  acquired: string[];
  lost: string[];
  released: string[];
  workers: number;
}

const clusterLease = (clusterId: string) => `cluster:${clusterId}`;
const memberLease = (slot: number) => `member:${slot}`;

export const processOwnerId = (): string => `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

export class ClusterShards {
  readonly owner: string;
  readonly ttlMs: number;
  readonly renewMs: number;
  /** Called after a sync that acquired, lost or released clusters. */
  onChange?: (change: ShardChange) => void;
  private readonly leases: LeaseStore;
  /** clusterId → when our lease expires at the latest, measured from before the request was sent. */
  private readonly held = new Map<string, number>();
  private slot: number | undefined;
  private syncing: Promise<void> = Promise.resolve();

  constructor(private readonly options: ClusterShardsOptions) {
    this.leases = options.leases;
    this.owner = options.owner ?? processOwnerId();
    this.ttlMs = options.ttlMs ?? 15_000;
    this.renewMs = options.renewMs ?? 5_000;
  }

  /** From the last sync; a lease not renewed in time stops counting even before the next sync. */
  owns(clusterId: string): boolean {
    const expiresAt = this.held.get(clusterId);
    return expiresAt !== undefined && Date.now() < expiresAt;
  }

  owned(): string[] {
    return [...this.held.keys()].filter((id) => this.owns(id)).sort();
  }

  /** Renews our leases, drops unwanted ones and takes free ones up to our share; one sync at a time. */
  sync(clusterIds: readonly string[]): Promise<void> {
    const run = this.syncing.then(() => this.step([...new Set(clusterIds)].sort()));
    this.syncing = run.catch(() => undefined);
    return run;
  }

  private async step(wanted: string[]): Promise<void> {
    const change: ShardChange = { acquired: [], lost: [], released: [], workers: 1 };
    // Membership first, so that it expires before our cluster leases if we die.
    if (this.options.maxClusters === undefined) change.workers = await this.countWorkers(wanted.length);
    const share = this.options.maxClusters ?? Math.ceil(wanted.length / change.workers);

    const wantedSet = new Set(wanted);
    await Promise.all(
      [...this.held.keys()].map(async (id) => {
        if (!wantedSet.has(id)) return this.drop(id, change.released);
        const at = Date.now();
        if (await this.leases.renew(clusterLease(id), this.owner, this.ttlMs))
          this.held.set(id, at + this.ttlMs);
        else {
          this.held.delete(id);
          change.lost.push(id);
        }
      }),
    );
    for (const id of [...this.held.keys()].sort().slice(share)) await this.drop(id, change.released);

    if (this.held.size < share) {
      const free = wanted.filter((id) => !this.held.has(id));
      const holders = await Promise.all(free.map((id) => this.leases.holder(clusterLease(id))));
      for (const [i, id] of free.entries()) {
        if (this.held.size >= share) break;
        if (holders[i] !== undefined) continue;
        const at = Date.now();
        if (await this.leases.acquire(clusterLease(id), this.owner, this.ttlMs)) {
          this.held.set(id, at + this.ttlMs);
          change.acquired.push(id);
        }
      }
    }
    if (change.acquired.length + change.lost.length + change.released.length > 0) this.onChange?.(change);
  }

  /** Holds (or renews) our member slot and counts the held slots, ourselves included. */
  private async countWorkers(clusters: number): Promise<number> {
    if (this.slot !== undefined && !(await this.leases.renew(memberLease(this.slot), this.owner, this.ttlMs)))
      this.slot = undefined;
    const slots = Math.max(clusters, (this.slot ?? -1) + 1);
    const holders = await Promise.all(
      Array.from({ length: slots }, (_, i) => this.leases.holder(memberLease(i))),
    );
    for (let i = 0; this.slot === undefined && i < slots; i++)
      if (holders[i] === undefined && (await this.leases.acquire(memberLease(i), this.owner, this.ttlMs))) {
        this.slot = i;
        holders[i] = this.owner;
      }
    return Math.max(1, holders.filter((h) => h !== undefined).length);
  }

  /** Forgets the cluster before releasing it, so that owns() is false by the time another can take it. */
  private async drop(clusterId: string, into: string[]): Promise<void> {
    this.held.delete(clusterId);
    into.push(clusterId);
    await this.leases.release(clusterLease(clusterId), this.owner);
  }

  /** Releases every lease, for a clean shutdown; other workers take the clusters at their next sync. */
  async stop(): Promise<void> {
    await this.syncing;
    const ids = [...this.held.keys()];
    this.held.clear();
    const slot = this.slot;
    this.slot = undefined;
    await Promise.all([
      ...ids.map((id) => this.leases.release(clusterLease(id), this.owner)),
      ...(slot === undefined ? [] : [this.leases.release(memberLease(slot), this.owner)]),
    ]);
  }
}
