import request from 'supertest';
import type { AuditEntry } from '../../server/model/audit-entry.js';
import type { Session } from '../../server/model/session.js';
import type { User } from '../../server/model/user.js';
import { TEST_PASSWORD, testApp, type TestApp } from '../support/test-app.js';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('authentication', () => {
  let t: TestApp;
  let clock = Date.parse('2026-11-23T08:00:00.000Z');
  beforeEach(async () => {
    clock = Date.parse('2026-11-23T08:00:00.000Z');
    t = await testApp({ services: { now: () => clock } });
    await t.user({ username: 'ops1', roleIds: ['ops'] });
  });
  afterEach(() => t.close());

  const audits = async (action: string) =>
    (
      await t.store
        .collection<AuditEntry>('audit_entries')
        .find({ filter: { action }, sort: { field: 'seq', dir: 'asc' }, limit: 100 })
    ).items;

  test('every protected route answers 401 without credentials', async () => {
    const doc = (await request(t.app).get('/api/v1/openapi.json').expect(200)).body;
    let checked = 0;
    for (const [path, operations] of Object.entries<Record<string, { security?: unknown[] }>>(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const url = path.replace(/\{[^}]+\}/g, 'x');
        const res = await request(t.app)[method as 'get'](url).send({});
        const isPublic = Array.isArray(op.security) && op.security.length === 0;
        if (isPublic) expect([`${method} ${path}`, res.status]).not.toEqual([`${method} ${path}`, 401]);
        else {
          expect([`${method} ${path}`, res.status]).toEqual([`${method} ${path}`, 401]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  test('only login, health and the OpenAPI document are public', async () => {
    const doc = (await request(t.app).get('/api/v1/openapi.json')).body;
    const publicOps = Object.entries<Record<string, { security?: unknown[] }>>(doc.paths).flatMap(
      ([path, ops]) =>
        Object.entries(ops)
          .filter(([, op]) => Array.isArray(op.security) && op.security.length === 0)
          .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(publicOps.sort()).toEqual([
      'GET /api/v1/openapi.json',
      'GET /healthz',
      'GET /readyz',
      'POST /api/v1/auth/login',
    ]);
  });

  test('login returns a bearer token that identifies the user; the login is audited', async () => {
    const token = await t.login('ops1');
    expect(token).toMatch(/^yss_/);
    const me = await request(t.app).get('/api/v1/auth/me').set(bearer(token)).expect(200);
    expect(me.body.user.username).toBe('ops1');
    expect(me.body.user).not.toHaveProperty('passwordHash');
    expect(me.body.permissions).toContain('clusters:*');
    const logins = await audits('user.login');
    expect(logins.map((e) => [e.result, e.actor.name])).toEqual([['success', 'ops1']]);
  });

  test('wrong passwords and unknown users get the same 401, and both are audited', async () => {
    const wrong = await request(t.app)
      .post('/api/v1/auth/login')
      .send({ username: 'ops1', password: 'nope' });
    const unknown = await request(t.app)
      .post('/api/v1/auth/login')
      .send({ username: 'ghost', password: 'nope' });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.error).toBe(unknown.body.error);
    expect((await audits('user.login')).map((e) => e.result)).toEqual(['failure', 'failure']);
  });

  test('a bad login body is a 400 naming the field', async () => {
    const res = await request(t.app).post('/api/v1/auth/login').send({ username: 'ops1' }).expect(400);
    expect(res.body.details.map((d: { path: string }) => d.path)).toEqual(['body.password']);
  });

  test('five failures lock the account for 15 minutes, even for the right password', async () => {
    for (let i = 0; i < 4; i++)
      await request(t.app).post('/api/v1/auth/login').send({ username: 'ops1', password: 'bad' }).expect(401);
    const fifth = await request(t.app).post('/api/v1/auth/login').send({ username: 'ops1', password: 'bad' });
    expect(fifth.status).toBe(423);
    const right = await request(t.app)
      .post('/api/v1/auth/login')
      .send({ username: 'ops1', password: TEST_PASSWORD });
    expect(right.status).toBe(423);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    clock += 15 * 60_000 + 1;
    await request(t.app)
      .post('/api/v1/auth/login')
      .send({ username: 'ops1', password: TEST_PASSWORD })
      .expect(200);
  });

  test('repeated failed logins from one address are rate limited with Retry-After', async () => {
    await t.user({ username: 'victim', roleIds: [] });
    let last = 0;
    for (let i = 0; i < 12; i++) {
      const res = await request(t.app)
        .post('/api/v1/auth/login')
        .send({ username: 'victim', password: `x${i}` });
      last = res.status;
      if (res.status === 429) {
        expect(res.headers['retry-after']).toBeDefined();
        break;
      }
    }
    expect(last).toBe(429);
  });

  test('sessions end after 30 idle minutes and after 12 hours in all', async () => {
    const token = await t.login('ops1');
    clock += 29 * 60_000;
    await request(t.app).get('/api/v1/auth/me').set(bearer(token)).expect(200);
    clock += 29 * 60_000; // still within 30 min of the last use
    await request(t.app).get('/api/v1/auth/me').set(bearer(token)).expect(200);
    clock += 31 * 60_000;
    await request(t.app).get('/api/v1/auth/me').set(bearer(token)).expect(401);

    const long = await t.login('ops1');
    for (let h = 0; h < 12; h++) {
      clock += 20 * 60_000;
      await request(t.app).get('/api/v1/auth/me').set(bearer(long)).expect(200);
      clock += 20 * 60_000;
      await request(t.app).get('/api/v1/auth/me').set(bearer(long)).expect(200);
      clock += 20 * 60_000;
      const res = await request(t.app).get('/api/v1/auth/me').set(bearer(long));
      if (res.status === 401) {
        expect(h).toBe(11);
        return;
      }
    }
    throw new Error('session outlived its 12-hour lifetime');
  });

  test('logout ends the session; a forged token is refused', async () => {
    const token = await t.login('ops1');
    await request(t.app).post('/api/v1/auth/logout').set(bearer(token)).expect(204);
    await request(t.app).get('/api/v1/auth/me').set(bearer(token)).expect(401);
    await request(t.app)
      .get('/api/v1/auth/me')
      .set(bearer(`yss_${'A'.repeat(43)}`))
      .expect(401);
    expect(await t.store.collection<Session>('sessions').count()).toBe(0);
  });

  test('the store keeps only digests of session tokens', async () => {
    const token = await t.login('ops1');
    const sessions = await t.store.collection<Session>('sessions').find();
    expect(JSON.stringify(sessions)).not.toContain(token);
    expect(sessions.items[0]!.id).toMatch(/^[0-9a-f]{64}$/);
  });

  test('cookie sessions are httpOnly, SameSite=Strict, and need the CSRF token on writes', async () => {
    const agent = request.agent(t.app);
    const login = await agent
      .post('/api/v1/auth/login')
      .send({ username: 'ops1', password: TEST_PASSWORD, transport: 'cookie' })
      .expect(200);
    expect(login.body.token).toBeUndefined();
    const cookies = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
    const session = cookies.find((c) => c.startsWith('yunshu_session='))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    await agent.get('/api/v1/auth/me').expect(200);
    const noCsrf = await agent.post('/api/v1/tenants').send({});
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error).toContain('CSRF');
    await agent.post('/api/v1/auth/logout').set('X-CSRF-Token', 'wrong').expect(403);
    await agent.post('/api/v1/auth/logout').set('X-CSRF-Token', login.body.csrfToken).expect(204);
    await agent.get('/api/v1/auth/me').expect(401);
  });

  test('changing the password checks the old one and ends every session', async () => {
    const token = await t.login('ops1');
    const other = await t.login('ops1');
    const weak = await request(t.app)
      .post('/api/v1/auth/password')
      .set(bearer(token))
      .send({ currentPassword: TEST_PASSWORD, newPassword: 'short' })
      .expect(400);
    expect(weak.body.details[0].path).toBe('body.newPassword');
    await request(t.app)
      .post('/api/v1/auth/password')
      .set(bearer(token))
      .send({ currentPassword: 'wrong', newPassword: 'N3w-Passw0rd!' })
      .expect(400);
    await request(t.app)
      .post('/api/v1/auth/password')
      .set(bearer(token))
      .send({ currentPassword: TEST_PASSWORD, newPassword: 'N3w-Passw0rd!' })
      .expect(204);
    await request(t.app).get('/api/v1/auth/me').set(bearer(other)).expect(401);
    await t.login('ops1', 'N3w-Passw0rd!');
    expect((await audits('user.change_password')).map((e) => e.result)).toEqual([
      'failure',
      'failure',
      'success',
    ]);
  });

  test('a disabled user cannot log in and loses its sessions', async () => {
    const admin = await t.user({ username: 'sys', roleIds: ['system-admin'] });
    const adminToken = await t.login(admin.username);
    const token = await t.login('ops1');
    const ops = (await t.services.accounts.findByUsername('ops1'))!;
    await request(t.app)
      .patch(`/api/v1/users/${ops.id}`)
      .set(bearer(adminToken))
      .send({ disabled: true })
      .expect(200);
    await request(t.app).get('/api/v1/auth/me').set(bearer(token)).expect(401);
    await request(t.app)
      .post('/api/v1/auth/login')
      .send({ username: 'ops1', password: TEST_PASSWORD })
      .expect(401);
  });

  describe('API tokens', () => {
    let session: string;
    beforeEach(async () => {
      session = await t.login('ops1');
    });
    const create = (body: object) => request(t.app).post('/api/v1/tokens').set(bearer(session)).send(body);

    test('are shown once, stored as digests, and act with their own permissions only', async () => {
      const res = await create({ name: 'ci', permissions: ['clusters:read'] }).expect(201);
      const token: string = res.body.token;
      expect(token).toMatch(/^ysk_[0-9a-f]{10}_/);
      expect(res.body.record).not.toHaveProperty('secretHash');
      const stored = await t.store.collection('api_tokens').find();
      expect(JSON.stringify(stored)).not.toContain(token);
      const me = await request(t.app).get('/api/v1/auth/me').set(bearer(token)).expect(200);
      expect(me.body.user.username).toBe('ops1');
      await request(t.app).get('/api/v1/tenants').set(bearer(token)).expect(403);
      const listed = await request(t.app).get('/api/v1/tokens').set(bearer(session)).expect(200);
      expect(listed.body.items.map((i: { name: string }) => i.name)).toEqual(['ci']);
    });

    test('cannot exceed the owner’s permissions or hold wildcards', async () => {
      const res = await create({
        name: 'x',
        permissions: ['clusters:read', 'users:delete', 'alerts:*'],
      }).expect(400);
      expect(res.body.details.map((d: { path: string }) => d.path)).toEqual([
        'body.permissions.1',
        'body.permissions.2',
      ]);
    });

    test('revoked and expired tokens are refused', async () => {
      const revoked = (await create({ name: 'a', permissions: ['clusters:read'] })).body;
      await request(t.app).delete(`/api/v1/tokens/${revoked.record.id}`).set(bearer(session)).expect(200);
      await request(t.app).get('/api/v1/auth/me').set(bearer(revoked.token)).expect(401);

      const expiresAt = new Date(clock + 60 * 60_000).toISOString();
      const expiring = (await create({ name: 'b', permissions: ['clusters:read'], expiresAt }).expect(201))
        .body;
      await request(t.app).get('/api/v1/auth/me').set(bearer(expiring.token)).expect(200);
      clock += 61 * 60_000;
      await request(t.app).get('/api/v1/auth/me').set(bearer(expiring.token)).expect(401);
    });

    test('a token of a disabled owner is refused', async () => {
      const created = (await create({ name: 'c', permissions: ['clusters:read'] })).body;
      const ops = (await t.services.accounts.findByUsername('ops1'))!;
      await t.store.collection<User>('users').update(ops.id, { disabled: true });
      await request(t.app).get('/api/v1/auth/me').set(bearer(created.token)).expect(401);
    });
  });
});
