/**
 * The role table in docs/roles.md is the contract: every built-in role may call exactly the routes
 * whose permission the table marks ✓ for it, and gets 403 from every other protected route.
 */
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { BUILTIN_ROLES } from '../../server/identity/builtin-roles.js';
import { grantsCover, PERMISSIONS } from '../../server/identity/permissions.js';
import { testApp, type TestApp } from '../support/test-app.js';

const DOC = new URL('../../docs/roles.md', import.meta.url);

/** permission → role → allowed, from the markdown table. */
function readMatrix(): { roles: string[]; allowed: Map<string, Map<string, boolean>> } {
  const rows = readFileSync(DOC, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  const header = rows.findIndex((cells) => cells[0] === 'permission');
  const roles = rows[header]!.slice(1);
  const allowed = new Map<string, Map<string, boolean>>();
  for (const cells of rows.slice(header + 2)) {
    const permission = cells[0]!.replaceAll('`', '');
    allowed.set(permission, new Map(roles.map((role, i) => [role, cells[i + 1] === '✓'])));
  }
  return { roles, allowed };
}

interface Operation {
  method: string;
  path: string;
  permission: string;
}

describe('role matrix (docs/roles.md)', () => {
  const matrix = readMatrix();
  let t: TestApp;
  let operations: Operation[];
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    t = await testApp();
    const doc = (await request(t.app).get('/api/v1/openapi.json')).body;
    operations = Object.entries<Record<string, { 'x-permission'?: string }>>(doc.paths).flatMap(
      ([path, ops]) =>
        Object.entries(ops)
          .filter(([, op]) => op['x-permission'] && op['x-permission'] !== 'self')
          .map(([method, op]) => ({ method, path, permission: op['x-permission']! })),
    );
    for (const role of BUILTIN_ROLES) {
      await t.user({
        username: `u-${role.id}`,
        roleIds: [role.id],
        ...(role.tenantScoped ? { tenantId: 't1' } : {}),
      });
      tokens.set(role.id, await t.login(`u-${role.id}`));
    }
  });
  afterAll(() => t.close());

  test('the table lists every permission and every built-in role', () => {
    expect([...matrix.allowed.keys()].sort()).toEqual([...PERMISSIONS].sort());
    expect(matrix.roles).toEqual(BUILTIN_ROLES.map((r) => r.id));
  });

  test('the table says what the role definitions grant', () => {
    for (const role of BUILTIN_ROLES)
      for (const permission of PERMISSIONS)
        expect([role.id, permission, grantsCover(role.permissions, permission)]).toEqual([
          role.id,
          permission,
          matrix.allowed.get(permission)!.get(role.id),
        ]);
  });

  test('no user holds all three officer duties by default', () => {
    const duties = BUILTIN_ROLES.filter((r) => r.duty).map((r) => [r.id, r.duty]);
    expect(duties).toEqual([
      ['system-admin', 'system_admin'],
      ['security-admin', 'security_admin'],
      ['audit-admin', 'audit_admin'],
    ]);
    const auditAdmin = BUILTIN_ROLES.find((r) => r.id === 'audit-admin')!;
    expect(auditAdmin.permissions.every((p) => p.endsWith(':read') || p.startsWith('audit:'))).toBe(true);
  });

  test('every route documents a known permission', () => {
    expect(operations.length).toBeGreaterThan(15);
    for (const op of operations)
      expect([op.path, PERMISSIONS.includes(op.permission as never)]).toEqual([op.path, true]);
  });

  test('each role is allowed and denied on every route exactly as documented', async () => {
    const mismatches: string[] = [];
    for (const role of BUILTIN_ROLES) {
      for (const op of operations) {
        const url = op.path.replace(/\{[^}]+\}/g, 'does-not-exist');
        const send = request(t.app)[op.method as 'get'];
        const res = await send(url)
          .set('Authorization', `Bearer ${tokens.get(role.id)}`)
          .send({});
        const documented = matrix.allowed.get(op.permission)!.get(role.id)!;
        const denied = res.status === 403;
        if (denied === documented)
          mismatches.push(`${role.id} ${op.method.toUpperCase()} ${op.path}: ${res.status}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
