/** Builds the Express application from its parts; main.ts wires it to a port. */
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { authenticate } from './http/authenticate.js';
import { errorHandler, notFoundHandler } from './http/errors.js';
import { buildOpenApiDocument } from './http/openapi.js';
import { mountRoute, type RouteSpec } from './http/route.js';
import type { Logger } from './logger.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { clusterRoutes } from './routes/clusters.js';
import { healthRoutes } from './routes/health.js';
import { inventoryRoutes } from './routes/inventory.js';
import { usageRoutes } from './routes/usage.js';
import { oidcRoutes } from './routes/oidc.js';
import { roleRoutes } from './routes/roles.js';
import { tenantRoutes } from './routes/tenants.js';
import { tokenRoutes } from './routes/tokens.js';
import { userRoutes } from './routes/users.js';
import type { Services } from './services.js';
import { SCOPE_RULES } from './tenancy/scope-rules.js';

export interface AppDeps {
  services: Services;
  logger: Logger;
  version: string;
  /** false for worker processes: health and the OpenAPI document only. Default true. */
  apiRoutes?: boolean;
  /** Extra routes (tests, later features); the platform's own routes are always there. */
  routes?: readonly RouteSpec[];
  /** Largest JSON body accepted. */
  bodyLimit?: string;
  /** The built console (dist/web), served with an index.html fallback for client-side routes. */
  webRoot?: string;
}

/** Every API route of the platform, in the order they are documented. */
export function platformRoutes(services: Services): RouteSpec[] {
  return [
    ...authRoutes(services),
    ...(services.oidc ? oidcRoutes({ ...services, oidc: services.oidc }) : []),
    ...userRoutes(services),
    ...roleRoutes(services),
    ...tokenRoutes(services),
    ...tenantRoutes(),
    ...clusterRoutes(services),
    ...inventoryRoutes(services),
    ...usageRoutes(),
    ...auditRoutes(services),
  ];
}

export function createApp(deps: AppDeps): Express {
  const { services } = deps;
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
  const json = express.json({ limit: deps.bodyLimit ?? '1mb', strict: false });
  // Receivers read their (larger, possibly NDJSON) bodies as text themselves.
  app.use((req, res, next) => (req.path.startsWith('/api/v1/ingest/') ? next() : json(req, res, next)));
  app.use(cookieParser());
  app.use(authenticate(services));

  let openApi: unknown;
  const routes: RouteSpec[] = [];
  // The document is generated on first request, once every route is known.
  routes.push(
    ...healthRoutes(services.store, () => (openApi ??= buildOpenApiDocument(routes, deps.version))),
  );
  if (deps.apiRoutes !== false) routes.push(...platformRoutes(services), ...(deps.routes ?? []));

  const router = express.Router();
  const runtime = { store: services.store, scopeRules: SCOPE_RULES, audit: services.audit };
  for (const route of routes) mountRoute(router, route, runtime);
  app.use(router);
  if (deps.webRoot) {
    const webRoot = deps.webRoot;
    app.use(express.static(webRoot, { index: 'index.html', maxAge: '1h' }));
    app.get(/^\/(?!api\/|healthz$|readyz$).*/, (_req, res) => res.sendFile('index.html', { root: webRoot }));
  }
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
