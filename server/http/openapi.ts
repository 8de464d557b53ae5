/** The OpenAPI 3.1 document, generated from the route declarations and their zod schemas. */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from '../model/common.js';
import { registerOpenApi, type RouteSpec } from './route.js';

export const ErrorBodySchema = z
  .object({
    error: z.string().describe('What went wrong, in one sentence'),
    details: z
      .array(
        z.object({
          path: z.string().describe('Where: body.field.sub, query.name, params.id'),
          message: z.string().describe('What is wrong with that value'),
        }),
      )
      .describe('One entry per offending field'),
  })
  .openapi('Error');

export function buildOpenApiDocument(routes: readonly RouteSpec[], version: string): unknown {
  const registry = new OpenAPIRegistry();
  registry.register('Error', ErrorBodySchema);
  registry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer' });
  for (const route of routes) registerOpenApi(registry, route);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Yunshu 云枢 API',
      version,
      description: 'Multi-cloud government-cloud management and security operations.',
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }],
  });
}
