/**
 * Turns detections into alerts: deduplication by fingerprint, occurrence counts, suppression,
 * reopening, and storm protection. Nothing a rule hits is ever dropped: a hit either opens an alert
 * or adds to the count of an existing one.
 *
 * - Dedup: hits with the same fingerprint (fingerprint.ts) fold into one alert; occurrenceCount,
 *   lastSeenAt and the evidence (first 50 and latest 50 event ids) follow.
 * - Suppression: while `suppressedUntil` is ahead, a closed alert's recurrences only count; after
 *   it, a recurrence reopens the alert (status new, verdict cleared) and tells the incidents.
 * - Storm protection: a rule opens at most `stormCap` alerts a minute; further new fingerprints of
 *   that rule fold into the rule's latest alert (counted, evidence kept) until the minute turns.
 *
 * Writes are batched: a batch of detections costs one insert or update per alert it touches. Each
 * update names the version it read, and a conflict (an analyst's PATCH, another replica) re-reads
 * the alert and re-applies this batch's increments, so no occurrence is lost or counted twice.
 */
import type { AuditLog } from '../audit/audit-log.js';
import type { DetectionHit, LoadedRule } from '../detection/engine.js';
import type { AlertNotice } from '../incidents/incident-service.js';
import { AlertSchema, type Alert } from '../model/alert.js';
import type { Severity } from '../model/fragments.js';
import type { SecurityEvent } from '../model/security-event.js';
import { ConflictError, DuplicateKeyError, type Collection, type Store } from '../store/port.js';
import { alertFingerprint, groupingOf } from './fingerprint.js';

export interface Detection {
  hit: DetectionHit;
  /** The stored event that completed the hit; gives the alert its tenant, entities and source. */
  event: SecurityEvent;
}

export interface AlertSink {
  /** The incident the alert is in afterwards, if any. */
  onAlert(notice: AlertNotice): Promise<{ id: string } | undefined>;
}

export interface AlertServiceOptions {
  store: Store;
  audit: AuditLog;
  incidents?: AlertSink;
  /** New alerts a rule may open per minute before its hits fold into its latest alert. Default 30. */
  stormCap?: number;
  /** Alerts remembered between batches (most recently used). Default 20,000. */
  cacheSize?: number;
  now?: () => number;
}

export interface AlertStats {
  created: number;
  folded: number;
  reopened: number;
  /** Hits folded into a rule's latest alert because the rule was over its storm cap. */
  stormFolded: number;
  /** Updates retried after a version conflict. */
  conflicts: number;
}

const EVIDENCE_HEAD = 50;
const EVIDENCE_TAIL = 50;
const MAX_RETRIES = 8;
const SEVERITY: Record<LoadedRule['level'], Severity> = {
  informational: 'info',
  low: 'low',
  medium: 'medium',
  high: 'high',
  critical: 'critical',
};
const DETECTION_ACTOR = { type: 'system', id: 'detection', name: 'yunshu' } as const;

/** What this batch adds to one alert, kept apart from the stored copy so a conflict can re-apply it. */
interface Delta {
  count: number;
  firstSeenAt: string;
  lastSeenAt: string;
  occurredAt: string;
  eventIds: string[];
  reopen: boolean;
  baseRuleIds?: string[];
}

interface Pending {
  fingerprint: string;
  /** Undefined when the alert is new in this batch. */
  stored: Alert | undefined;
  /** The document to insert when `stored` is undefined. */
  fresh?: Alert;
  delta: Delta;
}

/** First EVIDENCE_HEAD and latest EVIDENCE_TAIL ids, without repeats. */
export function boundEvidence(ids: readonly string[]): string[] {
  const unique = [...new Set(ids)];
  if (unique.length <= EVIDENCE_HEAD + EVIDENCE_TAIL) return unique;
  return [...unique.slice(0, EVIDENCE_HEAD), ...unique.slice(-EVIDENCE_TAIL)];
}

