/** Liveness, readiness and the API description: the only routes that need no credentials. */
import { z } from '../model/common.js';
import { defineRoute, type RouteSpec } from '../http/route.js';
import type { Store } from '../store/port.js';

const HealthSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']).describe('ok when the part answers'),
    checks: z
      .record(z.string(), z.object({ ok: z.boolean(), message: z.string().optional() }))
      .optional()
      .describe('Per dependency: whether it answered'),
  })
  .openapi('Health');

const READY_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function healthRoutes(store: Store, openApiDocument: () => unknown): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the process serves requests',
      tags: ['health'],
      public: true,
      responses: { 200: { description: 'alive', schema: HealthSchema } },
      handler: () => ({ body: { status: 'ok' } }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: the store answers',
      tags: ['health'],
      public: true,
      responses: {
        200: { description: 'ready', schema: HealthSchema },
        503: { description: 'a dependency is unavailable', schema: HealthSchema },
      },
      handler: async () => {
        try {
          await withTimeout(store.ping(), READY_TIMEOUT_MS, `${store.kind} store`);
          return { body: { status: 'ok', checks: { store: { ok: true, message: store.kind } } } };
        } catch (error) {
          return {
            status: 503,
            body: {
              status: 'unavailable',
              checks: { store: { ok: false, message: (error as Error).message } },
            },
          };
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/openapi.json',
      summary: 'This API, as an OpenAPI 3.1 document',
      tags: ['health'],
      public: true,
      responses: { 200: { description: 'the OpenAPI document' } },
      handler: () => ({ body: openApiDocument() }),
    }),
  ];
}
