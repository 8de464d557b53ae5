/** Tenants (委办局): the departments whose namespaces span clusters. */
import { randomUUID } from 'node:crypto';
import { HttpError } from '../http/errors.js';
import { defineRoute, type RouteSpec } from '../http/route.js';
import { z } from '../model/common.js';
import { TenantCreateSchema, TenantLevel, TenantSchema, type Tenant } from '../model/tenant.js';
import type { Store } from '../store/port.js';
import { IdParams, PageQuery, pageSchema, pagingOptions } from './paging.js';

const TenantQuery = z.object({
  ...PageQuery,
  parentId: z.string().max(128).optional().describe('Children of this tenant'),
  level: TenantLevel.optional(),
  q: z.string().max(128).optional().describe('Substring of the name'),
});

export function tenantRoutes(): RouteSpec[] {
  const tenants = (store: Store) => store.collection<Tenant>('tenants');
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/tenants',
      summary: 'List tenants',
      tags: ['tenants'],
      permission: 'tenants:read',
      query: TenantQuery,
      responses: {
        200: { description: 'a page of tenants', schema: pageSchema(TenantSchema, 'TenantPage') },
      },
      handler: async ({ query, store }) => ({
        body: await tenants(store).find({
          filter: {
            ...(query.parentId ? { parentId: query.parentId } : {}),
            ...(query.level ? { level: query.level } : {}),
            ...(query.q ? { name: { contains: query.q } } : {}),
          },
          sort: { field: 'code', dir: 'asc' },
          ...pagingOptions(query),
        }),
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/tenants/:id',
      summary: 'One tenant',
      tags: ['tenants'],
      permission: 'tenants:read',
      params: IdParams,
      responses: { 200: { description: 'the tenant', schema: TenantSchema } },
      handler: async ({ params, store }) => {
        const tenant = await tenants(store).get(params.id);
        if (!tenant) throw new HttpError(404, 'not found');
        return { body: tenant };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/tenants',
      summary: 'Create a tenant',
      tags: ['tenants'],
      permission: 'tenants:create',
      body: TenantCreateSchema,
      audit: { action: 'tenant.create', targetType: 'tenant' },
      responses: { 201: { description: 'created', schema: TenantSchema } },
      handler: async ({ body, store }) => {
        if (body.parentId && !(await tenants(store).get(body.parentId)))
          throw new HttpError(400, 'unknown parent tenant', [
            { path: 'body.parentId', message: 'unknown tenant' },
          ]);
        return {
          status: 201,
          body: await tenants(store).insert({ ...body, id: randomUUID(), schemaVersion: 1 }),
        };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/tenants/:id',
      summary: 'Change a tenant',
      tags: ['tenants'],
      permission: 'tenants:update',
      params: IdParams,
      body: TenantCreateSchema.partial(),
      audit: { action: 'tenant.update', targetType: 'tenant' },
      responses: { 200: { description: 'updated', schema: TenantSchema } },
      handler: async ({ params, body, store, auditDetails }) => {
        if (body.parentId === params.id)
          throw new HttpError(400, 'a tenant cannot be its own parent', [
            { path: 'body.parentId', message: 'self' },
          ]);
        auditDetails({ fields: Object.keys(body) });
        return { body: await tenants(store).update(params.id, body) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/tenants/:id',
      summary: 'Delete a tenant without child tenants',
      tags: ['tenants'],
      permission: 'tenants:delete',
      params: IdParams,
      audit: { action: 'tenant.delete', targetType: 'tenant' },
      responses: { 204: { description: 'deleted' }, 409: { description: 'has child tenants' } },
      handler: async ({ params, store }) => {
        if ((await tenants(store).count({ parentId: params.id })) > 0)
          throw new HttpError(409, 'the tenant still has child tenants');
        if (!(await tenants(store).delete(params.id))) throw new HttpError(404, 'not found');
        return { status: 204 };
      },
    }),
  ];
}
