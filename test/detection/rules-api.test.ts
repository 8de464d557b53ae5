import request from 'supertest';
import { loadRulePack } from '../../server/detection/rule-pack.js';
import type { DetectionRule } from '../../server/model/detection-rule.js';
import { detectionApp, type DetectionApp } from '../support/detection-app.js';

const SECRET_READS = `title: Many secrets read by one user
id: 6f1c0b7e-2d7a-4f0e-9a57-3b1f3c2a9e01
name: secret_read_by_user
status: experimental
logsource:
  product: kubernetes
  service: audit
detection:
  selection:
    objectRef.resource: secrets
    verb: [get, list]
  condition: selection
level: low
tags:
  - attack.credential-access
  - attack.t1552.007
---
title: Burst of secret reads
id: 0d7f6c1a-1b7e-4f3b-8f65-7a4c2e9b5d02
status: experimental
correlation:
  type: event_count
  rules:
    - secret_read_by_user
  group-by:
    - user.username
  timespan: 5m
  condition:
    gte: 3
level: high
`;

function secretRead(auditID: string, second: number, user = 'zhang.wei@gov.cn') {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID,
    stage: 'ResponseComplete',
    requestURI: `/api/v1/namespaces/gzdsj-portal/secrets/db-${second}`,
    verb: 'get',
    user: { username: user },
    objectRef: { resource: 'secrets', namespace: 'gzdsj-portal', name: `db-${second}`, apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 200 },
    requestReceivedTimestamp: `2026-11-23T02:00:${String(second).padStart(2, '0')}.000000Z`,
    stageTimestamp: `2026-11-23T02:00:${String(second).padStart(2, '0')}.010000Z`,
  };
}

