import request from 'supertest';
import type { Alert } from '../../server/model/alert.js';
import type { SecurityEvent } from '../../server/model/security-event.js';
import { detectionApp, type DetectionApp } from '../support/detection-app.js';
import { fixture } from './helpers.js';

const SHELL_RULE = '2ba76160-7548-4c49-842a-07df023a0aad';

/** A Falco "Terminal shell in container" alert as Falco's JSON output writes it. */
function shellAlert(uuid: string, pod = 'portal-api-7d9f-abcde', ns = 'gzdsj-portal') {
  return {
    uuid,
    output: `10:00:00.000000000: Notice A shell was spawned in a container with an attached terminal (user=root k8s.pod=${pod})`,
    priority: 'Notice',
    rule: 'Terminal shell in container',
    time: '2026-11-23T02:00:00.123456789Z',
    source: 'syscall',
    hostname: 'node-arm-01',
    tags: ['container', 'shell', 'mitre_execution', 'T1059'],
    output_fields: {
      'container.id': '4f2a9c1e7b3d',
      'container.name': 'portal-api',
      'k8s.ns.name': ns,
      'k8s.pod.name': pod,
      'proc.name': 'bash',
      'proc.cmdline': 'bash',
      'proc.tty': 34816,
      'user.name': 'root',
    },
  };
}

const ndjson = (records: unknown[]) => records.map((r) => JSON.stringify(r)).join('\n');

