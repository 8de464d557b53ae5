import { createServer, type RequestListener } from 'node:http';
import type { RunningService } from './services.js';

/** An in-process HTTP server on a free loopback port, for pages and endpoints a real service should reach. */
export function serveHttp(handler: RequestListener): Promise<RunningService> {
  const server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error(`unexpected listen address ${String(address)}`));
        return;
      }
      let stopping: Promise<void> | undefined;
      resolve({
        url: `http://127.0.0.1:${address.port}`,
        stop: () =>
          (stopping ??= new Promise((done) => {
            server.close(() => done());
            // Keep-alive clients (Prometheus, Chromium) would otherwise hold close() open.
            server.closeAllConnections();
          })),
      });
    });
  });
}