describe('rule management API', () => {
  let t: DetectionApp;
  const auth = () => ({ Authorization: `Bearer ${t.admin}` });
  const upload = (yaml: string) =>
    request(t.app).post('/api/v1/rules').set(auth()).set('Content-Type', 'application/yaml').send(yaml);

  beforeEach(async () => {
    t = await detectionApp();
  });
  afterEach(() => t.close());

  test('the shipped pack is installed, listed and in force', async () => {
    const pack = await loadRulePack();
    const res = await request(t.app).get('/api/v1/rules?limit=1000').set(auth());
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeGreaterThanOrEqual(pack.length);
    expect(res.body.items.every((r: DetectionRule) => r.origin === 'builtin' && r.enabled)).toBe(true);
    expect(t.runtime.registry.loadErrors.size).toBe(0);
    expect(t.runtime.registry.engine.list().length).toBe(res.body.items.length);
  });

  test('a Sigma file with a detection and a correlation is uploaded, stored per document and fires', async () => {
    const res = await upload(SECRET_READS);
    expect(res.status).toBe(201);
    expect(res.body.items.map((r: DetectionRule) => [r.kind, r.origin, r.level])).toEqual([
      ['detection', 'custom', 'low'],
      ['correlation', 'custom', 'high'],
    ]);
    expect(res.body.items[1].yaml).toMatch(/^title: Burst of secret reads/);

    const token = await t.apiToken({ ingest: { sources: ['k8s-audit'], clusterId: 'gz-prod-1' } });
    const body = [1, 2, 3]
      .map((s) => JSON.stringify(secretRead(`a1000000-0000-4000-8000-00000000000${s}`, s)))
      .join('\n');
    const ingest = await request(t.app)
      .post('/api/v1/ingest/k8s-audit')
      .set('Authorization', `Bearer ${token}`)
      .set('Content-Type', 'application/x-ndjson')
      .send(body);
    expect(ingest.status).toBe(202);
    await t.drained();
    const burst = await request(t.app)
      .get('/api/v1/alerts?ruleId=0d7f6c1a-1b7e-4f3b-8f65-7a4c2e9b5d02')
      .set(auth());
    expect(burst.body.items).toHaveLength(1);
    expect(burst.body.items[0]).toMatchObject({
      severity: 'high',
      evidenceEventIds: expect.arrayContaining(['k8s-audit:a1000000-0000-4000-8000-000000000003']),
    });

    await t.runtime.tick();
    const rule = await request(t.app).get('/api/v1/rules/0d7f6c1a-1b7e-4f3b-8f65-7a4c2e9b5d02').set(auth());
    expect(rule.body).toMatchObject({ hitCount: 1, lastHitAt: expect.any(String) });
    const audit = await t.store.collection('audit_entries').find({ filter: { action: 'rule.create' } });
    expect(audit.items).toHaveLength(1);
  });

  test('invalid rules get 400 naming the YAML path; a taken id 409; not YAML 415; nothing is stored', async () => {
    const before = await t.store.collection('detection_rules').count();
    const badModifier = SECRET_READS.replace(
      'objectRef.resource: secrets',
      'objectRef.resource|bogus: secrets',
    );
    const bad = await upload(badModifier);
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].path).toMatch(/^body\.detection\.selection/);
    const badCorrelation = await upload(SECRET_READS.replace('timespan: 5m', 'timespan: soon'));
    expect(badCorrelation.status).toBe(400);
    expect(badCorrelation.body.details[0].path).toContain('timespan');
    expect((await upload('title: [unclosed')).status).toBe(400);
    expect(
      (await request(t.app).post('/api/v1/rules').set(auth()).send({ title: 'json is not yaml' })).status,
    ).toBe(415);
    expect(await t.store.collection('detection_rules').count()).toBe(before);

    expect((await upload(SECRET_READS)).status).toBe(201);
    expect((await upload(SECRET_READS)).status).toBe(409);
  });

  test('disabling a rule stops its alerts; builtin rules cannot be deleted, custom ones can', async () => {
    const pack = (await request(t.app).get('/api/v1/rules?limit=1000').set(auth())).body
      .items as DetectionRule[];
    const exec = pack.find((r) => r.title === 'Exec or Attach Into a Pod')!;
    const off = await request(t.app).patch(`/api/v1/rules/${exec.id}`).set(auth()).send({ enabled: false });
    expect(off.status).toBe(200);
    expect(off.body.enabled).toBe(false);
    expect(t.runtime.registry.engine.get(exec.id)?.enabled).toBe(false);
    expect((await request(t.app).delete(`/api/v1/rules/${exec.id}`).set(auth())).status).toBe(409);

    await upload(SECRET_READS);
    // The correlation still refers to the detection rule: remove it first.
    expect(
      (await request(t.app).delete('/api/v1/rules/6f1c0b7e-2d7a-4f0e-9a57-3b1f3c2a9e01').set(auth())).status,
    ).toBe(409);
    expect(
      (await request(t.app).delete('/api/v1/rules/0d7f6c1a-1b7e-4f3b-8f65-7a4c2e9b5d02').set(auth())).status,
    ).toBe(204);
    expect(
      (await request(t.app).delete('/api/v1/rules/6f1c0b7e-2d7a-4f0e-9a57-3b1f3c2a9e01').set(auth())).status,
    ).toBe(204);
    expect(t.runtime.registry.engine.get('6f1c0b7e-2d7a-4f0e-9a57-3b1f3c2a9e01')).toBeUndefined();
  });

  test('a rule is tested against sample events without storing anything', async () => {
    const res = await request(t.app)
      .post('/api/v1/rules/test')
      .set(auth())
      .send({
        yaml: SECRET_READS,
        source: 'k8s-audit',
        events: [secretRead('b1', 1), secretRead('b2', 2), secretRead('b3', 3, 'li.na'), secretRead('b4', 4)],
      });
    expect(res.status).toBe(200);
    expect(res.body.events).toBe(4);
    const byRule = Object.fromEntries(
      res.body.hits.map((h: { ruleId: string; eventIds: string[] }) => [h.ruleId, h.eventIds]),
    );
    // Referenced by a correlation without `generate`, the base rule reports no hits of its own.
    expect(byRule['6f1c0b7e-2d7a-4f0e-9a57-3b1f3c2a9e01']).toBeUndefined();
    expect(byRule['0d7f6c1a-1b7e-4f3b-8f65-7a4c2e9b5d02']).toEqual([
      'k8s-audit:b1',
      'k8s-audit:b2',
      'k8s-audit:b4',
    ]);
    expect(await t.store.collection('security_events').count()).toBe(0);
    expect(await t.store.collection('detection_rules').count({ origin: 'custom' })).toBe(0);

    const badEvents = await request(t.app)
      .post('/api/v1/rules/test')
      .set(auth())
      .send({
        yaml: SECRET_READS,
        source: 'k8s-audit',
        events: [{ ...secretRead('c1', 1), stageTimestamp: 'noon' }],
      });
    expect(badEvents.status).toBe(400);
    expect(badEvents.body.details[0].path).toBe('body.events[0].stageTimestamp');
  });

  test('analysts may read rules but not change them', async () => {
    await t.user({ username: 'analyst', roleIds: ['analyst'] });
    const analyst = await t.login('analyst');
    expect((await request(t.app).get('/api/v1/rules').set('Authorization', `Bearer ${analyst}`)).status).toBe(
      200,
    );
    const post = await request(t.app)
      .post('/api/v1/rules')
      .set('Authorization', `Bearer ${analyst}`)
      .set('Content-Type', 'application/yaml')
      .send(SECRET_READS);
    expect(post.status).toBe(403);
  });
});