const iso = (ms: number): string => new Date(ms).toISOString();
const minIso = (a: string, b: string): string => (a < b ? a : b);
const maxIso = (a: string, b: string): string => (a > b ? a : b);

function searchTextOf(
  alert: Pick<Alert, 'title' | 'ruleId' | 'k8s' | 'user' | 'evidenceEventIds' | 'source'>,
): string {
  const k8s = alert.k8s;
  return [
    alert.title,
    alert.ruleId,
    alert.source,
    k8s?.clusterId,
    k8s?.namespace,
    k8s?.workloadName,
    k8s?.pod,
    k8s?.container,
    k8s?.node,
    alert.user?.name,
    ...alert.evidenceEventIds,
  ]
    .filter((v): v is string => typeof v === 'string' && v !== '')
    .join(' ')
    .toLowerCase()
    .slice(0, 65_536);
}

export class AlertService {
  readonly stats: AlertStats = { created: 0, folded: 0, reopened: 0, stormFolded: 0, conflicts: 0 };
  private readonly alerts: Collection<Alert>;
  private readonly cache = new Map<string, Alert>();
  private readonly storm = new Map<string, { minute: number; opened: number; latest?: string }>();
  private readonly stormCap: number;
  private readonly cacheSize: number;
  private readonly now: () => number;

  constructor(private readonly options: AlertServiceOptions) {
    this.alerts = options.store.collection<Alert>('alerts');
    this.stormCap = options.stormCap ?? 30;
    this.cacheSize = options.cacheSize ?? 20_000;
    this.now = options.now ?? Date.now;
  }

  /** Folds a batch of detections into alerts and returns the alerts written, as stored. */
  async record(detections: readonly Detection[]): Promise<Alert[]> {
    if (detections.length === 0) return [];
    const keyed = detections.map((d) => {
      const grouping = groupingOf(d.hit, d.event);
      return { d, fingerprint: alertFingerprint(d.hit.rule.id, grouping) };
    });
    await this.preload(keyed.map((k) => k.fingerprint));

    const pending = new Map<string, Pending>();
    for (const { d, fingerprint } of keyed) this.apply(pending, fingerprint, d);

    const written: Alert[] = [];
    for (const p of pending.values()) {
      const { alert, created } = await this.write(p);
      written.push(alert);
      await this.notify(alert, created, p.delta);
    }
    return written;
  }

  private async preload(fingerprints: readonly string[]): Promise<void> {
    const missing = [...new Set(fingerprints)].filter((f) => !this.cache.has(f));
    for (let i = 0; i < missing.length; i += 500) {
      const chunk = missing.slice(i, i + 500);
      const page = await this.alerts.find({ filter: { fingerprint: { in: chunk } }, limit: chunk.length });
      for (const alert of page.items) this.remember(alert);
    }
  }

  private remember(alert: Alert): void {
    this.cache.delete(alert.fingerprint);
    this.cache.set(alert.fingerprint, alert);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }

  private apply(pending: Map<string, Pending>, fingerprint: string, d: Detection): void {
    let target = pending.get(fingerprint);
    if (!target) {
      const stored = this.cache.get(fingerprint);
      if (stored) target = this.pendingFor(fingerprint, stored, d);
      else {
        const stormTarget = this.stormTarget(d.hit.rule.id, pending);
        if (stormTarget) {
          this.stats.stormFolded++;
          this.fold(stormTarget, d);
          return;
        }
        target = {
          fingerprint,
          stored: undefined,
          fresh: this.newAlert(fingerprint, d),
          delta: this.deltaOf(d),
        };
        this.stats.created++;
        this.storm.get(d.hit.rule.id)!.latest = fingerprint;
        pending.set(fingerprint, target);
        return;
      }
      pending.set(fingerprint, target);
    }
    this.fold(target, d);
  }

