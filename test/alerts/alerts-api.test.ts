import request from 'supertest';
import type { Alert } from '../../server/model/alert.js';
import type { AuditEntry } from '../../server/model/audit-entry.js';
import { detectionApp, type DetectionApp } from '../support/detection-app.js';

let seq = 0;
function alert(fields: Partial<Alert> = {}): Omit<Alert, 'version' | 'createdAt' | 'updatedAt'> {
  seq++;
  const id = seq.toString(16).padStart(32, '0');
  return {
    id,
    schemaVersion: 1,
    fingerprint: id,
    ruleId: '009a16e7-2e78-4354-a1df-581d027c61d3',
    title: 'Exec or Attach Into a Pod',
    severity: 'medium',
    status: 'new',
    source: 'k8s-audit',
    occurrenceCount: 1,
    firstSeenAt: `2026-11-23T02:00:0${seq % 10}.000Z`,
    lastSeenAt: `2026-11-23T02:00:0${seq % 10}.000Z`,
    mitre: { tactics: ['execution'], techniques: ['T1609'] },
    evidenceEventIds: [`k8s-audit:audit-${seq}`],
    searchText: `exec or attach into a pod k8s-audit:audit-${seq}`,
    tenantId: 'tenant-gzdsj',
    k8s: { clusterId: 'gz-prod-1', namespace: 'gzdsj-portal' },
    ...fields,
  };
}

describe('alerts API', () => {
  let t: DetectionApp;
  const alerts = () => t.store.collection<Alert>('alerts');
  const auth = () => ({ Authorization: `Bearer ${t.admin}` });
  const patch = (id: string, body: object, token = t.admin) =>
    request(t.app).patch(`/api/v1/alerts/${id}`).set('Authorization', `Bearer ${token}`).send(body);

  beforeEach(async () => {
    t = await detectionApp();
  });
  afterEach(() => t.close());

  test('filters by status, severity, rule, tenant, cluster, time, and free text over evidence ids', async () => {
    const a = await alerts().insert(alert());
    await alerts().insert(alert({ severity: 'critical', status: 'acknowledged', tenantId: 'tenant-sjj' }));
    await alerts().insert(alert({ ruleId: 'other-rule', k8s: { clusterId: 'sz-prod-2' } }));
    const ids = async (query: string) =>
      (await request(t.app).get(`/api/v1/alerts?${query}`).set(auth())).body.items
        .map((x: Alert) => x.id)
        .sort();
    expect(await ids('')).toHaveLength(3);
    expect(await ids('status=acknowledged')).toHaveLength(1);
    expect(await ids('severity=critical&tenantId=tenant-sjj')).toHaveLength(1);
    expect(await ids('ruleId=other-rule')).toHaveLength(1);
    expect(await ids('clusterId=sz-prod-2')).toHaveLength(1);
    expect(await ids(`q=AUDIT-${a.evidenceEventIds[0]!.split('-').at(-1)}`)).toEqual([a.id]);
    expect(await ids('from=2026-11-23T02:00:02.000Z&to=2026-11-23T02:00:03.000Z')).toHaveLength(1);
    const bad = await request(t.app).get('/api/v1/alerts?severity=urgent').set(auth());
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].path).toBe('query.severity');
  });

  test('the triage workflow: acknowledge, investigate, close with a verdict, reopen', async () => {
    const a = await alerts().insert(alert());
    expect((await patch(a.id, { status: 'acknowledged' })).body.status).toBe('acknowledged');
    expect((await patch(a.id, { status: 'in_progress', assignee: 'user-li' })).body).toMatchObject({
      status: 'in_progress',
      assignee: 'user-li',
    });
    const noVerdict = await patch(a.id, { status: 'closed' });
    expect(noVerdict.status).toBe(400);
    expect(noVerdict.body.details[0].path).toBe('body.verdict');
    const closed = await patch(a.id, { status: 'closed', verdict: 'false_positive', suppressForMinutes: 60 });
    expect(closed.body).toMatchObject({
      status: 'closed',
      verdict: 'false_positive',
      suppressedUntil: expect.any(String),
    });
    const backwards = await patch(a.id, { status: 'in_progress' });
    expect(backwards.status).toBe(400);
    expect(backwards.body.details[0].path).toBe('body.status');
    const reopened = await patch(a.id, { status: 'new' });
    expect(reopened.body.status).toBe('new');
    expect(reopened.body.verdict).toBeUndefined();
    const stale = await patch(a.id, { status: 'acknowledged', expectedVersion: 1 });
    expect(stale.status).toBe(409);
    const audit = await t.store
      .collection<AuditEntry>('audit_entries')
      .find({ filter: { action: 'alert.update', result: 'success' }, limit: 100 });
    expect(audit.items).toHaveLength(4);
  });

  test('a tenant user sees and triages only its tenant’s alerts', async () => {
    const own = await alerts().insert(alert());
    const other = await alerts().insert(alert({ tenantId: 'tenant-sjj' }));
    await t.user({ username: 'gz-admin', roleIds: ['tenant-admin'], tenantId: 'tenant-gzdsj' });
    const token = await t.login('gz-admin');
    const list = await request(t.app).get('/api/v1/alerts').set('Authorization', `Bearer ${token}`);
    expect(list.body.items.map((x: Alert) => x.id)).toEqual([own.id]);
    expect(
      (await request(t.app).get(`/api/v1/alerts/${other.id}`).set('Authorization', `Bearer ${token}`)).status,
    ).toBe(404);
    expect((await patch(other.id, { status: 'acknowledged' }, token)).status).toBe(404);
    expect((await patch(own.id, { status: 'acknowledged' }, token)).status).toBe(200);
  });

  test('one alert comes with its evidence events', async () => {
    const token = await t.apiToken({ ingest: { sources: ['falco'], clusterId: 'gz-prod-1' } });
    const falco = {
      uuid: '0e0e0e0e-0000-4000-8000-000000000001',
      output: 'shell',
      priority: 'Notice',
      rule: 'Terminal shell in container',
      time: '2026-11-23T02:00:00.000000000Z',
      output_fields: {
        'container.id': 'abc',
        'proc.name': 'bash',
        'proc.tty': 1,
        'k8s.ns.name': 'default',
        'k8s.pod.name': 'web-1',
      },
    };
    await request(t.app)
      .post('/api/v1/ingest/falco')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(falco));
    await t.drained();
    const [stored] = (await alerts().find({})).items;
    const res = await request(t.app).get(`/api/v1/alerts/${stored!.id}`).set(auth());
    expect(res.status).toBe(200);
    expect(res.body.evidence.map((e: { id: string }) => e.id)).toEqual([
      'falco:0e0e0e0e-0000-4000-8000-000000000001',
    ]);
    expect(res.body.evidence[0].raw.uuid).toBe(falco.uuid);
  });
});
