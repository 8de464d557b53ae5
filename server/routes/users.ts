/** User accounts: listing, creation, updates, role assignment under the 三员 separation. */
import { randomUUID } from 'node:crypto';
import { HttpError } from '../http/errors.js';
import { defineRoute, type RouteSpec } from '../http/route.js';
import { hashPassword } from '../identity/passwords.js';
import { can, type Principal } from '../identity/principal.js';
import type { SessionService } from '../identity/sessions.js';
import { z } from '../model/common.js';
import type { Role } from '../model/role.js';
import { Password, PublicUserSchema, UserCreateSchema, type PublicUser, type User } from '../model/user.js';
import type { Store } from '../store/port.js';
import { IdParams, PageQuery, pageSchema, pagingOptions } from './paging.js';

export interface UserRouteDeps {
  sessions: SessionService;
}

export function publicUser(user: User): PublicUser {
  const { passwordHash: _hash, ...rest } = user;
  return rest;
}

const UserQuery = z.object({
  ...PageQuery,
  tenantId: z.string().max(128).optional().describe('Only users of this tenant'),
  q: z.string().max(128).optional().describe('Substring of the username'),
});

const UserPatch = z
  .strictObject({
    displayName: z.string().min(1).max(128).optional(),
    email: z.email().optional(),
    disabled: z.boolean().optional().describe('Disabling also ends the user’s sessions'),
    password: Password.optional().describe('Reset the password (local users)'),
  })
  .openapi('UserPatch');

const RoleAssignment = z
  .strictObject({ roleIds: z.array(z.string().min(1).max(256)).max(32) })
  .openapi('RoleAssignment');

/**
 * Checks a set of roles for a user: the roles exist; tenant-scoped roles only for tenant users;
 * at most one 三员 duty class per user.
 */
async function checkRoles(
  store: Store,
  roleIds: readonly string[],
  tenantId: string | undefined,
): Promise<void> {
  const roles = store.collection<Role>('roles');
  const duties = new Set<string>();
  for (const [i, id] of roleIds.entries()) {
    const role = await roles.get(id);
    const path = `body.roleIds.${i}`;
    if (!role) throw new HttpError(400, `unknown role ${id}`, [{ path, message: 'unknown role' }]);
    if (role.tenantScoped && !tenantId)
      throw new HttpError(400, `role ${id} is for tenant users only`, [
        { path, message: 'needs a tenant user' },
      ]);
    if (role.duty) duties.add(role.duty);
  }
  if (duties.size > 1)
    throw new HttpError(
      400,
      `one user may not hold several officer duties (三员分立): ${[...duties].join(', ')}`,
      [{ path: 'body.roleIds', message: 'separation of duties' }],
    );
}

/** A tenant-scoped creator creates users in its own tenant only. */
function tenantForNewUser(principal: Principal, requested: string | undefined): string | undefined {
  if (!principal.tenantIds) return requested;
  if (requested && !principal.tenantIds.includes(requested))
    throw new HttpError(404, 'not found', [{ path: 'body.tenantId', message: 'unknown tenant' }]);
  return requested ?? principal.tenantIds[0];
}

