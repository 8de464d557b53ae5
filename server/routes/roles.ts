/** Roles: the built-in ones (read-only) and custom ones made of known permissions. */
import { HttpError } from '../http/errors.js';
import { defineRoute, type RouteSpec } from '../http/route.js';
import type { AccountService } from '../identity/accounts.js';
import { unknownGrants } from '../identity/permissions.js';
import { RoleCreateSchema, RoleSchema, type Role } from '../model/role.js';
import type { User } from '../model/user.js';
import type { Store } from '../store/port.js';
import { IdParams, PageQuery, pageSchema, pagingOptions } from './paging.js';
import { z } from '../model/common.js';

function checkGrants(permissions: readonly string[]): void {
  const unknown = unknownGrants(permissions);
  if (unknown.length)
    throw new HttpError(
      400,
      `unknown permissions: ${unknown.join(', ')}`,
      unknown.map((p) => ({
        path: `body.permissions.${permissions.indexOf(p)}`,
        message: `unknown permission ${p}`,
      })),
    );
}

export function roleRoutes(deps: { accounts: AccountService }): RouteSpec[] {
  const roles = (store: Store) => store.collection<Role>('roles');
  const editable = async (store: Store, id: string): Promise<Role> => {
    const role = await roles(store).get(id);
    if (!role) throw new HttpError(404, 'not found');
    if (role.builtin) throw new HttpError(409, 'built-in roles cannot be changed or deleted');
    return role;
  };
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/roles',
      summary: 'List roles',
      tags: ['roles'],
      permission: 'roles:read',
      query: z.object(PageQuery),
      responses: { 200: { description: 'a page of roles', schema: pageSchema(RoleSchema, 'RolePage') } },
      handler: async ({ query, store }) => ({
        body: await roles(store).find({ sort: { field: 'name', dir: 'asc' }, ...pagingOptions(query) }),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/roles/:id',
      summary: 'One role',
      tags: ['roles'],
      permission: 'roles:read',
      params: IdParams,
      responses: { 200: { description: 'the role', schema: RoleSchema } },
      handler: async ({ params, store }) => {
        const role = await roles(store).get(params.id);
        if (!role) throw new HttpError(404, 'not found');
        return { body: role };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/roles',
      summary: 'Create a custom role',
      tags: ['roles'],
      permission: 'roles:create',
      body: RoleCreateSchema,
      audit: { action: 'role.create', targetType: 'role' },
      responses: { 201: { description: 'created', schema: RoleSchema } },
      handler: async ({ body, store, auditDetails }) => {
        checkGrants(body.permissions);
        const created = await roles(store).insert({
          ...body,
          id: body.name,
          schemaVersion: 1,
          builtin: false,
        });
        deps.accounts.rolesChanged();
        auditDetails({ permissions: created.permissions });
        return { status: 201, body: created };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/roles/:id',
      summary: 'Change a custom role',
      tags: ['roles'],
      permission: 'roles:update',
      params: IdParams,
      body: RoleCreateSchema.omit({ name: true }).partial(),
      audit: { action: 'role.update', targetType: 'role' },
      responses: { 200: { description: 'updated', schema: RoleSchema } },
      handler: async ({ params, body, store, auditDetails }) => {
        const before = await editable(store, params.id);
        if (body.permissions) checkGrants(body.permissions);
        const updated = await roles(store).update(params.id, body, { expectedVersion: before.version });
        deps.accounts.rolesChanged();
        auditDetails({ before: before.permissions, after: updated.permissions });
        return { body: updated };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/roles/:id',
      summary: 'Delete a custom role no user holds',
      tags: ['roles'],
      permission: 'roles:delete',
      params: IdParams,
      audit: { action: 'role.delete', targetType: 'role' },
      responses: { 204: { description: 'deleted' }, 409: { description: 'built in, or still held' } },
      handler: async ({ params, store }) => {
        await editable(store, params.id);
        // Roles are platform objects, so only platform-wide principals get here: the count sees every tenant.
        if ((await store.collection<User>('users').count({ roleIds: { has: params.id } })) > 0)
          throw new HttpError(409, 'the role is still held by users');
        await roles(store).delete(params.id);
        deps.accounts.rolesChanged();
        return { status: 204 };
      },
    }),
  ];
}
