/** The incidents API: filters and paging, tenant scoping, audit entries, and 4xx naming the field. */
import request from 'supertest';
import { AuditLog } from '../../server/audit/audit-log.js';
import { IncidentService } from '../../server/incidents/incident-service.js';
import type { AuditEntry } from '../../server/model/audit-entry.js';
import type { Incident } from '../../server/model/incident.js';
import { incidentRoutes } from '../../server/routes/incidents.js';
import { STORE_COLLECTIONS } from '../../server/services.js';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.js';
import { plus, storeAlert } from '../incidents/alert-builder.js';
import { testApp, type TestApp } from '../support/test-app.js';

const T0 = '2026-11-20T10:00:00.000Z';

describe('incidents API', () => {
  let t: TestApp;
  let service: IncidentService;
  let analyst: { Authorization: string };
  let tenantA: { Authorization: string };
  /** Incidents by name: web (t-a, high, gz-1), db (t-a, critical, gz-2), other (t-b). */
  const ids: Record<string, string> = {};

  const auditOf = async (action: string) =>
    (await t.store.collection<AuditEntry>('audit_entries').find({ filter: { action }, limit: 100 })).items;

  async function detect(
    name: string,
    alertId: string,
    at: string,
    fields: Parameters<typeof storeAlert>[2] = {},
  ) {
    const alert = await storeAlert(t.store, alertId, { lastSeenAt: at, firstSeenAt: at, ...fields });
    const incident = (await service.onAlert({ alert, created: true, occurredAt: plus(at, -10) }))!;
    ids[name] = incident.id;
    return incident;
  }

  beforeEach(async () => {
    const store = new SqliteStore({ file: ':memory:', collections: STORE_COLLECTIONS });
    service = new IncidentService({ store, audit: new AuditLog(store) });
    t = await testApp({ store, routes: incidentRoutes({ service }) });
    await t.user({ username: 'ana', roleIds: ['analyst'] });
    await t.user({ username: 'ta', roleIds: ['tenant-admin'], tenantId: 't-a' });
    analyst = { Authorization: `Bearer ${await t.login('ana')}` };
    tenantA = { Authorization: `Bearer ${await t.login('ta')}` };
    await detect('web', 'w1', T0, {
      title: 'Shell in web',
      description: 'interactive shell spawned by nginx',
    });
    await detect('db', 'd1', plus(T0, 3600), {
      title: 'Crypto miner',
      severity: 'critical',
      k8s: { clusterId: 'gz-2', namespace: 'data', workloadName: 'db', pod: 'db-0' },
    });
    await detect('other', 'o1', plus(T0, 7200), { title: 'Shell in web', tenantId: 't-b' });
  });
  afterEach(() => t.close());

  describe('GET /api/v1/incidents', () => {
    const list = async (query: Record<string, string | number>, auth = analyst) =>
      (await request(t.app).get('/api/v1/incidents').query(query).set(auth).expect(200)).body as {
        items: Incident[];
        nextCursor?: string;
      };
    const names = (page: { items: Incident[] }) =>
      page.items.map((i) => Object.keys(ids).find((name) => ids[name] === i.id));

    test('filters by status, severity, tenant, cluster, assignee, detection time and text', async () => {
      expect(names(await list({}))).toEqual(['other', 'db', 'web']);
      expect(names(await list({ severity: 'critical' }))).toEqual(['db']);
      expect(names(await list({ tenantId: 't-b' }))).toEqual(['other']);
      expect(names(await list({ clusterId: 'gz-2' }))).toEqual(['db']);
      expect(names(await list({ from: plus(T0, 1), to: plus(T0, 7200) }))).toEqual(['db']);
      expect(names(await list({ q: 'NGINX' }))).toEqual(['web']);
      expect(names(await list({ q: 'shell in', tenantId: 't-a' }))).toEqual(['web']);
      await service.change({ actor: { type: 'user', id: 'x' }, store: t.store }, ids.db!, {
        status: 'acknowledged',
        assignee: 'u-bob',
      });
      expect(names(await list({ status: 'acknowledged' }))).toEqual(['db']);
      expect(names(await list({ assignee: 'u-bob' }))).toEqual(['db']);
    });

    test('keyset paging, with and without a text search', async () => {
      const first = await list({ limit: 2 });
      expect(names(first)).toEqual(['other', 'db']);
      expect(names(await list({ limit: 2, cursor: first.nextCursor! }))).toEqual(['web']);
      const search = await list({ q: 'shell', limit: 1 });
      expect(names(search)).toEqual(['other']);
      const rest = await list({ q: 'shell', limit: 1, cursor: search.nextCursor! });
      expect(names(rest)).toEqual(['web']);
    });

    test('a tenant user sees only its tenant', async () => {
      expect(names(await list({}, tenantA))).toEqual(['db', 'web']);
      expect(names(await list({ tenantId: 't-b' }, tenantA))).toEqual([]);
    });

    test('bad filters are 400s naming the parameter', async () => {
      const res = await request(t.app)
        .get('/api/v1/incidents?status=bogus&from=yesterday')
        .set(analyst)
        .expect(400);
      expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual([
        'query.from',
        'query.status',
      ]);
    });
  });

  test('GET one incident comes with its alerts; another tenant’s is 404', async () => {
    const res = await request(t.app).get(`/api/v1/incidents/${ids.web}`).set(tenantA).expect(200);
    expect(res.body.incident.id).toBe(ids.web);
    expect(res.body.alerts.map((a: { id: string }) => a.id)).toEqual(['w1']);
    await request(t.app).get(`/api/v1/incidents/${ids.other}`).set(tenantA).expect(404);
    await request(t.app).get('/api/v1/incidents/nope').set(analyst).expect(404);
  });

  describe('POST /api/v1/incidents', () => {
    test('creates from alerts, audited with the analyst as actor', async () => {
      await storeAlert(t.store, 'h1', { lastSeenAt: T0, firstSeenAt: T0, k8s: { clusterId: 'gz-9' } });
      const res = await request(t.app)
        .post('/api/v1/incidents')
        .set(analyst)
        .send({ title: 'By hand', severity: 'low', alertIds: ['h1'] })
        .expect(201);
      expect(res.body).toMatchObject({
        title: 'By hand',
        clusterIds: ['gz-9'],
        tenantId: 't-a',
        detectedAt: T0,
      });
      const [entry] = (await auditOf('incident.create')).filter((e) => e.actor.type === 'user');
      expect(entry).toMatchObject({ result: 'success', target: { type: 'incident', id: res.body.id } });
    });

    test('bad input names the field', async () => {
      const missing = await request(t.app)
        .post('/api/v1/incidents')
        .set(analyst)
        .send({ severity: 'low' })
        .expect(400);
      expect(missing.body.details[0].path).toBe('body.title');
      const taken = await request(t.app)
        .post('/api/v1/incidents')
        .set(analyst)
        .send({ title: 'x', severity: 'low', alertIds: ['nope', 'w1'] })
        .expect(400);
      expect(taken.body.details[0].path).toBe('body.alertIds.0');
      // The tenant admin may update but not create incidents.
      await request(t.app)
        .post('/api/v1/incidents')
        .set(tenantA)
        .send({ title: 'x', severity: 'low' })
        .expect(403);
    });
  });

  describe('PATCH /api/v1/incidents/:id', () => {
    test('status changes record timestamps and are audited', async () => {
      const res = await request(t.app)
        .patch(`/api/v1/incidents/${ids.web}`)
        .set(tenantA)
        .send({ status: 'contained', assignee: 'u-ta' })
        .expect(200);
      expect(res.body).toMatchObject({ status: 'contained', containedBy: 'manual', assignee: 'u-ta' });
      expect(res.body.acknowledgedAt).toBe(res.body.containedAt);
      const [entry] = await auditOf('incident.update');
      expect(entry).toMatchObject({
        tenantId: 't-a',
        target: { id: ids.web },
        details: { change: { status: 'contained', assignee: 'u-ta' } },
      });
      const unassigned = await request(t.app)
        .patch(`/api/v1/incidents/${ids.web}`)
        .set(analyst)
        .send({ assignee: null })
        .expect(200);
      expect(unassigned.body.assignee).toBeUndefined();
    });

    test('refused transitions, misplaced verdicts, unknown fields and stale versions', async () => {
      const patch = (body: object) =>
        request(t.app).patch(`/api/v1/incidents/${ids.web}`).set(analyst).send(body);
      await patch({ status: 'resolved' }).expect(200);
      const back = await patch({ status: 'acknowledged' }).expect(400);
      expect(back.body.details[0].path).toBe('body.status');
      const verdict = await patch({ verdict: 'benign' }).expect(400);
      expect(verdict.body.details[0].path).toBe('body.verdict');
      const unknown = await patch({ detectedAt: T0 }).expect(400);
      expect(unknown.body.details[0].path).toBe('body');
      await patch({ title: 'renamed', expectedVersion: 1 }).expect(409);
      expect((await auditOf('incident.update')).filter((e) => e.result === 'failure')).toHaveLength(4);
    });

    test('another tenant’s incident is 404, not 403', async () => {
      await request(t.app)
        .patch(`/api/v1/incidents/${ids.other}`)
        .set(tenantA)
        .send({ title: 'x' })
        .expect(404);
      expect((await t.store.collection<Incident>('incidents').get(ids.other!))!.title).toBe('Shell in web');
    });
  });

  test('comments join the timeline with their author', async () => {
    const res = await request(t.app)
      .post(`/api/v1/incidents/${ids.web}/comments`)
      .set(analyst)
      .send({ text: 'checking the nginx image' })
      .expect(201);
    expect(res.body.timeline.at(-1)).toMatchObject({
      kind: 'comment',
      text: 'checking the nginx image',
      actor: { name: 'ana' },
    });
    await request(t.app)
      .post(`/api/v1/incidents/${ids.web}/comments`)
      .set(analyst)
      .send({ text: '' })
      .expect(400);
  });

  describe('merge and split', () => {
    test('merge keeps the earliest detection, is audited, and refuses other tenants', async () => {
      const res = await request(t.app)
        .post('/api/v1/incidents/merge')
        .set(tenantA)
        .send({ ids: [ids.db, ids.web] })
        .expect(200);
      expect(res.body).toMatchObject({
        id: ids.db,
        detectedAt: T0,
        severity: 'critical',
        alertIds: ['d1', 'w1'],
      });
      await request(t.app).get(`/api/v1/incidents/${ids.web}`).set(analyst).expect(404);
      const [entry] = await auditOf('incident.merge');
      expect(entry).toMatchObject({ target: { id: ids.db }, details: { merged: [ids.web] } });

      await request(t.app)
        .post('/api/v1/incidents/merge')
        .set(tenantA)
        .send({ ids: [ids.db, ids.other] })
        .expect(404);
      const mixed = await request(t.app)
        .post('/api/v1/incidents/merge')
        .set(analyst)
        .send({ ids: [ids.db, ids.other] })
        .expect(400);
      expect(mixed.body.details[0].path).toBe('body.ids.1');
      const twice = await request(t.app)
        .post('/api/v1/incidents/merge')
        .set(analyst)
        .send({ ids: [ids.db, ids.db] });
      expect(twice.status).toBe(400);
      expect(twice.body.details[0].path).toBe('body.ids');
    });

    test('split moves alerts into a new incident', async () => {
      await detect('web', 'w2', plus(T0, 60), { severity: 'critical' });
      const res = await request(t.app)
        .post(`/api/v1/incidents/${ids.web}/split`)
        .set(analyst)
        .send({ alertIds: ['w2'] })
        .expect(201);
      expect(res.body.source).toMatchObject({ alertIds: ['w1'], severity: 'high' });
      expect(res.body.split).toMatchObject({
        alertIds: ['w2'],
        severity: 'critical',
        detectedAt: plus(T0, 60),
      });
      const [entry] = await auditOf('incident.split');
      expect(entry!.details).toMatchObject({ splitId: res.body.split.id, alertIds: ['w2'] });
      const bad = await request(t.app)
        .post(`/api/v1/incidents/${ids.web}/split`)
        .set(analyst)
        .send({ alertIds: ['d1'] })
        .expect(400);
      expect(bad.body.details[0].path).toBe('body.alertIds.0');
    });
  });
});
