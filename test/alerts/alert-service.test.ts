import { AlertService, boundEvidence, type Detection } from '../../server/alerts/alert-service.js';
import { AuditLog } from '../../server/audit/audit-log.js';
import type { LoadedRule } from '../../server/detection/engine.js';
import type { AlertNotice } from '../../server/incidents/incident-service.js';
import type { Alert } from '../../server/model/alert.js';
import type { SecurityEvent } from '../../server/model/security-event.js';
import { STORE_COLLECTIONS } from '../../server/services.js';
import type { Store } from '../../server/store/port.js';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.js';

const EXEC_RULE: LoadedRule = {
  id: '009a16e7-2e78-4354-a1df-581d027c61d3',
  kind: 'detection',
  title: 'Exec or Attach Into a Pod',
  level: 'medium',
  tags: ['attack.execution', 'attack.t1609'],
  attack: { tactics: ['execution'], techniques: ['T1609'] },
  logsource: { product: 'kubernetes', service: 'audit' },
  enabled: true,
};
const T0 = Date.parse('2026-11-23T02:00:00.000Z');

let seq = 0;
function event(k8s: Partial<NonNullable<SecurityEvent['k8s']>> = {}, user = 'zhang.wei'): SecurityEvent {
  seq++;
  return {
    id: `k8s-audit:ev-${seq}`,
    version: 1,
    createdAt: '2026-11-23T02:00:00.000Z',
    updatedAt: '2026-11-23T02:00:00.000Z',
    schemaVersion: 1,
    source: 'k8s-audit',
    sourceEventId: `ev-${seq}`,
    class_uid: 6003,
    category_uid: 6,
    activity_id: 1,
    type_uid: 600301,
    severity_id: 1,
    time: new Date(T0 + seq * 1000).toISOString(),
    message: 'create pods/exec',
    metadata: { product: { name: 'Kubernetes', vendor_name: 'Kubernetes' }, version: '1.3.0' },
    actor: { user: { name: user } },
    resources: [],
    observables: [],
    k8s: {
      clusterId: 'gz-prod-1',
      namespace: 'gzdsj-portal',
      pod: `api-${seq}`,
      workloadKind: 'Deployment',
      workloadName: 'api',
      ...k8s,
    },
    tenantId: 'tenant-gzdsj',
    raw: {},
  };
}

function detection(e: SecurityEvent, rule = EXEC_RULE): Detection {
  const time = Date.parse(e.time);
  return {
    hit: { rule, groupBy: {}, eventIds: [e.id], firstEventTime: time, lastEventTime: time },
    event: e,
  };
}

describe('AlertService', () => {
  let store: Store;
  let notices: AlertNotice[];
  let now: number;
  const alerts = () => store.collection<Alert>('alerts');
  const service = (options: { stormCap?: number } = {}) =>
    new AlertService({
      store,
      audit: new AuditLog(store),
      incidents: { onAlert: async (n) => void notices.push(n) },
      now: () => now,
      ...options,
    });

  beforeEach(() => {
    store = new SqliteStore({ file: ':memory:', collections: STORE_COLLECTIONS });
    notices = [];
    now = T0 + 60_000;
  });
  afterEach(() => store.close());

  test('hits on the same workload fold into one alert with counts, first/last seen and evidence', async () => {
    const s = service();
    const evs = [event(), event(), event()];
    await s.record(evs.slice(0, 2).map((e) => detection(e)));
    await s.record([detection(evs[2]!)]);
    const all = (await alerts().find({})).items;
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({
      occurrenceCount: 3,
      status: 'new',
      severity: 'medium',
      firstSeenAt: evs[0]!.time,
      lastSeenAt: evs[2]!.time,
      evidenceEventIds: evs.map((e) => e.id),
      k8s: { workloadName: 'api' },
      tenantId: 'tenant-gzdsj',
      mitre: { techniques: ['T1609'] },
    });
    expect(notices.map((n) => n.created)).toEqual([true, false]);
    expect(await store.collection('audit_entries').count({ action: 'alert.create' })).toBe(1);
  });

  test('different workloads, users or tenants are different alerts', async () => {
    const s = service();
    await s.record([
      detection(event()),
      detection(event({ workloadName: 'worker' })),
      detection(event({}, 'li.na')),
      detection({ ...event(), tenantId: 'tenant-other' }),
    ]);
    expect(await alerts().count()).toBe(4);
  });

  test('storm protection: past the cap, new fingerprints fold into the rule’s latest alert, nothing lost', async () => {
    const s = service({ stormCap: 2 });
    const evs = Array.from({ length: 7 }, (_, i) => event({ workloadName: `w-${i}` }));
    await s.record(evs.slice(0, 3).map((e) => detection(e)));
    await s.record(evs.slice(3).map((e) => detection(e)));
    const all = (await alerts().find({})).items;
    expect(all).toHaveLength(2);
    expect(all.reduce((sum, a) => sum + a.occurrenceCount, 0)).toBe(7);
    expect(s.stats.stormFolded).toBe(5);
    // The next minute the rule may open alerts again.
    now += 60_000;
    await s.record([detection(event({ workloadName: 'w-new' }))]);
    expect(await alerts().count()).toBe(3);
  });

  test('a recurrence reopens a closed alert and clears its verdict, unless it is suppressed', async () => {
    const s = service();
    await s.record([detection(event())]);
    const [alert] = (await alerts().find({})).items;
    await alerts().update(alert!.id, {
      status: 'closed',
      verdict: 'false_positive',
      suppressedUntil: new Date(now + 3_600_000).toISOString(),
    });
    await s.record([detection(event())]);
    let stored = await alerts().get(alert!.id);
    expect(stored).toMatchObject({ status: 'closed', verdict: 'false_positive', occurrenceCount: 2 });

    now += 2 * 3_600_000;
    await s.record([detection(event())]);
    stored = await alerts().get(alert!.id);
    expect(stored).toMatchObject({ status: 'new', occurrenceCount: 3 });
    expect(stored?.verdict).toBeUndefined();
    expect(notices.at(-1)?.created).toBe(true);
  });

  test('an analyst’s change in between is kept and no occurrence is lost (version conflict)', async () => {
    const s = service();
    await s.record([detection(event())]);
    const [alert] = (await alerts().find({})).items;
    await alerts().update(alert!.id, { status: 'in_progress', assignee: 'user-li' });
    await s.record([detection(event()), detection(event())]);
    expect(await alerts().get(alert!.id)).toMatchObject({
      status: 'in_progress',
      assignee: 'user-li',
      occurrenceCount: 3,
    });
    expect(s.stats.conflicts).toBe(1);
  });

  test('two services (replicas) recording the same new alert at once end with one alert and every count', async () => {
    const [a, b] = [service(), service()];
    await Promise.all([a.record([detection(event())]), b.record([detection(event()), detection(event())])]);
    const all = (await alerts().find({})).items;
    expect(all).toHaveLength(1);
    expect(all[0]!.occurrenceCount).toBe(3);
  });

  test('evidence keeps the first 50 and the latest 50 event ids', () => {
    const ids = Array.from({ length: 250 }, (_, i) => `e${i}`);
    const kept = boundEvidence(ids);
    expect(kept).toHaveLength(100);
    expect(kept[0]).toBe('e0');
    expect(kept[49]).toBe('e49');
    expect(kept[50]).toBe('e200');
    expect(kept[99]).toBe('e249');
  });
});
