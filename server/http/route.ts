/**
 * Routes are declared once, with zod schemas for params, query and body: the same declaration
 * validates requests, types the handler, writes the OpenAPI document, and states the permission
 * the route needs and the audit action it records. mountRoute() enforces all of it, so no route can
 * forget authentication, authorization, tenant scoping or auditing.
 */
import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { once } from 'node:events';
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import type { z, ZodObject, ZodType } from 'zod';
import type { AuditSink } from '../identity/accounts.js';
import type { PermissionName } from '../identity/permissions.js';
import { actorOf, can, type Principal } from '../identity/principal.js';
import type { ObjectRef } from '../model/fragments.js';
import type { Store } from '../store/port.js';
import { scopeStore, type ScopeRule } from '../tenancy/scoped-store.js';
import { HttpError, statusOf, validationError } from './errors.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Content type when the body is not JSON (a string or Buffer is sent as is). */
  contentType?: string;
  /** A body too large to hold: sent chunk by chunk, with `contentType`. */
  stream?: AsyncIterable<string>;
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Undefined only on public routes. */
  principal: Principal;
  /** The store as this principal may see it (tenant-scoped). */
  store: Store;
  req: Request;
  res: Response;
  /** Adds details to this request's audit entry (never secrets). */
  auditDetails(details: Record<string, unknown>): void;
}

export interface AuditSpec {
  /** `resource.verb`, e.g. `user.create`. */
  action: string;
  /** The object acted on; by default `{ type, id: params.id ?? reply body id }`. */
  targetType: string;
}

interface RouteBase<P extends ZodObject, Q extends ZodObject, B extends ZodType> {
  method: Method;
  /** Express-style path, e.g. `/api/v1/clusters/:id`. */
  path: string;
  summary: string;
  tags: string[];
  params?: P;
  query?: Q;
  body?: B;
  responses: Record<number, { description: string; schema?: ZodType; contentType?: string }>;
  /** Writes are audited; reads may be (e.g. audit export). */
  audit?: AuditSpec;
  /** Runs before validation, e.g. a rate limit. */
  middleware?: RequestHandler[];
  handler(ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>): Promise<Reply> | Reply;
}

/** Authenticated routes name the permission they need. */
interface ProtectedRoute<P extends ZodObject, Q extends ZodObject, B extends ZodType> extends RouteBase<
  P,
  Q,
  B
> {
  public?: false;
  permission: PermissionName | 'self';
}

/** No credentials needed: health, login, the OpenAPI document. They audit themselves if at all. */
interface PublicRoute<P extends ZodObject, Q extends ZodObject, B extends ZodType> extends RouteBase<
  P,
  Q,
  B
> {
  public: true;
  permission?: undefined;
}

export type RouteSpec<
  P extends ZodObject = ZodObject,
  Q extends ZodObject = ZodObject,
  B extends ZodType = ZodType,
> = ProtectedRoute<P, Q, B> | PublicRoute<P, Q, B>;

const WRITE_METHODS = new Set<Method>(['post', 'put', 'patch', 'delete']);

/** Keeps the schema-to-handler typing when routes are collected into arrays. */
export function defineRoute<P extends ZodObject, Q extends ZodObject, B extends ZodType>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec {
  if (!spec.public && WRITE_METHODS.has(spec.method) && !spec.audit)
    throw new Error(`${spec.method.toUpperCase()} ${spec.path}: a write route must declare its audit action`);
  return spec as unknown as RouteSpec;
}

export const openApiPath = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function parse(schema: ZodType | undefined, value: unknown, location: string): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, location);
  return result.data;
}

/** What mounted routes share: the store, how collections scope, and where audit goes. */
export interface RouteRuntime {
  store: Store;
  scopeRules: Readonly<Record<string, ScopeRule>>;
  audit: AuditSink;
}

/** The principal authenticate() attached to the response, if any. */
export const principalOf = (res: Response): Principal | undefined =>
  res.locals.principal as Principal | undefined;

function targetOf(route: RouteSpec, req: Request, reply: Reply | undefined): ObjectRef | undefined {
  if (!route.audit) return undefined;
  const fromBody = (reply?.body as { id?: unknown } | undefined)?.id;
  const param = req.params.id;
  const id = typeof param === 'string' ? param : typeof fromBody === 'string' ? fromBody : undefined;
  return id ? { type: route.audit.targetType, id } : undefined;
}

