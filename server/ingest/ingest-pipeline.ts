/**
 * What the ingest routes do with a payload: normalise, check tenant scope, enrich from inventory,
 * store, and queue for detection. The 202 means "stored": detection follows within milliseconds.
 *
 * A batch is all-or-nothing: if any record is invalid, none is stored and the 400 lists every bad
 * record with its field, so the sender can fix and resend the whole batch without creating
 * duplicates or gaps. Re-sent events are recognised by (source, source event id): the event id is
 * derived from them, so a re-delivery is counted as deduplicated, not stored twice.
 *
 * Overload: when the detection queue holds more than `maxQueuedEvents`, new batches are refused
 * with 429 and a Retry-After estimated from the current drain rate, before anything is stored.
 */
import { createHash } from 'node:crypto';
import type { DetectionWorker } from '../detection/detection-worker.js';
import type { EventSource } from '../model/fragments.js';
import type { SecurityEvent } from '../model/security-event.js';
import type { Collection, Store } from '../store/port.js';
import type { InventoryEnricher } from './enrichment.js';
import type { NewSecurityEvent, NormalizeResult, Rejection } from './normalize/index.js';
import type { NormalizePool } from './normalize-pool.js';
import { RECEIVERS, isReceiverSource, type Normalizer } from './receivers.js';

export class IngestRejectedError extends Error {
  constructor(readonly rejections: Rejection[]) {
    super(`${rejections.length} invalid field(s); nothing of the batch was stored`);
  }
}

export class IngestOverloadedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('detection is behind; retry later');
  }
}

export interface IngestRequest {
  source: EventSource;
  payload: unknown;
  /** Cluster the payload comes from (ingest token binding or query parameter). */
  clusterId?: string;
  /** Node the payload is about, for per-node sources (kube-bench). */
  node?: string;
  /** The sender's tenants; undefined = platform-wide sender. */
  tenantIds?: readonly string[];
  /** Overrides the source's normaliser (pullers hand in events they normalised themselves). */
  normalize?: Normalizer;
}

export interface IngestResult {
  accepted: number;
  deduplicated: number;
  skipped: number;
}

export interface SourceCounters {
  batches: number;
  accepted: number;
  rejected: number;
  deduplicated: number;
  skipped: number;
  overloaded: number;
}

/** Stored event ids embed the source's own id (auditID, Falco uuid) so they are searchable as-is. */
export function securityEventId(source: string, sourceEventId: string): string {
  const id = `${source}:${sourceEventId}`;
  return id.length <= 256
    ? id
    : `${source}:sha256:${createHash('sha256').update(sourceEventId).digest('hex')}`;
}

export interface IngestPipelineOptions {
  store: Store;
  enricher: InventoryEnricher;
  detection: DetectionWorker;
  /** Worker threads for parsing and normalising; in-process without. */
  pool?: NormalizePool;
  maxQueuedEvents?: number;
  now?: () => number;
}

export class IngestPipeline {
  readonly counters = new Map<string, SourceCounters>();
  private readonly events: Collection<SecurityEvent>;
  private readonly maxQueued: number;
  private readonly now: () => number;

  constructor(private readonly options: IngestPipelineOptions) {
    this.events = options.store.collection<SecurityEvent>('security_events');
    this.maxQueued = options.maxQueuedEvents ?? 200_000;
    this.now = options.now ?? Date.now;
  }

  countersOf(source: string): SourceCounters {
    let c = this.counters.get(source);
    if (!c) {
      c = { batches: 0, accepted: 0, rejected: 0, deduplicated: 0, skipped: 0, overloaded: 0 };
      this.counters.set(source, c);
    }
    return c;
  }

  async ingest(request: IngestRequest): Promise<IngestResult> {
    const counters = this.countersOf(request.source);
    const { detection } = this.options;
    if (detection.queuedEvents > this.maxQueued) {
      counters.overloaded++;
      throw new IngestOverloadedError(this.retryAfter());
    }
    const acceptedAt = this.now();
    const result = await this.normalize(request);
    if (result.rejected.length) {
      counters.rejected += result.rejected.length;
      throw new IngestRejectedError(result.rejected);
    }
    await this.options.enricher.enrich(result.events);
    const outOfScope = this.checkTenants(result.events, request.tenantIds);
    if (outOfScope.length) {
      counters.rejected += outOfScope.length;
      throw new IngestRejectedError(outOfScope);
    }

    const token = detection.beginStoring();
    try {
      const { fresh, deduplicated } = await this.store(result.events, acceptedAt);
      detection.enqueue(token, fresh, acceptedAt);
      counters.batches++;
      counters.accepted += fresh.length;
      counters.deduplicated += deduplicated;
      counters.skipped += result.skipped;
      return { accepted: fresh.length, deduplicated, skipped: result.skipped };
    } catch (err) {
      detection.abandon(token);
      throw err;
    }
  }

  private normalize(request: IngestRequest): Promise<NormalizeResult> | NormalizeResult {
    const ctx = {
      ...(request.clusterId ? { clusterId: request.clusterId } : {}),
      ...(request.node ? { node: request.node } : {}),
    };
    if (request.normalize) return request.normalize(request.payload, ctx);
    if (!isReceiverSource(request.source)) throw new Error(`no normaliser for source ${request.source}`);
    const { pool } = this.options;
    if (pool && typeof request.payload === 'string')
      return pool.run({ source: request.source, payload: request.payload, ctx });
    return RECEIVERS[request.source](request.payload, ctx);
  }

  /**
   * A tenant-scoped sender may only send its own tenants' events; an event whose namespace maps to
   * no tenant becomes the sender's when it has exactly one.
   */
  private checkTenants(events: NewSecurityEvent[], tenantIds: readonly string[] | undefined): Rejection[] {
    if (tenantIds === undefined) return [];
    const rejections: Rejection[] = [];
    events.forEach((event, index) => {
      if (event.tenantId === undefined && tenantIds.length === 1) event.tenantId = tenantIds[0];
      if (event.tenantId === undefined || !tenantIds.includes(event.tenantId)) {
        rejections.push({
          index,
          path: `[${index}].tenantId`,
          message: `the event belongs to ${event.tenantId ? `tenant ${event.tenantId}` : 'no tenant'}, outside the sender's tenants`,
        });
      }
    });
    return rejections;
  }

  /**
   * Stores the events not seen before; within a batch too, a repeated id is stored once (its first
   * occurrence). One insertMany per batch: the store skips known ids without a read beforehand.
   */
  private async store(
    events: NewSecurityEvent[],
    acceptedAt: number,
  ): Promise<{ fresh: SecurityEvent[]; deduplicated: number }> {
    const byId = new Map<string, NewSecurityEvent & { id: string }>();
    for (const event of events) {
      const id = securityEventId(event.source, event.sourceEventId);
      if (!byId.has(id)) byId.set(id, { ...event, id });
    }
    const inserted = await this.events.insertMany([...byId.values()]);
    const at = new Date(acceptedAt).toISOString();
    const fresh = inserted.map((id) => ({ ...byId.get(id)!, version: 1, createdAt: at, updatedAt: at }));
    return { fresh, deduplicated: events.length - fresh.length };
  }

  /** Seconds until the queue is back under the limit at the recent drain rate (1–60). */
  private retryAfter(): number {
    const { detection } = this.options;
    const excess = detection.queuedEvents - this.maxQueued;
    const perSecond = Math.max(1_000, detection.stats.events / Math.max(1, process.uptime()));
    return Math.min(60, Math.max(1, Math.ceil(excess / perSecond)));
  }
}
