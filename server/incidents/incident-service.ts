/**
 * Incidents: alerts grouped by the entity they are about, with the MTTx timestamps DESIGN.md
 * defines. The alert pipeline calls onAlert() for every alert it creates or updates; analysts work
 * incidents through the API (create, change, comment, merge, split); playbooks report steps.
 *
 * Consistency without transactions: every write is a single-document update guarded by the
 * version read before (a ConflictError restarts the read-modify-write), and grouping is serialised
 * in-process per entity, so two alerts about the same pod arriving together open one incident.
 * Serialisation does not span processes: alerts of one cluster are detected by one worker
 * (cluster shards), so only acting-user grouping across clusters on different workers can race.
 *
 * Automatic changes are audited here with a system or playbook actor; changes made through the
 * API are audited by their route (one entry per request, with the analyst as actor).
 */
import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.js';
import type { Alert } from '../model/alert.js';
import type { ActorRef, Severity, Verdict } from '../model/fragments.js';
import {
  IncidentSchema,
  type Incident,
  type IncidentCreate,
  type IncidentStatus,
  type TimelineEntry,
} from '../model/incident.js';
import {
  ConflictError,
  NotFoundError,
  type Collection,
  type DocPatch,
  type NewDoc,
  type Store,
} from '../store/port.js';
import { combinedFacets, facetsOf } from './alert-facets.js';
import { entitiesOf } from './entity.js';
import { DEFAULT_GROUP_WINDOW_MS, findOpenGroup } from './grouping.js';
import { KeyedLock } from './keyed-lock.js';
import { isOpen, notBeforeDetection, statusChange } from './lifecycle.js';
import { mergedInto, splitOff } from './merge-split.js';
import { recordsOccurrence, withEntries } from './timeline.js';

export interface AlertNotice {
  /** As stored, after dedup. */
  alert: Alert;
  /** A new alert (or a closed one reopened) vs. an occurrence folded into an open one. */
  created: boolean;
  /** Earliest source-event time of this detection (ISO). */
  occurredAt: string;
  /**
   * When Yunshu detected this occurrence (the pipeline's alert write, wall clock): the MTTx origin.
   * Defaults to the alert's lastSeenAt, for callers that replay history.
   */
  detectedAt?: string;
  /** Set for correlation alerts: the rules the correlation combined. */
  baseRuleIds?: string[];
}

export interface PlaybookStep {
  at: string;
  text: string;
  containment: boolean;
  ok: boolean;
  runId?: string;
}

/** Who asks, and the store as they may see it (tenant-scoped for a tenant user). */
export interface Caller {
  actor: ActorRef;
  store: Store;
}

export interface IncidentChange {
  status?: IncidentStatus;
  verdict?: Verdict;
  /** null unassigns. */
  assignee?: string | null;
  severity?: Severity;
  title?: string;
  /** Refuse with ConflictError unless the incident is at this version. */
  expectedVersion?: number;
}

/** A request the incident's data refuses, naming the request field at fault. */
export class IncidentInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'IncidentInputError';
  }
}

export const DETECTION_ACTOR: ActorRef = { type: 'system', id: 'detection', name: 'yunshu' };

/** Read-modify-write rounds before giving up on a document other writers keep changing. */
const WRITE_ATTEMPTS = 10;

const isoNow = (now: () => Date) => now().toISOString();

/** The fields of `next` that differ from `current`, for a patch (undefined removes a field). */
function changedFields(current: Incident, next: Incident): DocPatch<Incident> {
  const patch: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(current), ...Object.keys(next)]))
    if (JSON.stringify(current[key as keyof Incident]) !== JSON.stringify(next[key as keyof Incident]))
      patch[key] = next[key as keyof Incident];
  return patch as DocPatch<Incident>;
}

/** The model's invariants (status ↔ timestamps, ordering) hold for every document written. */
const checked = (incident: Incident): Incident => IncidentSchema.parse(incident);

export class IncidentService {
  private readonly store: Store;
  private readonly audit: AuditLog;
  private readonly now: () => Date;
  private readonly windowMs: number;
  private readonly locks = new KeyedLock();

