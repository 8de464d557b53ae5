/**
 * Wires the security pipeline of one process: receivers → enrichment → store → rules → alerts →
 * incidents, with its timers (hit counts, rule refresh, replay checkpoint) and its routes.
 *
 * Crash safety: every few seconds the worker's checkpoint (the oldest store time whose events may
 * not have been through detection) is saved; on start, events stored since are detected again.
 * Each process keeps its own checkpoint (by instance name) and its own correlation state: with
 * several replicas behind a load balancer, a correlation sees the events of its own replica only.
 */
import { hostname } from 'node:os';
import { AlertService } from '../alerts/alert-service.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { RouteSpec } from '../http/route.js';
import { IncidentService } from '../incidents/incident-service.js';
import { InventoryEnricher } from '../ingest/enrichment.js';
import { IngestPipeline } from '../ingest/ingest-pipeline.js';
import { KubeEventFeed } from '../ingest/kube-event-feed.js';
import { NormalizePool } from '../ingest/normalize-pool.js';
import type { SecurityEvent } from '../model/security-event.js';
import { alertRoutes } from '../routes/alerts.js';
import { incidentRoutes } from '../routes/incidents.js';
import { ingestRoutes } from '../routes/ingest.js';
import { mttxRoutes } from '../routes/mttx.js';
import { ruleRoutes } from '../routes/rules.js';
import { scan } from '../store/find-all.js';
import type { Store } from '../store/port.js';
import { detectionCheckpointsSpec, type DetectionCheckpoint as Checkpoint } from './checkpoint.js';
import { DetectionWorker } from './detection-worker.js';
import { RuleRegistry } from './rule-registry.js';

const TICK_MS = 5_000;
const REFRESH_MS = 30_000;
const REPLAY_BATCH = 1_000;

export interface DetectionRuntimeOptions {
  store: Store;
  audit: AuditLog;
  /** Names this process's checkpoint; default the host name (the pod name under Kubernetes). */
  instance?: string;
  maxQueuedEvents?: number;
  /** Worker threads normalising payloads; default one per core but one; 0 = in-process. */
  normalizeThreads?: number;
  stormCap?: number;
  onError?: (err: unknown, what: string) => void;
  now?: () => number;
}

export class DetectionRuntime {
  readonly registry: RuleRegistry;
  readonly incidents: IncidentService;
  readonly alerts: AlertService;
  readonly worker: DetectionWorker;
  readonly pipeline: IngestPipeline;
  /** Warning events the collectors stored, fed to the rules. */
  readonly kubeEvents: KubeEventFeed;
  private readonly instance: string;
  private readonly pool: NormalizePool | undefined;
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly options: DetectionRuntimeOptions) {
    const { store, audit } = options;
    const onError = options.onError ?? (() => undefined);
    this.instance = options.instance ?? hostname();
    this.registry = new RuleRegistry(store, audit);
    this.incidents = new IncidentService({
      store,
      audit,
      ...(options.now ? { now: () => new Date(options.now!()) } : {}),
    });
    this.alerts = new AlertService({
      store,
      audit,
      incidents: this.incidents,
      ...(options.stormCap ? { stormCap: options.stormCap } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    this.worker = new DetectionWorker({
      registry: this.registry,
      alerts: this.alerts,
      onError: (err) => onError(err, 'detection'),
      ...(options.now ? { now: options.now } : {}),
    });
    this.pool = NormalizePool.create(options.normalizeThreads);
    this.pipeline = new IngestPipeline({
      store,
      ...(this.pool ? { pool: this.pool } : {}),
      enricher: new InventoryEnricher(store, options.now),
      detection: this.worker,
      ...(options.maxQueuedEvents ? { maxQueuedEvents: options.maxQueuedEvents } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    this.kubeEvents = new KubeEventFeed(store, this.pipeline);
  }

  /** Worker threads normalising payloads (0: in-process). */
  get normalizeThreads(): number {
    return this.pool?.threads ?? 0;
  }

  routes(): RouteSpec[] {
    return [
      ...ingestRoutes({ pipeline: this.pipeline, detection: this.worker }),
      ...alertRoutes({ incidents: this.incidents }),
      ...incidentRoutes({ service: this.incidents }),
      ...ruleRoutes({ registry: this.registry }),
      ...mttxRoutes(),
    ];
  }

  /** Loads the rules, detects what a previous run left undetected, and starts the timers. */
  async start(): Promise<{ replayed: number }> {
    await this.registry.start();
    const replayed = await this.replay();
    const onError = this.options.onError ?? (() => undefined);
    const every = (ms: number, what: string, task: () => Promise<void>) => {
      const timer = setInterval(() => void task().catch((err: unknown) => onError(err, what)), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(TICK_MS, 'rule hit counts', () => this.tick());
    every(TICK_MS, 'kubernetes events', async () => void (await this.kubeEvents.poll()));
    every(REFRESH_MS, 'rule refresh', () => this.registry.refresh());
    return { replayed };
  }

  /** Finishes queued detection and saves counts and the checkpoint. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    await this.worker.drained();
    await this.tick();
    await this.pool?.close();
  }

  /**
   * Deletes security events stored more than `days` ago (network logs are kept at least six months,
   * 网络安全法 Art. 21); alerts keep their evidence ids. Returns how many were deleted.
   */
  async pruneEvents(days: number, now = Date.now()): Promise<number> {
    const cutoff = new Date(now - days * 86_400_000).toISOString();
    return this.options.store.collection('security_events').deleteMany({ createdAt: { lt: cutoff } });
  }

  /** Saves hit counts and the replay checkpoint. */
  async tick(): Promise<void> {
    const at = new Date(this.worker.checkpoint()).toISOString();
    await this.registry.flushHits();
    await this.options.store
      .collection<Checkpoint>(detectionCheckpointsSpec.name)
      .upsert({ id: this.instance, at });
  }

  private async replay(): Promise<number> {
    const checkpoint = await this.options.store
      .collection<Checkpoint>(detectionCheckpointsSpec.name)
      .get(this.instance);
    if (!checkpoint) return 0;
    const events = this.options.store.collection<SecurityEvent>('security_events');
    let batch: SecurityEvent[] = [];
    let replayed = 0;
    const flush = () => {
      const token = this.worker.beginStoring();
      this.worker.enqueue(token, batch, Date.now());
      replayed += batch.length;
      batch = [];
    };
    for await (const event of scan(events, {
      filter: { createdAt: { gte: checkpoint.at } },
      sort: { field: 'createdAt', dir: 'asc' },
    })) {
      batch.push(event);
      if (batch.length >= REPLAY_BATCH) flush();
    }
    if (batch.length) flush();
    await this.worker.drained();
    return replayed;
  }
}
