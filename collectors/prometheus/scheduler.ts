/**
 * Collects every cluster's usage on an interval. Each cluster has its own timer chain, so one
 * collection per cluster is in flight at most, and a broken Prometheus only slows its own
 * cluster: it backs off, shows `degraded`, and returns to `ok` on the first collection that works.
 */
import { PromQueryError } from './client.js';
import type { UsageSnapshot, UsageSource } from './usage.js';

export type UsageState = 'unknown' | 'ok' | 'degraded';

export interface ClusterUsageStatus {
  clusterId: string;
  /** unknown until the first collection ends (same meaning as the cluster model's `unknown`). */
  state: UsageState;
  lastSuccessAt?: string;
  /** The latest failure; kept after recovery so the console can say when it last failed. */
  lastError?: { message: string; at: string; status?: number; errorType?: string };
  consecutiveFailures: number;
  nextRunAt?: string;
}

export interface UsageSchedulerOptions {
  /** Receives each successful snapshot; if it throws, the collection counts as failed. */
  onSnapshot: (snapshot: UsageSnapshot) => void | Promise<void>;
  /** Called whenever a cluster's state changes (unknown → ok, ok → degraded, degraded → ok). */
  onStateChange?: (status: ClusterUsageStatus) => void;
  /** Between collections of one cluster. Default 30 s. */
  intervalMs?: number;
  /** Longest wait after repeated failures. Default 5 min. */
  maxBackoffMs?: number;
  /** Jitter source in [0, 1). */
  random?: () => number;
}

interface Entry {
  source: UsageSource;
  status: ClusterUsageStatus;
  abort: AbortController;
  timer?: NodeJS.Timeout;
  inFlight?: Promise<void>;
  stopped: boolean;
}

export class UsageScheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly intervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly random: () => number;

  constructor(private readonly options: UsageSchedulerOptions) {
    this.intervalMs = options.intervalMs ?? 30_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 300_000;
    this.random = options.random ?? Math.random;
  }

  /** Starts collecting a cluster now; replaces an earlier source for the same cluster. */
  async add(source: UsageSource): Promise<void> {
    await this.remove(source.clusterId);
    const entry: Entry = {
      source,
      status: { clusterId: source.clusterId, state: 'unknown', consecutiveFailures: 0 },
      abort: new AbortController(),
      stopped: false,
    };
    this.entries.set(source.clusterId, entry);
    this.schedule(entry, 0);
  }

  /** Stops collecting a cluster, cancelling a collection in flight. */
  async remove(clusterId: string): Promise<void> {
    const entry = this.entries.get(clusterId);
    if (!entry) return;
    this.entries.delete(clusterId);
    entry.stopped = true;
    clearTimeout(entry.timer);
    entry.abort.abort();
    await entry.inFlight;
  }

  status(): ClusterUsageStatus[] {
    return [...this.entries.values()].map((entry) => structuredClone(entry.status));
  }

  /** Stops every cluster and waits for collections in flight to end. */
  async stop(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((clusterId) => this.remove(clusterId)));
  }

  private schedule(entry: Entry, delayMs: number): void {
    if (entry.stopped) return;
    entry.status.nextRunAt = new Date(Date.now() + delayMs).toISOString();
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      entry.inFlight = this.run(entry).finally(() => (entry.inFlight = undefined));
    }, delayMs);
  }

  private async run(entry: Entry): Promise<void> {
    const started = Date.now();
    let next: number;
    try {
      const snapshot = await entry.source.collect(entry.abort.signal);
      if (entry.stopped) return;
      await this.options.onSnapshot(snapshot);
      entry.status.consecutiveFailures = 0;
      entry.status.lastSuccessAt = new Date().toISOString();
      this.setState(entry, 'ok');
      next = Math.max(0, this.intervalMs - (Date.now() - started));
    } catch (err) {
      if (entry.stopped) return;
      const failures = ++entry.status.consecutiveFailures;
      entry.status.lastError = {
        message: err instanceof Error ? err.message : String(err),
        at: new Date().toISOString(),
        ...(err instanceof PromQueryError && { status: err.status, errorType: err.errorType }),
      };
      this.setState(entry, 'degraded');
      next = this.backoffMs(failures, err instanceof PromQueryError ? err.retryAfterMs : undefined);
    }
    this.schedule(entry, next);
  }

  // Doubling from the interval, with "equal jitter" (half fixed, half random) so clusters that failed
  // together do not retry together; never sooner than the server's Retry-After.
  private backoffMs(failures: number, retryAfterMs: number | undefined): number {
    const ceiling = Math.min(this.maxBackoffMs, this.intervalMs * 2 ** (failures - 1));
    const jittered = ceiling / 2 + this.random() * (ceiling / 2);
    return Math.max(jittered, retryAfterMs ?? 0);
  }

  private setState(entry: Entry, state: UsageState): void {
    if (entry.status.state === state) return;
    entry.status.state = state;
    this.options.onStateChange?.(structuredClone(entry.status));
  }
}
