import { calculatePKCECodeChallenge } from 'openid-client';
import { mapGroupsToRoles, OidcError, OidcLogin } from '../../server/identity/oidc.js';
import type { OidcConfig, OidcIdentity } from '../../server/identity/oidc.js';
import { TestBrowser } from './oidc-provider/browser.js';
import { startTestOp } from './oidc-provider/op.js';
import type { TestAccount, TestOp } from './oidc-provider/op.js';

const GROUP_ROLE_MAP = { soc: ['analyst'], '网信办-安全': ['security-admin', 'analyst'] };

const ACCOUNTS: TestAccount[] = [
  {
    sub: 'u-10001',
    claims: {
      preferred_username: 'zhangwei',
      name: '张伟',
      email: 'zhangwei@wxb.example.gov.cn',
      email_verified: true,
      groups: ['soc'],
      tenant_code: 'WXB',
    },
  },
  {
    sub: 'u-10002',
    claims: { preferred_username: 'lihua', name: '李华', groups: ['网信办-安全', 'soc'], tenant_code: 'WXB' },
    userinfoOnly: ['groups'],
  },
  // No username, display name or tenant; an unverified address.
  { sub: 'u-10003', claims: { email: 'nobody@example.gov.cn', email_verified: false, groups: [] } },
  // A single group sent as a plain string.
  {
    sub: 'u-10004',
    claims: { preferred_username: 'wangfang', name: '王芳', groups: 'soc', tenant_code: 'GXT' },
  },
];

async function expectOidcError(promise: Promise<unknown>, message: string | RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(OidcError);
  expect((error as OidcError).message).toMatch(message);
}

function configFor(op: TestOp): OidcConfig {
  return {
    issuer: op.issuer,
    clientId: op.clientId,
    clientSecret: op.clientSecret,
    redirectUri: op.redirectUri,
    groupRoleMap: GROUP_ROLE_MAP,
    tenantClaim: 'tenant_code',
    allowHttp: true,
  };
}

describe('OidcLogin against a real OpenID Provider', () => {
  let op: TestOp;
  let login: OidcLogin;

  beforeAll(async () => {
    op = await startTestOp(ACCOUNTS);
    login = await OidcLogin.discover(configFor(op));
  });
  afterAll(() => op.close());
  afterEach(() => expect(op.serverErrors).toEqual([]));

  async function authorize(account: string, consent: 'approve' | 'deny' = 'approve') {
    const { url, pending } = login.begin();
    const callback = await new TestBrowser().login(url, { account, redirectUri: op.redirectUri, consent });
    return { callback, pending };
  }

  test('begin() asks for the code flow with fresh state, nonce and an S256 PKCE challenge', async () => {
    const first = login.begin();
    const url = new URL(first.url);
    expect(url.origin + url.pathname).toBe(`${op.issuer}/auth`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: op.clientId,
      response_type: 'code',
      redirect_uri: op.redirectUri,
      scope: 'openid profile email groups',
      state: first.pending.state,
      nonce: first.pending.nonce,
      code_challenge: await calculatePKCECodeChallenge(first.pending.codeVerifier),
      code_challenge_method: 'S256',
    });
    const second = login.begin().pending;
    expect(second.state).not.toBe(first.pending.state);
    expect(second.nonce).not.toBe(first.pending.nonce);
    expect(second.codeVerifier).not.toBe(first.pending.codeVerifier);
  });

  test.each<[string, number, Omit<OidcIdentity, 'issuer'>]>([
    [
      'u-10001',
      0,
      {
        subject: 'u-10001',
        username: 'zhangwei',
        displayName: '张伟',
        email: 'zhangwei@wxb.example.gov.cn',
        groups: ['soc'],
        roles: ['analyst'],
        tenantCode: 'WXB',
      },
    ],
    [
      'u-10002',
      1,
      {
        subject: 'u-10002',
        username: 'lihua',
        displayName: '李华',
        groups: ['网信办-安全', 'soc'],
        roles: ['analyst', 'security-admin'],
        tenantCode: 'WXB',
      },
    ],
    [
      'u-10003',
      1,
      { subject: 'u-10003', username: 'u-10003', displayName: 'u-10003', groups: [], roles: [] },
    ],
    [
      'u-10004',
      0,
      {
        subject: 'u-10004',
        username: 'wangfang',
        displayName: '王芳',
        groups: ['soc'],
        roles: ['analyst'],
        tenantCode: 'GXT',
      },
    ],
  ])(
    '%s logs in; userinfo is asked %i time(s), only for claims missing from the ID token',
    async (account, userinfo, expected) => {
      const { callback, pending } = await authorize(account);
      expect(callback.searchParams.get('code')).toBeTruthy();
      const before = op.userinfoRequests;
      const identity = await login.finish(callback, pending);
      expect(identity).toStrictEqual({ issuer: op.issuer, ...expected });
      expect(op.userinfoRequests - before).toBe(userinfo);
    },
  );

  test('the callback may arrive on another origin (reverse proxy): the registered redirect_uri is used', async () => {
    const { callback, pending } = await authorize('u-10001');
    const seenByServer = new URL(`http://10.0.0.5:3000/api/v1/auth/oidc/callback${callback.search}`);
    await expect(login.finish(seenByServer, pending)).resolves.toMatchObject({ username: 'zhangwei' });
  });

  test('a tampered state is refused', async () => {
    const { callback, pending } = await authorize('u-10001');
    callback.searchParams.set('state', `${pending.state}x`);
    await expectOidcError(
      login.finish(callback, pending),
      'state mismatch: the callback does not belong to this login attempt',
    );
  });

  test('a login pending for more than 10 minutes is refused', async () => {
    const { callback, pending } = await authorize('u-10001');
    const stale = { ...pending, createdAt: Date.now() - 11 * 60 * 1000 };
    await expectOidcError(login.finish(callback, stale), 'login attempt expired (older than 10 minutes)');
  });

  test('a replayed authorization code is rejected by the OP', async () => {
    const { callback, pending } = await authorize('u-10001');
    await login.finish(callback, pending);
    await expectOidcError(
      login.finish(callback, pending),
      /^authorization code exchange failed: invalid_grant/,
    );
  });

  test('a user who denies consent comes back with error=access_denied', async () => {
    const { callback, pending } = await authorize('u-10002', 'deny');
    expect(callback.searchParams.get('code')).toBeNull();
    await expectOidcError(
      login.finish(callback, pending),
      'identity provider returned error=access_denied: End-User aborted interaction',
    );
  });

  test('an ID token minted for another login attempt (nonce mismatch) is refused', async () => {
    const { callback, pending } = await authorize('u-10001');
    const other = { ...pending, nonce: login.begin().pending.nonce };
    await expectOidcError(login.finish(callback, other), /^authorization code exchange failed: .*"nonce"/);
  });

  test('the OP enforces PKCE: a wrong code_verifier is rejected', async () => {
    const { callback, pending } = await authorize('u-10001');
    const other = { ...pending, codeVerifier: login.begin().pending.codeVerifier };
    await expectOidcError(
      login.finish(callback, other),
      /^authorization code exchange failed: invalid_grant/,
    );
  });

  test('discovery at a URL that is not the issuer fails with OidcError', async () => {
    await expectOidcError(
      OidcLogin.discover({ ...configFor(op), issuer: `${op.issuer}/elsewhere` }),
      `OIDC discovery for ${op.issuer}/elsewhere failed: unexpected HTTP response status code: HTTP 404`,
    );
  });
});

