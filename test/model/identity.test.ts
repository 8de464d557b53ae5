import {
  ApiTokenCreateSchema,
  ApiTokenSchema,
  AuditEntrySchema,
  PublicApiTokenSchema,
  PublicUserSchema,
  RoleCreateSchema,
  RoleSchema,
  TenantCreateSchema,
  TenantSchema,
  UserCreateSchema,
  UserSchema,
} from '../../server/model/index.js';
import { examples, issuePaths } from './examples.js';

describe('Tenant', () => {
  test('a provincial department mapping namespaces explicitly and by label', () => {
    const tenant = TenantSchema.parse(examples.tenants());
    expect(tenant.namespaceSelector?.matchExpressions[0]).toEqual({
      key: 'gov.cn/env',
      operator: 'In',
      values: ['prod', 'staging'],
    });
    expect(tenant.quotas.pods).toBeUndefined();
  });

  test('a county bureau under a city tenant, created with only the required fields', () => {
    const tenant = TenantCreateSchema.parse({
      name: '花溪区大数据局',
      code: 'hx-dsj',
      regionCode: '520111',
      regionName: '贵阳市花溪区',
      level: 'county',
      parentId: 'tenant-gy-dsj',
    });
    expect(tenant).toMatchObject({ namespaces: [], contacts: [], quotas: {}, labels: {} });
  });

  test.each([
    ['namespaceSelector.matchLabels', { namespaceSelector: {} }],
    [
      'namespaceSelector.matchExpressions.0.values',
      { namespaceSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } },
    ],
    [
      'namespaceSelector.matchExpressions.0.values',
      { namespaceSelector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] } },
    ],
    ['regionCode', { regionCode: '5200' }],
    ['level', { level: 'district' }],
    ['code', { code: '省大数据局' }],
    ['namespaces.0.namespace', { namespaces: [{ clusterId: 'c1', namespace: 'Bad_NS' }] }],
    ['contacts.0.email', { contacts: [{ name: '王芳', email: 'not-an-email' }] }],
    ['quotas.memoryBytes', { quotas: { memoryBytes: '1Ti' } }],
  ])('rejects a bad %s', (path, patch) => {
    expect(issuePaths(TenantSchema, { ...examples.tenants(), ...patch })).toEqual([path]);
  });
});

describe('User', () => {
  const oidcUser = () => {
    const { passwordHash: _p, ...user } = examples.users();
    return {
      ...user,
      source: 'oidc' as const,
      oidc: { issuer: 'https://sso.gz.gov.example/realms/gov', subject: 'f3a1' },
    };
  };

  test('local and OIDC users parse; the public shape drops the password hash', () => {
    const user = UserSchema.parse(examples.users());
    expect(user.passwordHash).toMatch(/^\$scrypt\$/);
    expect(UserSchema.parse(oidcUser()).oidc?.subject).toBe('f3a1');
    const publicUser = PublicUserSchema.parse(user);
    expect(publicUser).not.toHaveProperty('passwordHash');
    expect(publicUser).toMatchObject({ username: 'zhangwei', disabled: false, failedLoginCount: 1 });
  });

  test.each([
    ['passwordHash', { passwordHash: undefined }],
    ['passwordHash', { passwordHash: 'plaintext-password' }],
    ['oidc', { oidc: { issuer: 'https://sso.example', subject: 's' } }],
    ['username', { username: '张伟' }],
    ['email', { email: 'zhangwei@' }],
    ['lockedUntil', { lockedUntil: 'tomorrow' }],
    ['failedLoginCount', { failedLoginCount: -1 }],
  ])('rejects a local user with a bad %s', (path, patch) => {
    expect(issuePaths(UserSchema, { ...examples.users(), ...patch })).toEqual([path]);
  });

  test.each([
    ['oidc', { oidc: undefined }],
    ['passwordHash', { passwordHash: '$scrypt$x' }],
  ])('rejects an OIDC user with a bad %s', (path, patch) => {
    expect(issuePaths(UserSchema, { ...oidcUser(), ...patch })).toEqual([path]);
  });

  describe('creation', () => {
    const input = { username: 'lina', displayName: '李娜', source: 'local', roleIds: ['role-auditor'] };

    test('a local user gets a complex initial password, write-only', () => {
      expect(UserCreateSchema.parse({ ...input, password: 'Yunshu#2026' })).toMatchObject({
        disabled: false,
      });
    });

    test.each([
      ['password', { password: undefined }],
      ['password', { password: 'yunshu2026' }],
      ['password', { password: 'Ab#1' }],
      ['', { passwordHash: '$scrypt$x' }],
      ['', { failedLoginCount: 0 }],
    ])('rejects %s', (path, patch) => {
      expect(issuePaths(UserCreateSchema, { ...input, password: 'Yunshu#2026', ...patch })).toEqual([path]);
    });
  });
});

