import { startServerProcess, tcpAccepts, type ServerProcess } from './process.js';
import { ferretdbBinary, requireBinary } from './services.js';

/**
 * Starts FerretDB (MongoDB wire protocol, SQLite storage) on a free loopback port with its data in a
 * temp dir; `url` is mongodb://127.0.0.1:PORT/.
 */
export function startFerretDB(): Promise<ServerProcess> {
  return startServerProcess({
    name: 'ferretdb',
    command: requireBinary(ferretdbBinary()),
    args: (dir, port) => [
      '--handler=sqlite',
      `--sqlite-url=file:${dir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${dir}`,
      // No telemetry beacon and no debug/metrics HTTP listener on its fixed default port 8088.
      '--telemetry=disable',
      '--debug-addr=-',
      '--log-level=warn',
    ],
    env: { DO_NOT_TRACK: '1' },
    url: (port) => `mongodb://127.0.0.1:${port}/`,
    // FerretDB opens its listener only after the SQLite backend is set up.
    ready: tcpAccepts,
  });
}