  constructor(deps: { store: Store; audit: AuditLog; now?: () => Date; groupWindowMs?: number }) {
    this.store = deps.store;
    this.audit = deps.audit;
    this.now = deps.now ?? (() => new Date());
    this.windowMs = deps.groupWindowMs ?? DEFAULT_GROUP_WINDOW_MS;
  }

  // ---- called by the alert pipeline and playbooks --------------------------------------------

  /**
   * Groups the alert into an open incident about the same entity within the window, or opens one.
   * Idempotent per alert occurrence. Returns the incident (undefined if the alert is closed).
   */
  async onAlert(notice: AlertNotice): Promise<Incident | undefined> {
    if (notice.alert.status === 'closed') return undefined;
    const entities = entitiesOf(notice.alert);
    const keys = entities.length ? entities.map((e) => e.key) : [`alert|${notice.alert.id}`];
    return this.locks.hold(keys, () => this.retrying(() => this.group(notice, entities)));
  }

  /** An analyst acknowledged / started work on an alert: its incident records the first acknowledgement. */
  async onAlertAcknowledged(alert: Alert, actor: ActorRef): Promise<void> {
    if (!alert.incidentId) return;
    const at = isoNow(this.now);
    const incident = await this.mutate(this.store, alert.incidentId, (current) => ({
      ...current,
      acknowledgedAt: current.acknowledgedAt ?? notBeforeDetection(current, at),
      status: current.status === 'open' ? 'acknowledged' : current.status,
      timeline: withEntries(current.timeline, [
        {
          kind: 'status_change',
          at: notBeforeDetection(current, at),
          actor,
          text: `Alert acknowledged: ${alert.title}`,
          ref: { type: 'alert', id: alert.id },
        },
      ]),
    }));
    await this.record(actor, incident, 'incident.acknowledge', { alertId: alert.id });
  }

  /** A playbook step ran; the first successful containment step sets containedAt (containedBy playbook). */
  async recordPlaybookStep(incidentId: string, step: PlaybookStep): Promise<Incident> {
    const actor: ActorRef = { type: 'playbook', id: step.runId ?? 'playbook' };
    const contains = step.containment && step.ok;
    const incident = await this.mutate(this.store, incidentId, (current) => {
      const at = notBeforeDetection(current, step.at);
      const first = contains && current.containedAt === undefined;
      return {
        ...current,
        ...(first ? { containedAt: at, containedBy: 'playbook' as const } : {}),
        // Containment moves an unanswered incident on; a later state is not undone.
        status:
          contains && (current.status === 'open' || current.status === 'acknowledged')
            ? 'contained'
            : current.status,
        timeline: withEntries(current.timeline, [
          {
            kind: 'playbook_step',
            at,
            actor,
            text: `${step.ok ? '' : 'FAILED: '}${step.text}`,
            ...(step.runId ? { ref: { type: 'playbook_run', id: step.runId } } : {}),
          },
        ]),
      };
    });
    await this.record(actor, incident, 'incident.playbook_step', {
      containment: step.containment,
      ok: step.ok,
      ...(step.runId ? { runId: step.runId } : {}),
    });
    return incident;
  }

  // ---- called by the API (audited by the routes) ---------------------------------------------

  /** Opens an incident by hand from alerts not yet in another incident. */
  async create(caller: Caller, input: IncidentCreate): Promise<Incident> {
    const alerts = await this.loadAlerts(caller.store, input.alertIds, 'alertIds');
    alerts.forEach((alert, i) => {
      if (alert.incidentId)
        throw new IncidentInputError(
          `alertIds.${i}`,
          `alert ${alert.id} is already in incident ${alert.incidentId}; split it from there`,
        );
    });
    const tenants = new Set(alerts.map((a) => a.tenantId ?? null));
    if (input.tenantId !== undefined) tenants.add(input.tenantId);
    if (tenants.size > 1)
      throw new IncidentInputError('tenantId', 'the alerts and the incident must belong to one tenant');
    const tenantId = [...tenants][0] ?? undefined;
    const at = isoNow(this.now);
    const firstSeen = alerts.map((a) => a.firstSeenAt).sort()[0];
    const detectedAt = firstSeen && firstSeen < at ? firstSeen : at;
    const id = randomUUID();
    const incident = await caller.store.collection<Incident>('incidents').insert(
      checked({
        ...this.stamped({
          id,
          schemaVersion: 1,
          ...input,
          // The analyst's severity stands; clusters and sources come from the alerts.
          ...facetsOf(alerts),
          severity: input.severity,
          ...(tenantId ? { tenantId } : {}),
          status: 'open',
          detectedAt,
          timeline: withEntries(
            alerts.map((a) => this.occurrenceEntry(a, a.lastSeenAt < detectedAt ? detectedAt : a.lastSeenAt)),
            [{ kind: 'status_change', at, actor: caller.actor, text: 'Incident opened by hand' }],
          ),
        }),
      }),
    );
    for (const alert of alerts)
      await caller.store.collection<Alert>('alerts').update(alert.id, { incidentId: id });
    return incident;
  }

