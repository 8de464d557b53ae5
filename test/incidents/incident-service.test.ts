/** The incident service: grouping, MTTx timestamps, merge and split, status changes. */
import { AuditLog } from '../../server/audit/audit-log.js';
import {
  DETECTION_ACTOR,
  IncidentInputError,
  IncidentService,
  type AlertNotice,
  type Caller,
} from '../../server/incidents/incident-service.js';
import { LifecycleError } from '../../server/incidents/lifecycle.js';
import type { Alert } from '../../server/model/alert.js';
import type { AuditEntry } from '../../server/model/audit-entry.js';
import type { Incident } from '../../server/model/incident.js';
import { STORE_COLLECTIONS } from '../../server/services.js';
import type { Store } from '../../server/store/port.js';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.js';
import { plus, storeAlert, type AlertFields } from './alert-builder.js';

const T0 = '2026-11-20T10:00:00.000Z';
const analyst: Caller['actor'] = { type: 'user', id: 'u-1', name: 'analyst' };

describe('IncidentService', () => {
  let store: Store;
  let service: IncidentService;
  let clock: string;
  let caller: Caller;

  const incidents = () => store.collection<Incident>('incidents');
  const alertOf = async (id: string) => (await store.collection<Alert>('alerts').get(id))!;
  const auditActions = async () =>
    (
      await store
        .collection<AuditEntry>('audit_entries')
        .find({ sort: { field: 'seq', dir: 'asc' }, limit: 1000 })
    ).items;

  /** Stores an alert seen at `at` and notifies the service, as the pipeline does. */
  async function detect(id: string, at: string, fields: AlertFields = {}, extra: Partial<AlertNotice> = {}) {
    const alert = await storeAlert(store, id, { lastSeenAt: at, firstSeenAt: at, ...fields });
    return service.onAlert({ alert, created: true, occurredAt: plus(at, -30), ...extra });
  }

  beforeEach(() => {
    store = new SqliteStore({ file: ':memory:', collections: STORE_COLLECTIONS });
    clock = plus(T0, 600);
    service = new IncidentService({ store, audit: new AuditLog(store), now: () => new Date(clock) });
    caller = { actor: analyst, store };
  });
  afterEach(() => store.close());

  describe('grouping', () => {
    test('a first alert opens an incident with its MTTx start, facets, timeline and audit entry', async () => {
      const incident = (await detect('a1', T0))!;
      expect(incident).toMatchObject({
        title: 'Shell in container (a1)',
        status: 'open',
        severity: 'high',
        tenantId: 't-a',
        alertIds: ['a1'],
        clusterIds: ['gz-1'],
        sources: ['falco'],
        detectedAt: T0,
        occurredAt: plus(T0, -30),
      });
      expect(incident.timeline.map((e) => [e.kind, e.at])).toEqual([
        ['event', plus(T0, -30)],
        ['alert', T0],
      ]);
      expect((await alertOf('a1')).incidentId).toBe(incident.id);
      const [entry] = await auditActions();
      expect(entry).toMatchObject({
        action: 'incident.create',
        actor: DETECTION_ACTOR,
        tenantId: 't-a',
        target: { type: 'incident', id: incident.id },
      });
    });

    test('occurredAt is clamped to detectedAt when the source clock runs ahead', async () => {
      const incident = (await detect('a1', T0, {}, { occurredAt: plus(T0, 5) }))!;
      expect(incident.occurredAt).toBe(T0);
    });

    test('alerts about the same workload, pod or user within the window join one incident', async () => {
      const first = (await detect('a1', T0))!;
      // Another pod of the same workload, from another source, earlier source event, higher severity.
      const second = (await detect(
        'a2',
        plus(T0, 60),
        {
          source: 'k8s-audit',
          severity: 'critical',
          k8s: { clusterId: 'gz-1', namespace: 'shop', workloadName: 'web', pod: 'web-2' },
          user: { name: 'alice' },
        },
        { occurredAt: plus(T0, -300) },
      ))!;
      // Only the acting user in common, on another cluster.
      const third = (await detect('a3', plus(T0, 120), {
        k8s: { clusterId: 'gy-2', namespace: 'ops' },
        user: { name: 'alice' },
      }))!;
      expect(second.id).toBe(first.id);
      expect(third.id).toBe(first.id);
      expect(third).toMatchObject({
        alertIds: ['a1', 'a2', 'a3'],
        severity: 'critical',
        sources: ['falco', 'k8s-audit'],
        clusterIds: ['gy-2', 'gz-1'],
        detectedAt: T0,
        occurredAt: plus(T0, -300),
      });
      expect(await incidents().count()).toBe(1);
    });

    test('past the window, in another tenant, or once resolved, a new incident opens', async () => {
      const first = (await detect('a1', T0))!;
      const late = (await detect('a2', plus(T0, 31 * 60)))!;
      expect(late.id).not.toBe(first.id);

      const otherTenant = (await detect('a3', plus(T0, 31 * 60 + 1), { tenantId: 't-b' }))!;
      expect(otherTenant.id).not.toBe(late.id);
      expect(otherTenant.tenantId).toBe('t-b');

      await service.change(caller, late.id, { status: 'resolved' });
      const afterResolve = (await detect('a4', plus(T0, 31 * 60 + 2)))!;
      expect([first.id, late.id, otherTenant.id]).not.toContain(afterResolve.id);
    });

    test('an alert about another pod of another workload is another entity', async () => {
      const first = (await detect('a1', T0))!;
      const other = (await detect('a2', plus(T0, 1), {
        k8s: { clusterId: 'gz-1', namespace: 'shop', workloadName: 'db', pod: 'db-0' },
      }))!;
      expect(other.id).not.toBe(first.id);
    });

    test('onAlert is idempotent per occurrence; a new occurrence adds a timeline entry', async () => {
      const alert = await storeAlert(store, 'a1', { lastSeenAt: T0, firstSeenAt: T0 });
      const notice = { alert, created: true, occurredAt: T0 };
      const once = (await service.onAlert(notice))!;
      const twice = (await service.onAlert(notice))!;
      expect(twice.version).toBe(once.version);
      expect(twice.timeline).toHaveLength(2);

      const again = await store
        .collection<Alert>('alerts')
        .update('a1', { lastSeenAt: plus(T0, 90), occurrenceCount: 2 });
      const folded = (await service.onAlert({ alert: again, created: false, occurredAt: plus(T0, 80) }))!;
      expect(folded.id).toBe(once.id);
      expect(folded.timeline.filter((e) => e.kind === 'alert').map((e) => e.at)).toEqual([T0, plus(T0, 90)]);
      expect(folded.occurredAt).toBe(T0);
      expect((await auditActions()).map((e) => e.action)).toEqual([
        'incident.create',
        'incident.alert_occurrence',
      ]);
    });

    test('a closed alert is not grouped', async () => {
      const alert = await storeAlert(store, 'a1', { status: 'closed', verdict: 'benign' });
      expect(await service.onAlert({ alert, created: false, occurredAt: T0 })).toBeUndefined();
      expect(await incidents().count()).toBe(0);
    });

    test('a correlation alert joins the incident holding its base rules, else opens its own', async () => {
      const base = (await detect('a1', T0, { ruleId: 'r-exec' }))!;
      const joined = (await detect('c1', plus(T0, 10), { ruleId: 'corr-1' }, { baseRuleIds: ['r-exec'] }))!;
      expect(joined.id).toBe(base.id);
      const own = (await detect('c2', plus(T0, 20), { ruleId: 'corr-2' }, { baseRuleIds: ['r-other'] }))!;
      expect(own.id).not.toBe(base.id);
      expect(own.alertIds).toEqual(['c2']);
    });

    test('alerts about one entity arriving together open one incident', async () => {
      const alerts = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          storeAlert(store, `p${i}`, { lastSeenAt: plus(T0, i), firstSeenAt: plus(T0, i) }),
        ),
      );
      const results = await Promise.all(
        alerts.map((alert) => service.onAlert({ alert, created: true, occurredAt: T0 })),
      );
      expect(new Set(results.map((r) => r!.id)).size).toBe(1);
      const [incident] = (await incidents().find()).items;
      expect(incident!.alertIds.sort()).toEqual(alerts.map((a) => a.id).sort());
      expect(await incidents().count()).toBe(1);
    });
  });

  describe('MTTx timestamps from responders and playbooks', () => {
    test('an alert acknowledgement sets acknowledgedAt once, with a timeline entry', async () => {
      const incident = (await detect('a1', T0))!;
      await service.onAlertAcknowledged(await alertOf('a1'), analyst);
      clock = plus(T0, 900);
      await service.onAlertAcknowledged(await alertOf('a1'), analyst);
      const stored = (await incidents().get(incident.id))!;
      expect(stored).toMatchObject({ status: 'acknowledged', acknowledgedAt: plus(T0, 600) });
      expect(stored.timeline.filter((e) => e.kind === 'status_change')).toHaveLength(2);
      expect((await auditActions()).filter((e) => e.action === 'incident.acknowledge')[0]!.actor).toEqual(
        analyst,
      );
    });

    test('the first successful containment step sets containedAt by playbook', async () => {
      const incident = (await detect('a1', T0))!;
      const step = { text: 'isolate pod web-1', containment: true, runId: 'run-1' };
      let stored = await service.recordPlaybookStep(incident.id, { ...step, at: plus(T0, 100), ok: false });
      expect(stored.containedAt).toBeUndefined();
      stored = await service.recordPlaybookStep(incident.id, { ...step, at: plus(T0, 200), ok: true });
      expect(stored.containedAt).toBe(plus(T0, 200));
      stored = await service.recordPlaybookStep(incident.id, { ...step, at: plus(T0, 300), ok: true });
      expect(stored).toMatchObject({
        status: 'contained',
        containedAt: plus(T0, 200),
        containedBy: 'playbook',
      });
      expect(stored.timeline.filter((e) => e.kind === 'playbook_step').map((e) => e.text)).toEqual([
        'FAILED: isolate pod web-1',
        'isolate pod web-1',
        'isolate pod web-1',
      ]);
      await expect(service.recordPlaybookStep('nope', { ...step, at: T0, ok: true })).rejects.toThrow(
        'not found',
      );
    });
  });

  describe('status changes', () => {
    test('each status records its timestamp; closing keeps the verdict; reopening clears resolution', async () => {
      const { id } = (await detect('a1', T0))!;
      let incident = await service.change(caller, id, { status: 'contained' });
      expect(incident).toMatchObject({
        acknowledgedAt: clock,
        containedAt: clock,
        containedBy: 'manual',
      });
      clock = plus(T0, 1200);
      incident = await service.change(caller, id, { status: 'closed', verdict: 'true_positive' });
      expect(incident).toMatchObject({
        status: 'closed',
        verdict: 'true_positive',
        resolvedAt: clock,
        closedAt: clock,
        acknowledgedAt: plus(T0, 600),
      });
      incident = await service.change(caller, id, { status: 'open' });
      expect(incident.status).toBe('open');
      expect(incident.resolvedAt).toBeUndefined();
      expect(incident.closedAt).toBeUndefined();
      expect(incident.verdict).toBeUndefined();
      expect(incident.containedAt).toBe(plus(T0, 600));
    });

    test('refused transitions and misplaced verdicts name the field', async () => {
      const { id } = (await detect('a1', T0))!;
      await service.change(caller, id, { status: 'contained' });
      await expect(service.change(caller, id, { status: 'open' })).rejects.toMatchObject({
        constructor: LifecycleError,
        field: 'status',
      });
      await expect(
        service.change(caller, id, { status: 'resolved', verdict: 'benign' }),
      ).rejects.toMatchObject({
        field: 'verdict',
      });
      expect((await incidents().get(id))!.status).toBe('contained');
    });

    test('a stale expectedVersion is a conflict', async () => {
      const { id, version } = (await detect('a1', T0))!;
      await service.comment(caller, id, 'looking');
      await expect(service.change(caller, id, { title: 'x', expectedVersion: version })).rejects.toThrow(
        /version/,
      );
    });
  });

  describe('merge and split', () => {
    test('merge takes the earliest start and responses, moves alerts and deletes the others', async () => {
      const target = (await detect('a1', plus(T0, 100)))!;
      const other = (await detect('b1', T0, {
        k8s: { clusterId: 'gz-2', pod: 'api-0' },
        severity: 'critical',
      }))!;
      await service.onAlertAcknowledged(await alertOf('b1'), analyst); // acknowledged at T0+600
      clock = plus(T0, 700);
      await service.recordPlaybookStep(target.id, {
        at: plus(T0, 650),
        text: 'cordon',
        containment: true,
        ok: true,
      });
      const merged = await service.merge(caller, target.id, [other.id]);
      expect(merged).toMatchObject({
        alertIds: ['a1', 'b1'],
        severity: 'critical',
        clusterIds: ['gz-1', 'gz-2'],
        detectedAt: T0,
        occurredAt: plus(T0, -30),
        acknowledgedAt: plus(T0, 600),
        containedAt: plus(T0, 650),
        containedBy: 'playbook',
        status: 'contained',
      });
      expect(await incidents().get(other.id)).toBeNull();
      expect((await alertOf('b1')).incidentId).toBe(target.id);
      expect(merged.timeline.map((e) => e.at)).toEqual([...merged.timeline.map((e) => e.at)].sort());
    });

    test('incidents of different tenants are not merged', async () => {
      const a = (await detect('a1', T0))!;
      const b = (await detect('b1', T0, { tenantId: 't-b' }))!;
      await expect(service.merge(caller, a.id, [b.id])).rejects.toMatchObject({
        constructor: IncidentInputError,
        field: 'ids.1',
      });
      expect(await incidents().count()).toBe(2);
    });

    test('split recomputes the new incident from the moved alerts', async () => {
      await detect('a1', T0);
      const user = { name: 'mallory' };
      await detect(
        'a2',
        plus(T0, 60),
        { severity: 'critical', source: 'k8s-audit', user },
        { occurredAt: plus(T0, 50) },
      );
      clock = plus(T0, 120);
      await service.onAlertAcknowledged(await alertOf('a2'), analyst);
      const source = (await incidents().get((await alertOf('a1')).incidentId!))!;
      expect(source.alertIds).toEqual(['a1', 'a2']);

      clock = plus(T0, 300);
      const { source: left, split } = await service.split(caller, source.id, ['a2']);
      expect(split).toMatchObject({
        alertIds: ['a2'],
        severity: 'critical',
        sources: ['k8s-audit'],
        detectedAt: plus(T0, 60),
        occurredAt: plus(T0, 50),
        acknowledgedAt: plus(T0, 120),
        status: 'acknowledged',
        tenantId: 't-a',
      });
      expect(left).toMatchObject({ alertIds: ['a1'], severity: 'high', sources: ['falco'], detectedAt: T0 });
      expect(left.timeline.some((e) => e.ref?.id === 'a2')).toBe(false);
      expect((await alertOf('a2')).incidentId).toBe(split.id);
    });

    test('split refuses alerts outside the incident and taking every alert', async () => {
      const incident = (await detect('a1', T0))!;
      await expect(service.split(caller, incident.id, ['zz'])).rejects.toMatchObject({ field: 'alertIds.0' });
      await expect(service.split(caller, incident.id, ['a1'])).rejects.toMatchObject({ field: 'alertIds' });
    });
  });

  describe('by hand', () => {
    test('an incident created from alerts takes their clusters and first detection', async () => {
      await storeAlert(store, 'h1', { firstSeenAt: plus(T0, -100), lastSeenAt: T0 });
      const incident = await service.create(caller, {
        title: 'Suspicious shell',
        severity: 'medium',
        alertIds: ['h1'],
      });
      expect(incident).toMatchObject({
        severity: 'medium',
        tenantId: 't-a',
        clusterIds: ['gz-1'],
        detectedAt: plus(T0, -100),
        status: 'open',
      });
      expect((await alertOf('h1')).incidentId).toBe(incident.id);
      await expect(
        service.create(caller, { title: 'again', severity: 'low', alertIds: ['h1'] }),
      ).rejects.toMatchObject({ field: 'alertIds.0' });
      await expect(
        service.create(caller, { title: 'ghost', severity: 'low', alertIds: ['nope'] }),
      ).rejects.toMatchObject({ field: 'alertIds.0' });
    });
  });
});
