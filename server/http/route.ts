/**
 * Routes are declared once, with zod schemas for params, query and body: the same declaration
 * validates requests, types the handler, and writes the OpenAPI document.
 */
import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import type { NextFunction, Request, Response, Router } from 'express';
import type { z, ZodObject, ZodType } from 'zod';
import { validationError } from './errors.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Content type when the body is not JSON (a string or Buffer is sent as is). */
  contentType?: string;
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  req: Request;
  res: Response;
}

export interface RouteSpec<
  P extends ZodObject = ZodObject,
  Q extends ZodObject = ZodObject,
  B extends ZodType = ZodType,
> {
  method: Method;
  /** Express-style path, e.g. `/api/v1/clusters/:id`. */
  path: string;
  summary: string;
  tags: string[];
  /** No credentials needed (health, login, the OpenAPI document). Everything else is authenticated. */
  public?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  responses: Record<number, { description: string; schema?: ZodType; contentType?: string }>;
  handler(ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>): Promise<Reply> | Reply;
}

/** Keeps the schema-to-handler typing when routes are collected into arrays. */
export function defineRoute<P extends ZodObject, Q extends ZodObject, B extends ZodType>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec {
  return spec as unknown as RouteSpec;
}

export const openApiPath = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function parse(schema: ZodType | undefined, value: unknown, location: string): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, location);
  return result.data;
}

export function mountRoute(router: Router, route: RouteSpec): void {
  router[route.method](route.path, async (req: Request, res: Response, next: NextFunction) => {
    try {
      const ctx = {
        params: parse(route.params, req.params, 'params'),
        query: parse(route.query, req.query, 'query'),
        body: parse(route.body, req.body, 'body'),
        req,
        res,
      } as RouteContext<never, never, never>;
      const reply = await route.handler(ctx);
      if (res.headersSent) return;
      if (reply.headers) res.set(reply.headers);
      res.status(reply.status ?? 200);
      if (reply.body === undefined) res.end();
      else if (reply.contentType) res.type(reply.contentType).send(reply.body);
      else res.json(reply.body);
    } catch (error) {
      next(error);
    }
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
    ...(route.public ? { security: [] } : {}),
    request: {
      ...(route.params ? { params: route.params } : {}),
      ...(route.query ? { query: route.query } : {}),
      ...(route.body ? { body: { content: { 'application/json': { schema: route.body } }, required: true } } : {}),
    },
    responses,
  });
}
