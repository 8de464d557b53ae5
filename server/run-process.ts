/**
 * Starts a Yunshu process: configuration → store → services → HTTP server, with graceful shutdown
 * on SIGTERM/SIGINT. The `app` role serves the API and the console (and collects unless told not
 * to); the `worker` role collects and answers only health probes.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { openStore } from './store/open-store.js';
import type { DemoFleet } from '../collectors/demo-fleet/types.js';
import { OciImagePlatformResolver } from '../collectors/heterogeneity/image-platforms.js';
import { CollectionRuntime } from './collection/collection-runtime.js';
import { ClusterShards } from './coordination/cluster-shards.js';
import { MemoryLeaseStore } from './coordination/memory-lease-store.js';
import { RedisLeaseStore } from './coordination/redis-lease-store.js';
import { hasRealClusters, seedDemoFleet } from './collection/demo-seed.js';
import { DemoSecurityFeed } from './collection/demo-security-feed.js';
import { DetectionRuntime } from './detection/detection-runtime.js';
import type { NewSecurityEvent } from './ingest/normalize/index.js';
import { loadMasterKey } from './secrets/master-key.js';
import { createServices, STORE_COLLECTIONS } from './services.js';
import { VERSION } from './version.js';

const HOUSEKEEPING_MS = 60 * 60_000;

export type ProcessRole = 'app' | 'worker';

export async function runProcess(role: ProcessRole): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const store = await openStore(config.store, STORE_COLLECTIONS);
  logger.info({ store: store.kind, dataDir: config.dataDir }, 'store open');

  const masterKey = await loadMasterKey({ env: config.masterKey, dataDir: config.dataDir, logger });
  const services = createServices(store, {
    auditRetentionDays: config.auditRetentionDays,
    masterKey,
    ...(config.oidc ? { oidc: config.oidc } : {}),
    ...(config.imagePlatformLookup ? { imagePlatforms: new OciImagePlatformResolver() } : {}),
  });
  await services.accounts.ensureBuiltinRoles();
  for (const account of await services.accounts.bootstrap(config.bootstrapPasswords)) {
    // Printed once, at the first start only: the operator must note it and change it.
    if (account.generatedPassword)
      logger.warn(
        { username: account.username, initialPassword: account.generatedPassword },
        `first start: created account ${account.username}; change this generated password after logging in`,
      );
    else logger.info({ username: account.username }, `first start: created account ${account.username}`);
  }
  // Receivers, rules, alerts and incidents live with the API.
  let detection: DetectionRuntime | undefined;
  if (role === 'app') {
    detection = new DetectionRuntime({
      store,
      audit: services.audit,
      onError: (error, what) => logger.warn({ err: error }, `detection: ${what} failed`),
    });
    const { replayed } = await detection.start();
    logger.info({ rules: detection.registry.engine.list().length, replayed }, 'detection ready');
    for (const [id, reason] of detection.registry.loadErrors)
      logger.warn({ ruleId: id, reason }, 'rule not loaded');
  }
  let demo: DemoFleet | undefined;
  let collection: CollectionRuntime | undefined;
  let redis: Redis | undefined;
  if (config.collect) {
    if (config.demo === 'on' || (config.demo === 'auto' && !(await hasRealClusters(store)))) {
      demo = await seedDemoFleet(store, services.secrets);
      logger.info(
        { clusters: demo.clusters.map((c) => c.spec.id) },
        'demo fleet running (演示数据, demo data)',
      );
    }
    // With Redis, the collecting processes split the clusters through leases; alone, one owns all.
    if (config.redisUrl) {
      redis = new Redis(config.redisUrl);
      redis.on('error', (error: unknown) => logger.warn({ err: error }, 'redis connection error'));
    }
    const shards = new ClusterShards({ leases: redis ? new RedisLeaseStore(redis) : new MemoryLeaseStore() });
    logger.info({ owner: shards.owner, leases: redis ? 'redis' : 'memory' }, 'cluster sharding');
    const pipeline = detection?.pipeline;
    collection = new CollectionRuntime({
      store,
      secrets: services.secrets,
      logger,
      shards,
      // Findings pulled from the clusters (Trivy-operator reports) join the receivers' events.
      ...(pipeline
        ? {
            securityEvents: async (clusterId: string, events: NewSecurityEvent[]) => {
              await pipeline.ingest({
                source: 'trivy',
                payload: events,
                clusterId,
                normalize: () => ({ events, rejected: [], skipped: 0 }),
              });
            },
          }
        : {}),
    });
    services.fleet = collection;
    await collection.start();
  }

  const demoSecurity = demo && detection ? new DemoSecurityFeed(demo, detection.pipeline, logger) : undefined;
  demoSecurity?.start();

  const housekeeping = setInterval(() => {
    services.sessions
      .purgeExpired()
      .catch((error: unknown) => logger.warn({ err: error }, 'session purge failed'));
    services.audit.prune().catch((error: unknown) => logger.warn({ err: error }, 'audit retention failed'));
    detection
      ?.pruneEvents(config.eventRetentionDays)
      .catch((error: unknown) => logger.warn({ err: error }, 'security event retention failed'));
  }, HOUSEKEEPING_MS);
  housekeeping.unref();

  const webRoot = fileURLToPath(new URL('../web', import.meta.url));
  const app = createApp({
    services,
    logger,
    version: VERSION,
    apiRoutes: role === 'app',
    ...(detection ? { routes: detection.routes() } : {}),
    ...(role === 'app' && existsSync(webRoot) ? { webRoot } : {}),
  });
  const server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  logger.info({ port, version: VERSION, role }, `Yunshu 云枢 ${role} listening on http://localhost:${port}`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Stop accepting, let in-flight requests finish, then cut idle and late connections.
    const force = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
    server.closeIdleConnections();
    server.close(async () => {
      clearTimeout(force);
      clearInterval(housekeeping);
      await demoSecurity?.stop();
      await detection?.stop();
      await collection?.stop();
      await redis?.quit();
      await demo?.stop();
      await store.close();
      logger.info('stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

export function startProcess(role: ProcessRole): void {
  runProcess(role).catch((error: unknown) => {
    process.stderr.write(`yunshu ${role} failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