  /** Status (with its timestamps), verdict, assignee, severity, title. */
  async change(caller: Caller, id: string, change: IncidentChange): Promise<Incident> {
    const at = isoNow(this.now);
    return this.mutate(
      caller.store,
      id,
      (current) => {
        const lifecycle =
          change.status !== undefined || change.verdict !== undefined
            ? statusChange(current, change.status ?? current.status, at, change.verdict)
            : {};
        const notes: TimelineEntry[] = [];
        if (lifecycle.status !== undefined)
          notes.push({
            kind: 'status_change',
            at: notBeforeDetection(current, at),
            actor: caller.actor,
            text: `Status ${current.status} → ${lifecycle.status}${change.verdict ? ` (${change.verdict})` : ''}`,
          });
        return {
          ...current,
          ...lifecycle,
          ...(change.severity !== undefined ? { severity: change.severity } : {}),
          ...(change.title !== undefined ? { title: change.title } : {}),
          ...(change.assignee !== undefined ? { assignee: change.assignee ?? undefined } : {}),
          timeline: withEntries(current.timeline, notes),
        } as Incident;
      },
      change.expectedVersion,
    );
  }

  async comment(caller: Caller, id: string, text: string): Promise<Incident> {
    const at = isoNow(this.now);
    return this.mutate(caller.store, id, (current) => ({
      ...current,
      timeline: withEntries(current.timeline, [
        { kind: 'comment', at: notBeforeDetection(current, at), actor: caller.actor, text },
      ]),
    }));
  }

  /** Merges `others` into `targetId`: alerts move over, the others are deleted. */
  async merge(caller: Caller, targetId: string, otherIds: readonly string[]): Promise<Incident> {
    const incidents = caller.store.collection<Incident>('incidents');
    const others: Incident[] = [];
    for (const [i, otherId] of otherIds.entries()) {
      const other = await incidents.get(otherId);
      if (!other) throw new NotFoundError(`incidents/${otherId} not found`, 'incidents', otherId);
      others.push(other);
      if (otherId === targetId)
        throw new IncidentInputError(`ids.${i + 1}`, 'an incident cannot merge into itself');
    }
    const at = isoNow(this.now);
    const target = await this.mutate(caller.store, targetId, (current) => {
      others.forEach((other, i) => {
        if ((other.tenantId ?? null) !== (current.tenantId ?? null))
          throw new IncidentInputError(`ids.${i + 1}`, 'incidents of different tenants cannot be merged');
      });
      const note: TimelineEntry = {
        kind: 'status_change',
        at: notBeforeDetection(current, at),
        actor: caller.actor,
        text: `Merged ${others.map((o) => `${o.id} (${o.title})`).join(', ')} into this incident`,
      };
      return { ...current, ...mergedInto(current, others, note) } as Incident;
    });
    const alerts = caller.store.collection<Alert>('alerts');
    for (const other of others) {
      for (const alertId of other.alertIds)
        await alerts.update(alertId, { incidentId: target.id }).catch(ignoreMissing);
      // Guarded: an alert grouped into it meanwhile makes this a conflict, not a lost alert.
      await incidents.delete(other.id, { expectedVersion: other.version });
    }
    return target;
  }