describe('POST /api/v1/ingest/*', () => {
  let t: DetectionApp;
  let falcoToken: string;
  const events = () => t.store.collection<SecurityEvent>('security_events');
  const post = (path: string, token: string, body: string, type = 'application/json') =>
    request(t.app).post(path).set('Authorization', `Bearer ${token}`).set('Content-Type', type).send(body);

  beforeEach(async () => {
    t = await detectionApp();
    falcoToken = await t.apiToken({
      name: 'falco-gz-1',
      ingest: { sources: ['falco'], clusterId: 'gz-prod-1' },
    });
  });
  afterEach(() => t.close());

  test('a Falco alert is stored, detected by the shipped rule, and found by its uuid', async () => {
    const res = await post(
      '/api/v1/ingest/falco',
      falcoToken,
      JSON.stringify(shellAlert('5f0a6f6e-1111-4b8e-9d3c-000000000001')),
    );
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 1, deduplicated: 0, skipped: 0 });
    await t.drained();

    const stored = await events().get('falco:5f0a6f6e-1111-4b8e-9d3c-000000000001');
    expect(stored?.k8s).toMatchObject({
      clusterId: 'gz-prod-1',
      namespace: 'gzdsj-portal',
      node: 'node-arm-01',
    });

    const found = await request(t.app)
      .get('/api/v1/alerts?q=5F0A6F6E-1111-4b8e-9d3c-000000000001')
      .set('Authorization', `Bearer ${t.admin}`);
    expect(found.status).toBe(200);
    expect(found.body.items).toHaveLength(1);
    expect(found.body.items[0]).toMatchObject({
      ruleId: SHELL_RULE,
      status: 'new',
      occurrenceCount: 1,
      source: 'falco',
    });
    expect(found.body.items[0].mitre.techniques).toEqual(expect.arrayContaining(['T1059.004', 'T1609']));
  });

  test('a re-delivered batch is deduplicated, not stored or counted twice', async () => {
    const batch = ndjson([
      shellAlert('aaaaaaaa-0000-4000-8000-000000000001'),
      shellAlert('aaaaaaaa-0000-4000-8000-000000000002'),
    ]);
    expect((await post('/api/v1/ingest/falco', falcoToken, batch, 'application/x-ndjson')).body).toEqual({
      accepted: 2,
      deduplicated: 0,
      skipped: 0,
    });
    expect((await post('/api/v1/ingest/falco', falcoToken, batch, 'application/x-ndjson')).body).toEqual({
      accepted: 0,
      deduplicated: 2,
      skipped: 0,
    });
    await t.drained();
    expect(await events().count()).toBe(2);
    const alerts = await t.store.collection<Alert>('alerts').find({});
    expect(alerts.items.map((a) => a.occurrenceCount)).toEqual([2]);
    expect(t.runtime.pipeline.countersOf('falco')).toMatchObject({
      accepted: 2,
      deduplicated: 2,
      rejected: 0,
    });
  });

  test('bad input gets a 4xx naming the record and field; nothing of a bad batch is stored; earlier data intact', async () => {
    expect(
      (
        await post(
          '/api/v1/ingest/falco',
          falcoToken,
          JSON.stringify(shellAlert('bbbbbbbb-0000-4000-8000-000000000001')),
        )
      ).status,
    ).toBe(202);

    const malformed = await post('/api/v1/ingest/falco', falcoToken, '{"rule": "x", ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.details[0]).toEqual({ path: 'body[0]', message: 'not valid JSON' });

    const wrongType = ndjson([
      shellAlert('bbbbbbbb-0000-4000-8000-000000000002'),
      { ...shellAlert('bbbbbbbb-0000-4000-8000-000000000003'), priority: 42 },
    ]);
    const typed = await post('/api/v1/ingest/falco', falcoToken, wrongType);
    expect(typed.status).toBe(400);
    expect(typed.body.details).toEqual([expect.objectContaining({ path: 'body[1].priority' })]);
    expect(typed.body.error).toMatch(/nothing was stored/);

    const badTime = await post(
      '/api/v1/ingest/falco',
      falcoToken,
      JSON.stringify({ ...shellAlert('x'), time: 'yesterday' }),
    );
    expect(badTime.status).toBe(400);
    expect(badTime.body.details[0].path).toBe('body[0].time');

    const empty = await post('/api/v1/ingest/falco', falcoToken, '   ');
    expect(empty.status).toBe(400);

    const oversized = await post('/api/v1/ingest/falco', falcoToken, 'x'.repeat(17 * 1024 * 1024));
    expect(oversized.status).toBe(413);

    // Still alive, and only the first event is stored.
    expect((await request(t.app).get('/healthz')).status).toBe(200);
    await t.drained();
    expect((await events().find({})).items.map((e) => e.id)).toEqual([
      'falco:bbbbbbbb-0000-4000-8000-000000000001',
    ]);
    expect(t.runtime.pipeline.countersOf('falco').rejected).toBeGreaterThanOrEqual(3);
  });

  test('kube audit: an EventList, a single Event and NDJSON (an audit log file) are all accepted', async () => {
    const token = await t.apiToken({ ingest: { sources: ['k8s-audit'] } });
    const event = (auditID: string) => ({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      auditID,
      stage: 'ResponseComplete',
      requestURI: '/api/v1/namespaces/gzdsj-portal/pods/portal-api-7d9f-abcde/exec?command=sh',
      verb: 'create',
      user: { username: 'zhang.wei@gov.cn', groups: ['system:authenticated'] },
      sourceIPs: ['10.20.0.8'],
      objectRef: {
        resource: 'pods',
        namespace: 'gzdsj-portal',
        name: 'portal-api-7d9f-abcde',
        subresource: 'exec',
        apiVersion: 'v1',
      },
      responseStatus: { metadata: {}, code: 101 },
      requestReceivedTimestamp: '2026-11-23T02:00:00.000000Z',
      stageTimestamp: '2026-11-23T02:00:00.050000Z',
    });
    const list = {
      kind: 'EventList',
      apiVersion: 'audit.k8s.io/v1',
      metadata: {},
      items: [event('c0000000-0000-4000-8000-000000000001')],
    };
    const url = '/api/v1/ingest/k8s-audit?clusterId=gz-prod-1';
    expect((await post(url, token, JSON.stringify(list))).body.accepted).toBe(1);
    expect(
      (await post(url, token, JSON.stringify(event('c0000000-0000-4000-8000-000000000002')))).body.accepted,
    ).toBe(1);
    const file = ndjson([
      event('c0000000-0000-4000-8000-000000000003'),
      { ...event('c0000000-0000-4000-8000-000000000004'), stage: 'RequestReceived' },
    ]);
    expect((await post(url, token, file, 'text/plain')).body).toEqual({
      accepted: 1,
      deduplicated: 0,
      skipped: 1,
    });
    await t.drained();
    const alerts = await request(t.app)
      .get('/api/v1/alerts?ruleId=009a16e7-2e78-4354-a1df-581d027c61d3')
      .set('Authorization', `Bearer ${t.admin}`);
    expect(alerts.body.items).toHaveLength(1);
    expect(alerts.body.items[0]).toMatchObject({ occurrenceCount: 3, user: { name: 'zhang.wei@gov.cn' } });
  });

  test('tokens are per source and per cluster; no token, no entry', async () => {
    const body = JSON.stringify(shellAlert('dddddddd-0000-4000-8000-000000000001'));
    expect((await request(t.app).post('/api/v1/ingest/falco').send(body)).status).toBe(401);
    const wrongSource = await post('/api/v1/ingest/k8s-audit', falcoToken, '{}');
    expect(wrongSource.status).toBe(403);
    expect(wrongSource.body.error).toMatch(/for falco, not k8s-audit/);
    const wrongCluster = await post('/api/v1/ingest/falco?clusterId=other', falcoToken, body);
    expect(wrongCluster.status).toBe(403);
    const readOnly = await t.apiToken({ permissions: ['alerts:read'] });
    expect((await post('/api/v1/ingest/falco', readOnly, body)).status).toBe(403);
    expect(await events().count()).toBe(0);
  });

  test('a tenant-scoped sender may only send its own tenant’s events', async () => {
    await t.store.collection('namespaces').insert({
      id: 'gz-prod-1/gzdsj-portal',
      schemaVersion: 1,
      clusterId: 'gz-prod-1',
      name: 'gzdsj-portal',
      uid: 'ns-uid-1',
      labels: {},
      phase: 'Active',
      tenantId: 'tenant-gzdsj',
    } as never);
    await t.store.collection('namespaces').insert({
      id: 'gz-prod-1/sjj-data',
      schemaVersion: 1,
      clusterId: 'gz-prod-1',
      name: 'sjj-data',
      uid: 'ns-uid-2',
      labels: {},
      phase: 'Active',
      tenantId: 'tenant-sjj',
    } as never);
    await t.user({ username: 'gzdsj-bot', roleIds: ['automation'], tenantId: 'tenant-gzdsj' });
    const bot = await t.login('gzdsj-bot');
    const own = await post(
      '/api/v1/ingest/falco?clusterId=gz-prod-1',
      bot,
      JSON.stringify(shellAlert('eeeeeeee-0000-4000-8000-000000000001')),
    );
    expect(own.status).toBe(202);
    const other = await post(
      '/api/v1/ingest/falco?clusterId=gz-prod-1',
      bot,
      ndjson([
        shellAlert('eeeeeeee-0000-4000-8000-000000000002'),
        shellAlert('eeeeeeee-0000-4000-8000-000000000003', 'db-0', 'sjj-data'),
      ]),
    );
    expect(other.status).toBe(400);
    expect(other.body.details).toEqual([
      { path: 'body[1].tenantId', message: expect.stringMatching(/tenant-sjj, outside/) },
    ]);
    expect(await events().count()).toBe(1);
    expect((await events().get('falco:eeeeeeee-0000-4000-8000-000000000001'))?.tenantId).toBe('tenant-gzdsj');
  });

  test('scanner uploads: kube-bench of one node and Trivy-operator reports become findings', async () => {
    const token = await t.apiToken({ ingest: { sources: ['kube-bench', 'trivy'], clusterId: 'gz-prod-1' } });
    const bench = JSON.parse(fixture('kube-bench/result.json')) as {
      Controls: { tests: { results: { status: string }[] }[] }[];
    };
    bench.Controls[0]!.tests[0]!.results[0]!.status = 'FAIL';
    const kubeBench = await post('/api/v1/ingest/kube-bench?node=master-1', token, JSON.stringify(bench));
    expect(kubeBench.status).toBe(202);
    expect(kubeBench.body.accepted).toBeGreaterThan(0);
    expect(kubeBench.body.skipped).toBeGreaterThan(0);
    const findings = (await events().find({ filter: { source: 'kube-bench' }, limit: 1000 })).items;
    expect(findings.every((e) => e.k8s?.clusterId === 'gz-prod-1' && e.k8s?.node === 'master-1')).toBe(true);

    const trivy = await post(
      '/api/v1/ingest/trivy',
      token,
      fixture('trivy/vulnerabilityreport-replicaset-coredns.json'),
    );
    expect(trivy.status).toBe(202);
    expect(await events().count({ source: 'trivy' })).toBe(trivy.body.accepted);
    expect(trivy.body.accepted).toBeGreaterThan(0);
  });

  test('counters per source and detection latency are exposed to SOC staff', async () => {
    await post(
      '/api/v1/ingest/falco',
      falcoToken,
      JSON.stringify(shellAlert('12345678-0000-4000-8000-000000000001')),
    );
    await post('/api/v1/ingest/falco', falcoToken, '{');
    await t.drained();
    const res = await request(t.app).get('/api/v1/ingest/stats').set('Authorization', `Bearer ${t.admin}`);
    expect(res.status).toBe(200);
    expect(res.body.sources.falco).toEqual({
      batches: 1,
      accepted: 1,
      rejected: 1,
      deduplicated: 0,
      skipped: 0,
      overloaded: 0,
    });
    expect(res.body.detection).toMatchObject({
      queuedEvents: 0,
      events: 1,
      hits: 1,
      latencyP50Ms: expect.any(Number),
    });
  });

  test('every accepted batch is audited with its counts', async () => {
    await post(
      '/api/v1/ingest/falco',
      falcoToken,
      JSON.stringify(shellAlert('ffffffff-0000-4000-8000-000000000001')),
    );
    const entries = await t.store.collection('audit_entries').find({ filter: { action: 'events.ingest' } });
    expect(entries.items).toHaveLength(1);
    expect(entries.items[0]).toMatchObject({
      result: 'success',
      details: expect.objectContaining({ source: 'falco', accepted: 1 }),
    });
  });
});