  /**
   * Where a new fingerprint of `ruleId` folds when the rule has opened its quota of alerts this
   * minute: the rule's latest alert. Undefined while under the cap (the caller opens an alert).
   */
  private stormTarget(ruleId: string, pending: Map<string, Pending>): Pending | undefined {
    const minute = Math.floor(this.now() / 60_000);
    let window = this.storm.get(ruleId);
    if (!window || window.minute !== minute) {
      window = { minute, opened: 0, ...(window?.latest ? { latest: window.latest } : {}) };
      this.storm.set(ruleId, window);
    }
    if (window.opened >= this.stormCap && window.latest) {
      const latest = window.latest;
      const target = pending.get(latest);
      if (target) return target;
      const stored = this.cache.get(latest);
      if (stored) {
        const fresh: Pending = { fingerprint: latest, stored, delta: this.emptyDelta() };
        pending.set(latest, fresh);
        return fresh;
      }
    }
    window.opened++;
    return undefined;
  }

  private pendingFor(fingerprint: string, stored: Alert, d: Detection): Pending {
    return { fingerprint, stored, delta: { ...this.deltaOf(d), count: 0, eventIds: [] } };
  }

  private emptyDelta(): Delta {
    return { count: 0, firstSeenAt: '', lastSeenAt: '', occurredAt: '', eventIds: [], reopen: false };
  }

  private deltaOf(d: Detection): Delta {
    const first = iso(d.hit.firstEventTime);
    return {
      count: 1,
      firstSeenAt: first,
      lastSeenAt: iso(d.hit.lastEventTime),
      occurredAt: first,
      eventIds: [...d.hit.eventIds],
      reopen: false,
      ...(d.hit.rule.kind === 'correlation' && d.hit.rule.correlation
        ? { baseRuleIds: d.hit.rule.correlation.rules }
        : {}),
    };
  }

  private fold(p: Pending, d: Detection): void {
    const delta = p.delta;
    const first = iso(d.hit.firstEventTime);
    if (p.stored?.status === 'closed' && !delta.reopen) {
      const suppressed =
        p.stored.suppressedUntil !== undefined && Date.parse(p.stored.suppressedUntil) > this.now();
      if (!suppressed) {
        delta.reopen = true;
        this.stats.reopened++;
      }
    }
    if (delta.count > 0 || p.stored) this.stats.folded++;
    delta.count++;
    delta.firstSeenAt = delta.count === 1 ? first : minIso(delta.firstSeenAt, first);
    delta.occurredAt = delta.count === 1 ? first : minIso(delta.occurredAt, first);
    delta.lastSeenAt =
      delta.count === 1 ? iso(d.hit.lastEventTime) : maxIso(delta.lastSeenAt, iso(d.hit.lastEventTime));
    delta.eventIds.push(...d.hit.eventIds);
  }

  private newAlert(fingerprint: string, d: Detection): Alert {
    const { rule } = d.hit;
    const at = iso(this.now());
    const mitre = AlertSchema.shape.mitre.safeParse(rule.attack);
    const base = {
      id: fingerprint,
      version: 1,
      createdAt: at,
      updatedAt: at,
      schemaVersion: 1 as const,
      fingerprint,
      ruleId: rule.id,
      title: rule.title,
      ...(rule.description ? { description: rule.description } : {}),
      severity: SEVERITY[rule.level],
      status: 'new' as const,
      source: d.event.source,
      occurrenceCount: 1,
      firstSeenAt: iso(d.hit.firstEventTime),
      lastSeenAt: iso(d.hit.lastEventTime),
      mitre: mitre.success ? mitre.data : { tactics: [], techniques: [] },
      evidenceEventIds: boundEvidence(d.hit.eventIds),
      ...(d.event.k8s ? { k8s: d.event.k8s } : {}),
      ...(d.event.actor?.user ? { user: d.event.actor.user } : {}),
      ...(d.event.tenantId ? { tenantId: d.event.tenantId } : {}),
    };
    return { ...base, searchText: searchTextOf(base) };
  }