  /** Moves alerts out of an incident into a new one, whose timestamps come from the moved alerts. */
  async split(
    caller: Caller,
    id: string,
    alertIds: readonly string[],
  ): Promise<{ source: Incident; split: Incident }> {
    const incidents = caller.store.collection<Incident>('incidents');
    const newId = randomUUID();
    const at = isoNow(this.now);
    let created: Omit<NewDoc<Incident>, 'id'> | undefined;
    const source = await this.mutate(caller.store, id, async (current) => {
      alertIds.forEach((alertId, i) => {
        if (!current.alertIds.includes(alertId))
          throw new IncidentInputError(`alertIds.${i}`, `alert ${alertId} is not in incident ${id}`);
      });
      if (alertIds.length >= current.alertIds.length)
        throw new IncidentInputError('alertIds', 'a split must leave at least one alert behind');
      const all = await this.loadAlerts(caller.store, current.alertIds, 'alertIds');
      const moving = new Set(alertIds);
      const note = (text: string): TimelineEntry => ({
        kind: 'status_change',
        at,
        actor: caller.actor,
        text,
      });
      const result = splitOff(
        current,
        all.filter((a) => moving.has(a.id)),
        all.filter((a) => !moving.has(a.id)),
        {
          split: note(`Split from ${current.id} (${current.title})`),
          source: note(`Alerts split off into ${newId}`),
        },
      );
      created = {
        schemaVersion: 1,
        title: `${current.title} (split)`,
        ...(current.description ? { description: current.description } : {}),
        ...(current.tenantId ? { tenantId: current.tenantId } : {}),
        ...(current.assignee ? { assignee: current.assignee } : {}),
        ...result.split,
      };
      return { ...current, ...result.source } as Incident;
    });
    const split = await incidents.insert(checked(this.stamped({ id: newId, ...created! })));
    for (const alertId of alertIds)
      await caller.store.collection<Alert>('alerts').update(alertId, { incidentId: newId });
    return { source, split };
  }

  // ---- grouping --------------------------------------------------------------------------------

  private async group(notice: AlertNotice, entities: ReturnType<typeof entitiesOf>): Promise<Incident> {
    const alerts = this.store.collection<Alert>('alerts');
    const incidents = this.store.collection<Incident>('incidents');
    // Re-read: a merge may have moved the alert since the pipeline loaded it.
    const alert = { ...notice.alert, ...((await alerts.get(notice.alert.id)) ?? {}) };
    const own = alert.incidentId ? await incidents.get(alert.incidentId) : null;
    const incident =
      own && isOpen(own)
        ? own
        : await findOpenGroup(this.store, {
            alert,
            entities,
            windowMs: this.windowMs,
            ...(notice.baseRuleIds ? { baseRuleIds: notice.baseRuleIds } : {}),
          });
    const detectedAt = notice.detectedAt ?? alert.lastSeenAt;
    const occurredAt = notice.occurredAt < detectedAt ? notice.occurredAt : detectedAt;
    if (!incident) return this.open(alert, detectedAt, occurredAt);

    const joining = !incident.alertIds.includes(alert.id);
    if (!joining && recordsOccurrence(incident.timeline, alert.id, detectedAt)) return incident;
    const next = checked({
      ...incident,
      ...combinedFacets(incident, facetsOf([alert])),
      alertIds: joining ? [...incident.alertIds, alert.id] : incident.alertIds,
      // An alert entering the incident may carry an earlier source event than any before it.
      occurredAt: joining && startsEarlier(incident, occurredAt) ? occurredAt : incident.occurredAt,
      timeline: withEntries(incident.timeline, [
        ...(joining ? [this.eventEntry(alert, occurredAt)] : []),
        this.occurrenceEntry(alert, detectedAt),
      ]),
    } as Incident);
    const stored = await incidents.update(incident.id, changedFields(incident, next), {
      expectedVersion: incident.version,
    });
    if (alert.incidentId !== incident.id) await alerts.update(alert.id, { incidentId: incident.id });
    await this.record(DETECTION_ACTOR, stored, joining ? 'incident.alert_add' : 'incident.alert_occurrence', {
      alertId: alert.id,
      ruleId: alert.ruleId,
    });
    return stored;
  }

