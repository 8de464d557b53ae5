/**
 * Collects one cluster: a list+watch loop per resource kind feeding the inventory sink, and a
 * heartbeat that decides the cluster's status. A cluster that stops answering turns `unreachable`
 * (its inventory is kept and marked stale by the status, never silently emptied) and comes back by
 * itself when it answers again.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterStatus } from '../../server/model/cluster.js';
import type { InventorySink } from './inventory-sink.js';
import { getJson } from './kube-request.js';
import { ListWatch, type ListWatchState, type RawObject } from './list-watch.js';
import type { ResourceKind } from './resources.js';

/** How often an unchanged, connected cluster's lastSeenAt is passed on (a store write). */
const REPORT_SEEN_MS = 60_000;

export interface ClusterHealth {
  status: ClusterStatus;
  lastSeenAt?: string;
  message?: string;
  kubernetesVersion?: string;
  /** Per resource kind: what its loop is doing. */
  resources: Record<string, { phase: ListWatchState['phase']; error?: string }>;
}

export interface ClusterCollectorOptions {
  heartbeatMs?: number;
  /** Consecutive failed heartbeats before the cluster counts as unreachable. */
  unreachableAfter?: number;
  now?: () => number;
}

export class ClusterCollector {
  private readonly loops: ListWatch[] = [];
  private readonly health: ClusterHealth = { status: 'unknown', resources: {} };
  private heartbeat: NodeJS.Timeout | undefined;
  private failedBeats = 0;
  /** What listeners last heard, to tell them only of changes (and of lastSeenAt once a minute). */
  private reported: { status: ClusterStatus; version?: string; message?: string; at: number } | undefined;
  private readonly listeners: Array<(health: ClusterHealth) => void> = [];
  private readonly options: Required<ClusterCollectorOptions>;

  constructor(
    readonly clusterId: string,
    private readonly kc: KubeConfig,
    private readonly kinds: readonly ResourceKind[],
    private readonly sink: InventorySink,
    options: ClusterCollectorOptions = {},
  ) {
    this.options = { heartbeatMs: 5_000, unreachableAfter: 2, now: Date.now, ...options };
  }

  /** Called with the health when status, version or message change, and once a minute otherwise. */
  onHealth(listener: (health: ClusterHealth) => void): void {
    this.listeners.push(listener);
  }

  current(): ClusterHealth {
    return structuredClone(this.health);
  }

  /** Starts collection; resolves once the priming kinds (namespaces) have listed, or after a while. */
  async start(): Promise<void> {
    const primed: Promise<void>[] = [];
    for (const kind of this.kinds.filter((k) => k.primes)) primed.push(this.startLoop(kind));
    void this.beat();
    this.heartbeat = setInterval(() => void this.beat(), this.options.heartbeatMs);
    // A failing namespace list must not hold back the rest for ever.
    await Promise.race([Promise.all(primed), new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
    for (const kind of this.kinds.filter((k) => !k.primes)) void this.startLoop(kind);
  }

  /** Starts one loop; resolves after its first complete list. */
  private startLoop(kind: ResourceKind): Promise<void> {
    const scope = { clusterId: this.clusterId, ...kind.scope };
    const idOf = (object: RawObject) => `${this.clusterId}/${object.metadata?.uid ?? ''}`;
    let firstList: () => void = () => undefined;
    const listedOnce = new Promise<void>((resolve) => (firstList = resolve));
    const loop = new ListWatch(
      this.kc,
      {
        page: async (items) => {
          for (const item of items) await this.write(kind, item);
        },
        listed: async (uids) => {
          await this.sink.reconcile(
            kind.collection,
            scope,
            new Set([...uids].map((uid) => `${this.clusterId}/${uid}`)),
          );
          firstList();
        },
        upserted: (item) => this.write(kind, item),
        deleted: (item) => this.sink.delete(kind.collection, idOf(item)),
        state: (state) => this.loopState(kind.name, state),
      },
      { path: kind.path, ...(kind.fieldSelector ? { fieldSelector: kind.fieldSelector } : {}) },
    );
    this.loops.push(loop);
    loop.start();
    return listedOnce;
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    await Promise.all(this.loops.map((loop) => loop.stop()));
    this.loops.length = 0;
    await this.sink.flush();
  }

  private async write(kind: ResourceKind, item: RawObject): Promise<void> {
    const doc = await kind.normalize(this.clusterId, item);
    if (doc) await this.sink.upsert(kind.collection, doc);
  }

  private loopState(kind: string, state: ListWatchState): void {
    this.health.resources[kind] = {
      phase: state.phase,
      ...(state.phase === 'error' ? { error: state.error.message } : {}),
    };
    if (state.phase === 'watching') this.seen();
    this.evaluate();
  }

  /** A cheap GET /version tells reachability apart from one failing resource. */
  private async beat(): Promise<void> {
    try {
      const version = await getJson<{ gitVersion?: string }>(this.kc, '/version', {}, 4_000);
      this.failedBeats = 0;
      if (version.gitVersion) this.health.kubernetesVersion = version.gitVersion;
      this.seen();
      this.health.message = undefined;
    } catch (error) {
      this.failedBeats++;
      this.health.message = `API server not answering: ${(error as Error).message}`;
    }
    this.evaluate();
  }

  private seen(): void {
    this.health.lastSeenAt = new Date(this.options.now()).toISOString();
  }

  private evaluate(): void {
    const failing = Object.entries(this.health.resources).filter(([, r]) => r.phase === 'error');
    let status: ClusterStatus;
    if (this.failedBeats >= this.options.unreachableAfter) status = 'unreachable';
    else if (this.failedBeats > 0 || failing.length > 0) status = 'degraded';
    else if (this.health.lastSeenAt) status = 'connected';
    else status = 'unknown';
    if (status === 'connected') this.health.message = undefined;
    if (status === 'degraded' && failing.length && !this.health.message)
      this.health.message = failing.map(([kind, r]) => `${kind}: ${r.error}`).join('; ');
    this.health.status = status;
    const now = this.options.now();
    const last = this.reported;
    if (
      last &&
      last.status === status &&
      last.version === this.health.kubernetesVersion &&
      last.message === this.health.message &&
      now - last.at < REPORT_SEEN_MS
    )
      return;
    this.reported = { status, version: this.health.kubernetesVersion, message: this.health.message, at: now };
    for (const listener of this.listeners) listener(this.current());
  }
}