describe('OidcConfig validation', () => {
  const valid: OidcConfig = {
    issuer: 'https://sso.example.gov.cn/realms/yunshu',
    clientId: 'yunshu-console',
    clientSecret: 'secret',
    redirectUri: 'https://yunshu.example.gov.cn/api/v1/auth/oidc/callback',
    groupRoleMap: GROUP_ROLE_MAP,
  };

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['missing issuer', { issuer: undefined }, /issuer: /],
    [
      'issuer that is not a URL',
      { issuer: 'sso.example.gov.cn' },
      /issuer: must be an absolute http\(s\) URL/,
    ],
    ['http issuer', { issuer: 'http://sso.example.gov.cn' }, /issuer: must use https/],
    [
      'allowHttp for a non-loopback host',
      { allowHttp: true, redirectUri: 'http://yunshu.example.gov.cn/cb' },
      /redirectUri: http is only allowed for loopback hosts/,
    ],
    ['empty clientId', { clientId: '' }, /clientId: must not be empty/],
    ['missing clientSecret', { clientSecret: undefined }, /clientSecret: /],
    ['scopes without openid', { scopes: 'profile groups' }, /scopes: must include "openid"/],
    ['missing groupRoleMap', { groupRoleMap: undefined }, /groupRoleMap: /],
    ['a role list that is a string', { groupRoleMap: { soc: 'analyst' } }, /groupRoleMap\.soc: /],
    ['empty groupsClaim', { groupsClaim: '' }, /groupsClaim: must not be empty/],
    ['a misspelt option', { groupsClaims: 'roles' }, /groupsClaims/],
  ])('%s is refused, naming the field', async (_name, override, message) => {
    const discovery = OidcLogin.discover({ ...valid, ...override } as OidcConfig);
    await expectOidcError(discovery, /^invalid OIDC configuration: /);
    await expectOidcError(discovery, message);
  });
});

describe('mapGroupsToRoles', () => {
  test('unions the roles of all mapped groups, deduplicated and sorted', () => {
    expect(mapGroupsToRoles(['soc', '网信办-安全', 'soc'], GROUP_ROLE_MAP)).toEqual([
      'analyst',
      'security-admin',
    ]);
  });

  test('unmapped groups, including names of Object.prototype members, grant nothing', () => {
    expect(mapGroupsToRoles(['ops', 'constructor', '__proto__', 'toString'], GROUP_ROLE_MAP)).toEqual([]);
    expect(mapGroupsToRoles([], GROUP_ROLE_MAP)).toEqual([]);
  });
});