  private async write(p: Pending): Promise<{ alert: Alert; created: boolean }> {
    if (p.fresh) {
      try {
        const { version: _v, createdAt: _c, updatedAt: _u, ...template } = p.fresh;
        const evidenceEventIds = boundEvidence(p.delta.eventIds);
        const doc = {
          ...template,
          occurrenceCount: p.delta.count,
          firstSeenAt: p.delta.firstSeenAt,
          lastSeenAt: p.delta.lastSeenAt,
          evidenceEventIds,
          searchText: searchTextOf({ ...template, evidenceEventIds }),
        };
        const inserted = await this.alerts.insert(doc);
        this.remember(inserted);
        await this.auditCreated(inserted);
        return { alert: inserted, created: true };
      } catch (err) {
        if (!(err instanceof DuplicateKeyError)) throw err;
        // Another replica opened it first: this batch's hits are occurrences of that alert.
        p.stored = (await this.alerts.get(p.fingerprint)) ?? undefined;
        if (!p.stored) throw err;
        delete p.fresh;
        this.stats.created--;
      }
    }
    const reopened = p.delta.reopen;
    for (let attempt = 0; ; attempt++) {
      const stored = p.stored!;
      try {
        const updated = await this.alerts.update(stored.id, this.patchOf(stored, p.delta), {
          expectedVersion: stored.version,
        });
        this.remember(updated);
        return { alert: updated, created: reopened };
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= MAX_RETRIES) throw err;
        this.stats.conflicts++;
        const fresh = await this.alerts.get(stored.id);
        if (!fresh) throw err;
        p.stored = fresh;
        // The re-read alert may have been closed (or reopened) meanwhile.
        p.delta.reopen =
          fresh.status === 'closed' &&
          !(fresh.suppressedUntil !== undefined && Date.parse(fresh.suppressedUntil) > this.now());
      }
    }
  }

  private patchOf(stored: Alert, delta: Delta): Partial<Alert> {
    const evidenceEventIds = boundEvidence([...stored.evidenceEventIds, ...delta.eventIds]);
    const patch: Partial<Alert> = {
      occurrenceCount: stored.occurrenceCount + delta.count,
      firstSeenAt: minIso(stored.firstSeenAt, delta.firstSeenAt),
      lastSeenAt: maxIso(stored.lastSeenAt, delta.lastSeenAt),
      evidenceEventIds,
      searchText: searchTextOf({ ...stored, evidenceEventIds }),
    };
    if (delta.reopen) {
      // A reopened alert is new again; the old verdict no longer applies (the store merges
      // top-level fields, so the verdict is cleared by writing it as undefined).
      Object.assign(patch, { status: 'new', verdict: undefined, incidentId: undefined });
    }
    return patch;
  }

  private async auditCreated(alert: Alert): Promise<void> {
    await this.options.audit.append({
      actor: DETECTION_ACTOR,
      ...(alert.tenantId ? { tenantId: alert.tenantId } : {}),
      action: 'alert.create',
      target: { type: 'alert', id: alert.id },
      result: 'success',
      details: { ruleId: alert.ruleId, severity: alert.severity, title: alert.title },
    });
  }

  private async notify(alert: Alert, created: boolean, delta: Delta): Promise<void> {
    if (!this.options.incidents) return;
    const incident = await this.options.incidents.onAlert({
      alert,
      created,
      // Detected now (the write), not at the source's event time: MTTD measures the gap.
      detectedAt: alert.updatedAt,
      occurredAt: delta.occurredAt,
      ...(delta.baseRuleIds ? { baseRuleIds: delta.baseRuleIds } : {}),
    });
    // Linking wrote the alert's incidentId: the cached copy is a version behind, and using it would
    // only fail the next update and re-read it. The next batch's preload reads it with the others.
    if (incident && incident.id !== alert.incidentId) this.cache.delete(alert.fingerprint);
  }
}
