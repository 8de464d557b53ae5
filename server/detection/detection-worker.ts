/**
 * Runs accepted events through the rules, in the order they were accepted, and hands the hits to
 * the alert service. Events arrive already stored (the ingest route answers 202 only then), so the
 * queue here only holds work: if the process dies, `replaySince()` re-runs what was stored after
 * the last checkpoint (at-least-once detection; a replayed event may count an occurrence twice).
 *
 * Evaluation is synchronous CPU work; it yields to the event loop between slices so the API keeps
 * answering under a flood.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { AlertService, Detection } from '../alerts/alert-service.js';
import { engineEventOf } from '../ingest/normalize/index.js';
import type { SecurityEvent } from '../model/security-event.js';
import { LatencyRecorder } from './latency.js';
import type { RuleRegistry } from './rule-registry.js';

interface Batch {
  events: SecurityEvent[];
  acceptedAt: number;
  /** When storing the batch began: nothing of it is older, so it bounds the replay checkpoint. */
  storedFrom: number;
}

export interface DetectionStats {
  events: number;
  hits: number;
  failures: number;
}

const SLICE = 1_000;

export class DetectionWorker {
  readonly stats: DetectionStats = { events: 0, hits: 0, failures: 0 };
  readonly latency = new LatencyRecorder();
  private readonly queue: Batch[] = [];
  private queued = 0;
  private running: Promise<void> | undefined;
  /** Batches being stored right now, not yet enqueued: token → when storing began. */
  private readonly storing = new Map<number, number>();
  private nextToken = 0;
  private readonly idle: Array<() => void> = [];

  constructor(
    private readonly deps: {
      registry: RuleRegistry;
      alerts: AlertService;
      now?: () => number;
      onError?: (err: unknown) => void;
    },
  ) {}

  get queuedEvents(): number {
    return this.queued;
  }

  /** Marks the start of storing a batch; call `enqueue` (or `abandon` on failure) with the token. */
  beginStoring(): number {
    const token = this.nextToken++;
    this.storing.set(token, this.now());
    return token;
  }

  abandon(token: number): void {
    this.storing.delete(token);
  }

  enqueue(token: number, events: SecurityEvent[], acceptedAt: number): void {
    const storedFrom = this.storing.get(token) ?? this.now();
    this.storing.delete(token);
    if (events.length === 0) return;
    this.queue.push({ events, acceptedAt, storedFrom });
    this.queued += events.length;
    this.kick();
  }

  /**
   * The oldest store time whose events may not be detected yet: replay from here after a crash.
   * With nothing in flight, `now` (everything before it is done).
   */
  checkpoint(): number {
    let oldest = this.now();
    for (const at of this.storing.values()) oldest = Math.min(oldest, at);
    for (const batch of this.queue) oldest = Math.min(oldest, batch.storedFrom);
    return oldest;
  }

  /** Resolves once every enqueued event has been through detection. */
  async drained(): Promise<void> {
    if (!this.running && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private kick(): void {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
      if (this.queue.length) this.kick();
      else for (const resolve of this.idle.splice(0)) resolve();
    });
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private async run(): Promise<void> {
    for (let batch = this.queue[0]; batch; batch = this.queue[0]) {
      try {
        await this.detect(batch);
      } catch (err) {
        // The events are stored; a failure here (store down) loses no data, and the next
        // replay from the checkpoint (which this batch still holds back) detects them again.
        this.stats.failures++;
        this.deps.onError?.(err);
      }
      this.queue.shift();
      this.queued -= batch.events.length;
    }
  }

  private async detect(batch: Batch): Promise<void> {
    const { registry, alerts } = this.deps;
    for (let i = 0; i < batch.events.length; i += SLICE) {
      const detections: Detection[] = [];
      for (const event of batch.events.slice(i, i + SLICE)) {
        const hits = registry.engine.evaluate(engineEventOf(event.id, event));
        for (const hit of hits) {
          registry.countHit(hit.rule.id, hit.lastEventTime);
          detections.push({ hit, event });
        }
      }
      this.stats.events += Math.min(SLICE, batch.events.length - i);
      this.stats.hits += detections.length;
      if (detections.length) {
        await alerts.record(detections);
        const done = this.now();
        for (let n = 0; n < detections.length; n++) this.latency.record(done - batch.acceptedAt);
      }
      await yieldToLoop();
    }
  }
}