  private async open(alert: Alert, detectedAt: string, occurredAt: string): Promise<Incident> {
    const id = randomUUID();
    const incident = checked(
      this.stamped({
        id,
        schemaVersion: 1,
        title: alert.title,
        ...(alert.description ? { description: alert.description } : {}),
        ...facetsOf([alert]),
        alertIds: [alert.id],
        ...(alert.tenantId ? { tenantId: alert.tenantId } : {}),
        status: 'open',
        occurredAt,
        detectedAt,
        timeline: [this.eventEntry(alert, occurredAt), this.occurrenceEntry(alert, detectedAt)],
      }),
    );
    // The alert points at the incident first: if the insert then fails, a retry regroups it
    // (the id leads nowhere) rather than leaving an incident no alert leads to.
    await this.store.collection<Alert>('alerts').update(alert.id, { incidentId: id });
    const stored = await this.store.collection<Incident>('incidents').insert(incident);
    await this.record(DETECTION_ACTOR, stored, 'incident.create', {
      alertId: alert.id,
      ruleId: alert.ruleId,
    });
    return stored;
  }

  private occurrenceEntry(alert: Alert, at: string): TimelineEntry {
    return {
      kind: 'alert',
      at,
      text: `${alert.severity.toUpperCase()} ${alert.title} (occurrence ${alert.occurrenceCount})`,
      ref: { type: 'alert', id: alert.id },
    };
  }

  /** The earliest source event behind an alert, so the timeline starts where the attack did. */
  private eventEntry(alert: Alert, at: string): TimelineEntry {
    return {
      kind: 'event',
      at,
      text: `Earliest source event of ${alert.title}`,
      ref: { type: 'alert', id: alert.id },
    };
  }

  // ---- plumbing --------------------------------------------------------------------------------

  /** Store-managed fields filled in for validation only; the store sets the real ones. */
  private stamped(doc: Omit<NewDoc<Incident>, 'timeline'> & Partial<Pick<Incident, 'timeline'>>): Incident {
    const at = isoNow(this.now);
    return { timeline: [], ...doc, version: 1, createdAt: at, updatedAt: at } as Incident;
  }

  /**
   * Read-modify-write of one incident under its version; retried on a concurrent change unless the
   * caller named the version it expects (then the conflict is theirs to resolve).
   */
  private async mutate(
    store: Store,
    id: string,
    edit: (current: Incident) => Incident | Promise<Incident>,
    expectedVersion?: number,
  ): Promise<Incident> {
    const incidents = store.collection<Incident>('incidents');
    const attempt = async (): Promise<Incident> => {
      const current = await incidents.get(id);
      if (!current) throw new NotFoundError(`incidents/${id} not found`, 'incidents', id);
      if (expectedVersion !== undefined && current.version !== expectedVersion)
        throw new ConflictError(
          `incidents/${id} is at version ${current.version}, not ${expectedVersion}`,
          'incidents',
          id,
        );
      const next = checked(await edit(current));
      return incidents.update(id, changedFields(current, next), { expectedVersion: current.version });
    };
    return expectedVersion === undefined ? this.retrying(attempt) : attempt();
  }

  private async retrying<R>(work: () => Promise<R>): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= WRITE_ATTEMPTS) throw error;
      }
    }
  }

  private async loadAlerts(store: Store, ids: readonly string[], field: string): Promise<Alert[]> {
    const alerts: Collection<Alert> = store.collection<Alert>('alerts');
    const out: Alert[] = [];
    for (const [i, alertId] of ids.entries()) {
      const alert = await alerts.get(alertId);
      if (!alert) throw new IncidentInputError(`${field}.${i}`, `alert ${alertId} not found`);
      out.push(alert);
    }
    return out;
  }

  private record(actor: ActorRef, incident: Incident, action: string, details: Record<string, unknown>) {
    return this.audit.append({
      actor,
      ...(incident.tenantId ? { tenantId: incident.tenantId } : {}),
      action,
      target: { type: 'incident', id: incident.id },
      result: 'success',
      details,
    });
  }
}

/** Whether a joining alert's source event moves the incident's start (never past detectedAt). */
const startsEarlier = (incident: Incident, occurredAt: string): boolean =>
  occurredAt <= incident.detectedAt &&
  (incident.occurredAt === undefined || occurredAt < incident.occurredAt);

/** An alert deleted meanwhile (retention) has nothing left to re-point. */
function ignoreMissing(error: unknown): void {
  if (!(error instanceof NotFoundError)) throw error;
}