describe('ingest overload', () => {
  test('answers 429 with Retry-After and stores nothing when detection is behind', async () => {
    const t = await detectionApp({ runtime: { maxQueuedEvents: -1 } });
    try {
      const token = await t.apiToken({ ingest: { sources: ['falco'], clusterId: 'gz-prod-1' } });
      const res = await request(t.app)
        .post('/api/v1/ingest/falco')
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(shellAlert('99999999-0000-4000-8000-000000000001')));
      expect(res.status).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(await t.store.collection('security_events').count()).toBe(0);
      expect(t.runtime.pipeline.countersOf('falco').overloaded).toBe(1);
    } finally {
      await t.close();
    }
  });
});

describe('security event retention', () => {
  test('deletes events stored longer ago than the retention, and only those', async () => {
    const t = await detectionApp();
    try {
      const token = await t.apiToken({ ingest: { sources: ['falco'], clusterId: 'gz-prod-1' } });
      await request(t.app)
        .post('/api/v1/ingest/falco')
        .set('Authorization', `Bearer ${token}`)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify(shellAlert('77777777-0000-4000-8000-000000000001')));
      const day = 86_400_000;
      expect(await t.runtime.pruneEvents(184, Date.now() + 100 * day)).toBe(0);
      expect(await t.store.collection('security_events').count()).toBe(1);
      expect(await t.runtime.pruneEvents(184, Date.now() + 185 * day)).toBe(1);
      expect(await t.store.collection('security_events').count()).toBe(0);
    } finally {
      await t.close();
    }
  });
});
