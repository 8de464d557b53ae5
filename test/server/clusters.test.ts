import request from 'supertest';
import type { AuditEntry } from '../../server/model/audit-entry.js';
import type { Secret } from '../../server/model/secret.js';
import { testApp, type TestApp } from '../support/test-app.js';

const kubeconfig = (server: string, token = 'tok-very-secret-123', context = 'gz') => `apiVersion: v1
kind: Config
clusters:
- name: gz
  cluster:
    server: ${server}
    insecure-skip-tls-verify: true
users:
- name: ops
  user:
    token: ${token}
contexts:
- name: ${context}
  context:
    cluster: gz
    user: ops
current-context: ${context}
`;

describe('cluster registry API', () => {
  let t: TestApp;
  let auth: { Authorization: string };
  let cloudId: string;

  beforeEach(async () => {
    t = await testApp();
    await t.user({ username: 'ops1', roleIds: ['ops'] });
    auth = { Authorization: `Bearer ${await t.login('ops1')}` };
    const cloud = await request(t.app)
      .post('/api/v1/clouds')
      .set(auth)
      .send({
        name: '省政务云',
        provider: '华为云Stack',
        tier: 'provincial',
        site: '贵安',
        networkZone: 'egov_extranet',
      })
      .expect(201);
    cloudId = cloud.body.id;
  });
  afterEach(() => t.close());

  const register = (body: object) => request(t.app).post('/api/v1/clusters').set(auth).send(body);

  test.each([
    [
      'malformed YAML',
      { kubeconfig: 'clusters: [\n  - name: x\n  bad: : :\n' + ' '.repeat(30) },
      'body.kubeconfig',
      /YAML/,
    ],
    [
      'unknown context',
      { kubeconfig: kubeconfig('https://10.0.0.1:6443'), context: 'nope' },
      'body.context',
      /unknown context "nope"/,
    ],
    ['server not a URL', { kubeconfig: kubeconfig('not a url') }, 'body.kubeconfig', /invalid server URL/],
  ])('%s is a 400 naming the field', async (_name, fields, path, message) => {
    const res = await register({ cloudId, name: 'gz-1', ...fields }).expect(400);
    expect(res.body.details[0].path).toBe(path);
    expect(res.body.error).toMatch(message);
  });

  test('credentials are a kubeconfig or in-cluster, and in-cluster needs a pod', async () => {
    const neither = await register({ cloudId, name: 'gz-1' }).expect(400);
    expect(neither.body.details[0].path).toBe('body.kubeconfig');
    const notInPod = await register({ cloudId, name: 'gz-1', inCluster: true }).expect(400);
    expect(notInPod.body.details[0].path).toBe('body.inCluster');
  });

  test('an unknown cloud and a bad name are 400s naming the field', async () => {
    const res = await register({
      cloudId: 'nope',
      name: 'gz-1',
      kubeconfig: kubeconfig('https://10.0.0.1:6443'),
    });
    expect(res.status).toBe(400);
    expect(res.body.details[0].path).toBe('body.cloudId');
    const bad = await register({
      cloudId,
      name: 'GZ 1',
      kubeconfig: kubeconfig('https://10.0.0.1:6443'),
    }).expect(400);
    expect(bad.body.details[0].path).toBe('body.name');
  });

  test('an unreachable server is not an input error: saved, credentials sealed and never returned', async () => {
    const res = await register({
      cloudId,
      name: 'gz-1',
      kubeconfig: kubeconfig('https://127.0.0.1:1'),
    }).expect(201);
    expect(res.body).toMatchObject({ name: 'gz-1', apiServerUrl: 'https://127.0.0.1:1', status: 'unknown' });
    expect(JSON.stringify(res.body)).not.toContain('tok-very-secret-123');
    expect(res.body.credentialRef).toMatch(/^secret:/);
    const listed = await request(t.app).get('/api/v1/clusters').set(auth).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain('tok-very-secret-123');
    const secrets = await t.store.collection<Secret>('secrets').find();
    expect(secrets.items).toHaveLength(1);
    expect(JSON.stringify(secrets.items)).not.toContain('tok-very-secret-123');
    const test = await request(t.app).post(`/api/v1/clusters/${res.body.id}/test`).set(auth).expect(200);
    expect(test.body.ok).toBe(false);
    expect(test.body.error).toBeTruthy();
  });

  test('rotating the kubeconfig replaces the sealed secret; deleting removes cluster, inventory and secret', async () => {
    const created = (await register({ cloudId, name: 'gz-1', kubeconfig: kubeconfig('https://127.0.0.1:1') }))
      .body;
    const rotated = await request(t.app)
      .patch(`/api/v1/clusters/${created.id}`)
      .set(auth)
      .send({ kubeconfig: kubeconfig('https://127.0.0.1:2', 'tok-2-xxxxxxxx') })
      .expect(200);
    expect(rotated.body.apiServerUrl).toBe('https://127.0.0.1:2');
    expect(rotated.body.credentialRef).not.toBe(created.credentialRef);
    expect(await t.store.collection('secrets').count()).toBe(1);

    await t.store
      .collection('nodes')
      .insert({ id: `${created.id}/n1`, clusterId: created.id, name: 'n1' } as never);
    await request(t.app).delete(`/api/v1/clusters/${created.id}`).set(auth).expect(204);
    expect(await t.store.collection('nodes').count({ clusterId: created.id })).toBe(0);
    expect(await t.store.collection('secrets').count()).toBe(0);
    await request(t.app).get(`/api/v1/clusters/${created.id}`).set(auth).expect(404);
    const actions = (await t.store.collection<AuditEntry>('audit_entries').find({ limit: 100 })).items.map(
      (e) => `${e.action}:${e.result}`,
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        'cloud.create:success',
        'cluster.create:success',
        'cluster.update:success',
        'cluster.delete:success',
      ]),
    );
  });

  test('a leader can read clusters but not register them', async () => {
    await t.user({ username: 'boss', roleIds: ['leader'] });
    const boss = { Authorization: `Bearer ${await t.login('boss')}` };
    await request(t.app).get('/api/v1/clusters').set(boss).expect(200);
    await request(t.app)
      .post('/api/v1/clusters')
      .set(boss)
      .send({ cloudId, name: 'x', kubeconfig: kubeconfig('https://127.0.0.1:1') })
      .expect(403);
  });
});
