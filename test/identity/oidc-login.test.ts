/** Single sign-on through the API routes, against a real OpenID Provider (oidc-provider). */
import request from 'supertest';
import type { AuditEntry } from '../../server/model/audit-entry.js';
import type { Tenant } from '../../server/model/tenant.js';
import type { User } from '../../server/model/user.js';
import { testApp, type TestApp } from '../support/test-app.js';
import { TestBrowser } from './oidc-provider/browser.js';
import { startTestOp, type TestOp } from './oidc-provider/op.js';

const cookiesOf = (res: request.Response): string[] =>
  ([] as string[]).concat(res.headers['set-cookie'] ?? []);
const cookieHeader = (cookies: string[]) => cookies.map((c) => c.split(';')[0]).join('; ');

describe('OIDC single sign-on routes', () => {
  let op: TestOp;
  let t: TestApp;

  beforeAll(async () => {
    op = await startTestOp([
      {
        sub: 'u-1',
        claims: { preferred_username: 'zhangwei', name: '张伟', groups: ['soc'], tenant_code: 'gzdsj' },
      },
      { sub: 'u-2', claims: { preferred_username: 'lihua', name: '李华', groups: ['sysops', 'auditors'] } },
      { sub: 'u-3', claims: { preferred_username: 'wangfang', name: '王芳', groups: ['soc'] } },
    ]);
    t = await testApp({
      services: {
        oidc: {
          issuer: op.issuer,
          clientId: op.clientId,
          clientSecret: op.clientSecret,
          redirectUri: op.redirectUri,
          allowHttp: true,
          tenantClaim: 'tenant_code',
          groupRoleMap: { soc: ['tenant-viewer'], sysops: ['system-admin'], auditors: ['audit-admin'] },
        },
      },
    });
    await t.store.collection<Tenant>('tenants').insert({
      id: 'tenant-gzdsj',
      schemaVersion: 1,
      name: '贵州省大数据发展管理局',
      code: 'gzdsj',
      regionCode: '520000',
      regionName: '贵州省',
      level: 'province',
      contacts: [],
      namespaces: [],
      quotas: {},
      labels: {},
    });
  });
  afterAll(async () => {
    await t.close();
    await op.close();
  });

  /** Runs the whole browser flow; returns the callback response. */
  async function signOn(account: string): Promise<request.Response> {
    const start = await request(t.app).get('/api/v1/auth/oidc/login').expect(302);
    const pending = cookiesOf(start);
    expect(pending.some((c) => c.startsWith('yunshu_oidc=') && /HttpOnly/.test(c))).toBe(true);
    const callback = await new TestBrowser().login(start.headers.location!, {
      account,
      redirectUri: op.redirectUri,
    });
    return request(t.app)
      .get(`/api/v1/auth/oidc/callback${callback.search}`)
      .set('Cookie', cookieHeader(pending));
  }

  test('a first login provisions the user with mapped roles and tenant, and starts a cookie session', async () => {
    const res = await signOn('u-1');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/');
    const session = cookiesOf(res);
    const me = await request(t.app).get('/api/v1/auth/me').set('Cookie', cookieHeader(session)).expect(200);
    expect(me.body.user).toMatchObject({ username: 'zhangwei', source: 'oidc', roleIds: ['tenant-viewer'] });
    expect(me.body.tenantIds).toEqual(['tenant-gzdsj']);
    const again = await signOn('u-1');
    expect(again.status).toBe(302);
    expect(await t.store.collection<User>('users').count({ source: 'oidc' })).toBe(1);
  });

  test('groups that map to two officer duties are refused, and the refusal is audited', async () => {
    const res = await signOn('u-2');
    expect(res.status).toBe(403);
    const logins = await t.store
      .collection<AuditEntry>('audit_entries')
      .find({ filter: { action: 'user.login', result: 'failure' } });
    expect(logins.items.map((e) => e.details.reason)).toContain(
      'separation of duties: IdP groups map to several officer duties',
    );
  });

  test('tenant roles without a tenant claim are refused', async () => {
    expect((await signOn('u-3')).status).toBe(403);
    expect(await t.services.accounts.findByUsername('wangfang')).toBeNull();
  });

  test('a callback without the pending cookie, or with a forged one, is a 400', async () => {
    await request(t.app).get('/api/v1/auth/oidc/callback?code=x&state=y').expect(400);
    await request(t.app)
      .get('/api/v1/auth/oidc/callback?code=x&state=y')
      .set('Cookie', 'yunshu_oidc=ys1.sm4ctr.00000000.AAAA.AAAA.AAAA')
      .expect(400);
  });
});
