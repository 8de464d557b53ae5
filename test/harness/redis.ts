import { startServerProcess, tcpExchange, type ServerProcess } from './process.js';
import { redisBinary, requireBinary } from './services.js';

export interface RedisOptions {
  /** Keep an append-only file in the server's temp dir; off by default, since tests want speed. */
  persistence?: boolean;
}

/** Starts redis-server on a free loopback port; `url` is redis://127.0.0.1:PORT. */
export function startRedis(options: RedisOptions = {}): Promise<ServerProcess> {
  return startServerProcess({
    name: 'redis',
    command: requireBinary(redisBinary()),
    args: (dir, port) => [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      options.persistence ? 'yes' : 'no',
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
    ],
    url: (port) => `redis://127.0.0.1:${port}`,
    // PING, not a bare connect: Redis accepts connections while it still answers -LOADING.
    ready: async (port) => (await tcpExchange(port, 'PING\r\n')).startsWith('+PONG'),
  });
}