export function mountRoute(router: Router, route: RouteSpec, runtime: RouteRuntime): void {
  router[route.method](
    route.path,
    ...(route.middleware ?? []),
    async (req: Request, res: Response, next: NextFunction) => {
      const principal = principalOf(res);
      const details: Record<string, unknown> = {};
      let reply: Reply | undefined;
      try {
        if (!route.public) {
          if (!principal)
            throw new HttpError(401, 'authentication required', [], { 'WWW-Authenticate': 'Bearer' });
          if (route.permission !== 'self' && !can(principal, route.permission))
            throw new HttpError(403, `permission ${route.permission} required`, [
              { path: 'permission', message: route.permission },
            ]);
        }
        const ctx = {
          params: parse(route.params, req.params, 'params'),
          query: parse(route.query, req.query, 'query'),
          body: parse(route.body, req.body, 'body'),
          principal: principal!,
          store: principal ? scopeStore(runtime.store, principal, runtime.scopeRules) : runtime.store,
          req,
          res,
          auditDetails: (more: Record<string, unknown>) => Object.assign(details, more),
        } as unknown as RouteContext<never, never, never>;
        reply = await route.handler(ctx);
      } catch (error) {
        await record(runtime, route, req, principal, undefined, details, error);
        return next(error);
      }
      try {
        await record(runtime, route, req, principal, reply, details);
      } catch (error) {
        // An action that cannot be audited must not be reported as done.
        return next(error);
      }
      if (res.headersSent) return;
      if (reply.headers) res.set(reply.headers);
      res.status(reply.status ?? 200);
      if (reply.stream) await send(res, reply.stream, reply.contentType ?? 'text/plain');
      else if (reply.body === undefined) res.end();
      else if (reply.contentType) res.type(reply.contentType).send(reply.body);
      else res.json(reply.body);
    },
  );
}

async function send(res: Response, stream: AsyncIterable<string>, contentType: string): Promise<void> {
  res.type(contentType);
  try {
    for await (const chunk of stream) if (!res.write(chunk)) await once(res, 'drain');
    res.end();
  } catch (error) {
    // Headers are gone; all that is left is to cut the response so the client sees it incomplete.
    res.destroy(error as Error);
  }
}

/** Audits writes (and audited reads) once the outcome is known; refusals of anything are audited too. */
async function record(
  runtime: RouteRuntime,
  route: RouteSpec,
  req: Request,
  principal: Principal | undefined,
  reply: Reply | undefined,
  details: Record<string, unknown>,
  error?: unknown,
): Promise<void> {
  if (!principal) return;
  const status = error === undefined ? (reply?.status ?? 200) : statusOf(error);
  const denied = status === 403;
  if (!route.audit && !denied) return;
  const target = targetOf(route, req, reply);
  await runtime.audit.append({
    actor: actorOf(principal),
    ...(principal.tenantIds?.length === 1 ? { tenantId: principal.tenantIds[0]! } : {}),
    action: route.audit?.action ?? 'api.access',
    ...(target ? { target } : {}),
    result: error === undefined ? 'success' : denied ? 'denied' : 'failure',
    ...(req.ip ? { sourceIp: req.ip } : {}),
    details: {
      ...details,
      method: req.method,
      path: req.path,
      ...(error === undefined ? {} : { status, error: (error as Error).message }),
    },
  });
}

export function registerOpenApi(registry: OpenAPIRegistry, route: RouteSpec): void {
  const responses: Record<number, ResponseConfig> = {};
  for (const [status, response] of Object.entries(route.responses))
    responses[Number(status)] = {
      description: response.description,
      ...(response.schema
        ? { content: { [response.contentType ?? 'application/json']: { schema: response.schema } } }
        : {}),
    };
  registry.registerPath({
    method: route.method,
    path: openApiPath(route.path),
    summary: route.summary,
    tags: route.tags,
    ...(route.public ? { security: [] } : { 'x-permission': route.permission }),
    request: {
      ...(route.params ? { params: route.params } : {}),
      ...(route.query ? { query: route.query } : {}),
      ...(route.body
        ? { body: { content: { 'application/json': { schema: route.body } }, required: true } }
        : {}),
    },
    responses,
  });
}