export function userRoutes(deps: UserRouteDeps): RouteSpec[] {
  const users = (store: Store) => store.collection<User>('users');
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/users',
      summary: 'List users',
      tags: ['users'],
      permission: 'users:read',
      query: UserQuery,
      responses: {
        200: { description: 'a page of users', schema: pageSchema(PublicUserSchema, 'UserPage') },
      },
      handler: async ({ query, store }) => {
        const page = await users(store).find({
          filter: {
            ...(query.tenantId ? { tenantId: query.tenantId } : {}),
            ...(query.q ? { username: { contains: query.q } } : {}),
          },
          sort: { field: 'username', dir: 'asc' },
          ...pagingOptions(query),
        });
        return { body: { ...page, items: page.items.map(publicUser) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/users/:id',
      summary: 'One user',
      tags: ['users'],
      permission: 'users:read',
      params: IdParams,
      responses: {
        200: { description: 'the user', schema: PublicUserSchema },
        404: { description: 'no such user' },
      },
      handler: async ({ params, store }) => {
        const user = await users(store).get(params.id);
        if (!user) throw new HttpError(404, 'not found');
        return { body: publicUser(user) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/users',
      summary: 'Create a user',
      tags: ['users'],
      permission: 'users:create',
      body: UserCreateSchema,
      audit: { action: 'user.create', targetType: 'user' },
      responses: { 201: { description: 'created', schema: PublicUserSchema } },
      handler: async ({ body, principal, store, auditDetails }) => {
        if (body.roleIds.length && !can(principal, 'users:assign_roles'))
          throw new HttpError(403, 'permission users:assign_roles required to give roles', [
            { path: 'body.roleIds', message: 'users:assign_roles required' },
          ]);
        const tenantId = tenantForNewUser(principal, body.tenantId);
        await checkRoles(store, body.roleIds, tenantId);
        const { password, ...fields } = body;
        const created = await users(store).insert({
          ...fields,
          id: randomUUID(),
          schemaVersion: 1,
          ...(tenantId ? { tenantId } : {}),
          failedLoginCount: 0,
          ...(password
            ? { passwordHash: await hashPassword(password), passwordChangedAt: new Date().toISOString() }
            : {}),
        });
        auditDetails({ username: created.username, roleIds: created.roleIds, tenantId });
        return { status: 201, body: publicUser(created) };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/users/:id',
      summary: 'Update a user (profile, disable, password reset)',
      tags: ['users'],
      permission: 'users:update',
      params: IdParams,
      body: UserPatch,
      audit: { action: 'user.update', targetType: 'user' },
      responses: { 200: { description: 'updated', schema: PublicUserSchema } },
      handler: async ({ params, body, store, auditDetails }) => {
        const { password, ...fields } = body;
        const current = await users(store).get(params.id);
        if (!current) throw new HttpError(404, 'not found');
        if (password && current.source !== 'local')
          throw new HttpError(400, 'OIDC users have no password here', [
            { path: 'body.password', message: 'oidc user' },
          ]);
        const updated = await users(store).update(params.id, {
          ...fields,
          ...(password
            ? { passwordHash: await hashPassword(password), passwordChangedAt: new Date().toISOString() }
            : {}),
        });
        if (password || body.disabled) await deps.sessions.revokeAllFor(params.id);
        auditDetails({ fields: Object.keys(body) });
        return { body: publicUser(updated) };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/v1/users/:id/roles',
      summary: 'Set the roles of a user (security admin)',
      tags: ['users'],
      permission: 'users:assign_roles',
      params: IdParams,
      body: RoleAssignment,
      audit: { action: 'user.assign_roles', targetType: 'user' },
      responses: { 200: { description: 'updated', schema: PublicUserSchema } },
      handler: async ({ params, body, store, auditDetails }) => {
        const current = await users(store).get(params.id);
        if (!current) throw new HttpError(404, 'not found');
        await checkRoles(store, body.roleIds, current.tenantId);
        const updated = await users(store).update(params.id, { roleIds: body.roleIds });
        auditDetails({ before: current.roleIds, after: body.roleIds });
        return { body: publicUser(updated) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/users/:id',
      summary: 'Delete a user',
      tags: ['users'],
      permission: 'users:delete',
      params: IdParams,
      audit: { action: 'user.delete', targetType: 'user' },
      responses: { 204: { description: 'deleted' } },
      handler: async ({ params, principal, store }) => {
        if (params.id === principal.userId) throw new HttpError(409, 'you cannot delete your own account');
        if (!(await users(store).delete(params.id))) throw new HttpError(404, 'not found');
        await deps.sessions.revokeAllFor(params.id);
        return { status: 204 };
      },
    }),
  ];
}
