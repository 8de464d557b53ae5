/** Builds the Express application from its parts; main.ts wires it to a port. */
import express, { type Express } from 'express';
import helmet from 'helmet';
import { errorHandler, notFoundHandler } from './http/errors.js';
import { buildOpenApiDocument } from './http/openapi.js';
import { mountRoute, type RouteSpec } from './http/route.js';
import type { Logger } from './logger.js';
import { healthRoutes } from './routes/health.js';
import type { Store } from './store/port.js';

export interface AppDeps {
  store: Store;
  logger: Logger;
  version: string;
  /** Feature routes; health and OpenAPI routes are always added. */
  routes?: readonly RouteSpec[];
  /** Largest JSON body accepted. */
  bodyLimit?: string;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: { defaultSrc: ["'self'"], frameAncestors: ["'none'"], objectSrc: ["'none'"] },
      },
    }),
  );
  app.use(express.json({ limit: deps.bodyLimit ?? '1mb', strict: false }));

  let openApi: unknown;
  const routes: RouteSpec[] = [];
  // The document is generated on first request, once every route is known.
  routes.push(...healthRoutes(deps.store, () => (openApi ??= buildOpenApiDocument(routes, deps.version))));
  routes.push(...(deps.routes ?? []));

  const router = express.Router();
  for (const route of routes) mountRoute(router, route);
  app.use(router);
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
