/** Entry point: configuration → store → HTTP server, with graceful shutdown on SIGTERM/SIGINT. */
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { collectionSpecs } from './model/index.js';
import { openStore } from './store/open-store.js';
import { VERSION } from './version.js';

async function main(): Promise<void> {
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
  const store = await openStore(config.store, collectionSpecs);
  logger.info({ store: store.kind, dataDir: config.dataDir }, 'store open');

  const app = createApp({ store, logger, version: VERSION });
  const server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  logger.info({ port, version: VERSION }, `Yunshu 云枢 listening on http://localhost:${port}`);

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
      await store.close();
      logger.info('stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`yunshu failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