describe('Role', () => {
  test('a built-in 三员 role', () => {
    expect(RoleSchema.parse(examples.roles())).toMatchObject({ builtin: true, duty: 'security_admin' });
  });

  test('custom roles cannot claim to be built in', () => {
    const input = { name: 'tenant-viewer', permissions: ['alerts:read'], tenantScoped: true };
    expect(RoleCreateSchema.parse(input)).toMatchObject({ tenantScoped: true });
    expect(issuePaths(RoleCreateSchema, { ...input, builtin: true })).toEqual(['']);
  });

  test.each([
    ['permissions.0', { permissions: ['alerts'] }],
    ['permissions.0', { permissions: ['Alerts:Read'] }],
    ['duty', { duty: 'root' }],
    ['name', { name: 'SOC Analyst' }],
  ])('rejects a bad %s', (path, patch) => {
    expect(issuePaths(RoleSchema, { ...examples.roles(), ...patch })).toEqual([path]);
  });
});

describe('ApiToken', () => {
  test('the public shape drops the secret hash', () => {
    const token = ApiTokenSchema.parse(examples.api_tokens());
    expect(PublicApiTokenSchema.parse(token)).not.toHaveProperty('secretHash');
    expect(token.revokedAt).toBeUndefined();
  });

  test('creation takes a name, a permission subset and an expiry only', () => {
    const input = {
      name: 'soar-webhook',
      permissions: ['playbook_runs:create'],
      expiresAt: '2027-01-01T00:00:00.000Z',
    };
    expect(ApiTokenCreateSchema.parse(input)).toEqual(input);
    expect(issuePaths(ApiTokenCreateSchema, { ...input, ownerUserId: 'user-root' })).toEqual(['']);
    expect(issuePaths(ApiTokenCreateSchema, { ...input, permissions: [] })).toEqual(['permissions']);
  });

  test.each([
    ['secretHash', { secretHash: 'ysk_3fA9c2-the-secret-itself' }],
    ['prefix', { prefix: 'ysk' }],
    ['ownerUserId', { ownerUserId: '' }],
  ])('rejects a bad %s', (path, patch) => {
    expect(issuePaths(ApiTokenSchema, { ...examples.api_tokens(), ...patch })).toEqual([path]);
  });
});

describe('AuditEntry', () => {
  test('a hash-chained approval entry', () => {
    expect(AuditEntrySchema.parse(examples.audit_entries())).toMatchObject({ seq: 128, result: 'success' });
  });

  test('the genesis entry chains to 64 zeros', () => {
    const genesis = { ...examples.audit_entries(), seq: 1, prevHash: '0'.repeat(64), tenantId: undefined };
    expect(AuditEntrySchema.parse(genesis).details).toEqual({ stepId: 'delete-pod' });
  });

  test.each([
    ['hash', { hash: 'ABCDEF'.repeat(10) + 'ABCD' }],
    ['prevHash', { prevHash: 'a'.repeat(63) }],
    ['seq', { seq: 0 }],
    ['action', { action: 'approve' }],
    ['action', { action: 'Cluster.Create' }],
    ['actor.type', { actor: { type: 'robot', id: 'x' } }],
    ['result', { result: 'ok' }],
    ['sourceIp', { sourceIp: 'localhost' }],
  ])('rejects a bad %s', (path, patch) => {
    expect(issuePaths(AuditEntrySchema, { ...examples.audit_entries(), ...patch })).toEqual([path]);
  });
});
