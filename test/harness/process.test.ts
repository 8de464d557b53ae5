import { existsSync } from 'node:fs';
import { isRunning, listensOn, startServerProcess, tcpAccepts, type ServerSpec } from './process.js';

// A stand-in server: node listening on the port it is given, with behaviour chosen per test.
function nodeServer(script: string, overrides: Partial<ServerSpec> = {}): ServerSpec {
  return {
    name: 'node-stub',
    command: process.execPath,
    args: (_dir, port) => ['-e', script, String(port)],
    url: (port) => `tcp://127.0.0.1:${port}`,
    ready: tcpAccepts,
    ...overrides,
  };
}
const LISTEN = `require('node:net').createServer((s) => s.end()).listen(Number(process.argv[1]), '127.0.0.1');`;

describe('startServerProcess', () => {
  test('starts a server in its own dir and stop() ends it and removes the dir', async () => {
    const server = await startServerProcess(nodeServer(LISTEN));
    try {
      expect(server.url).toBe(`tcp://127.0.0.1:${server.port}`);
      expect(existsSync(server.dir)).toBe(true);
      expect(isRunning(server.pid)).toBe(true);
      expect(await tcpAccepts(server.port)).toBe(true);
    } finally {
      await server.stop();
    }
    // The port itself may already serve someone else (another suite's server got it), so the
    // process is what must be gone.
    expect(isRunning(server.pid)).toBe(false);
    expect(existsSync(server.dir)).toBe(false);
    await expect(server.stop()).resolves.toBeUndefined();
  });

  test('kills a server that ignores SIGTERM once the grace period is over', async () => {
    const server = await startServerProcess(
      nodeServer(`process.on('SIGTERM', () => console.log('ignoring SIGTERM')); ${LISTEN}`, {
        stopGraceMs: 300,
      }),
    );
    await server.stop();
    expect(isRunning(server.pid)).toBe(false);
    expect(existsSync(server.dir)).toBe(false);
  });

  test('reports a server that exits before it is ready, with its output, and cleans up', async () => {
    let dir = '';
    const spec = nodeServer(`console.error('cannot open data file'); process.exit(3);`);
    const start = startServerProcess({
      ...spec,
      args: (d, port) => {
        dir = d;
        return spec.args(d, port);
      },
    });
    await expect(start).rejects.toThrow(
      /node-stub .* exited with code 3 before it was ready; its last output:\ncannot open data file/s,
    );
    expect(dir).not.toBe('');
    expect(existsSync(dir)).toBe(false);
  });

  test('gives up on a server that never becomes ready and kills it', async () => {
    const start = startServerProcess(
      nodeServer(`console.log('pid=' + process.pid); setInterval(() => {}, 1000);`, { startTimeoutMs: 500 }),
    );
    const error = await start.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(/was not ready after 500 ms/);
    const pid = Number(/pid=(\d+)/.exec(message)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(isRunning(pid)).toBe(false);
  });

  test('does not take a probe that answers for a server that is not the one listening', async () => {
    // The probe says yes, but the child never listens: something else answering on its port (or a
    // socket connected to itself) must not count as the server being up.
    const start = startServerProcess(
      nodeServer('setInterval(() => {}, 1000);', { ready: async () => true, startTimeoutMs: 500 }),
    );
    await expect(start).rejects.toThrow(/was not ready after 500 ms/);
  });

  test('listensOn tells the listening process from others', async () => {
    const [a, b] = await Promise.all([
      startServerProcess(nodeServer(LISTEN)),
      startServerProcess(nodeServer(LISTEN)),
    ]);
    try {
      expect(await listensOn(a.pid, a.port)).toBe(true);
      expect(await listensOn(a.pid, b.port)).toBe(false);
      // A parent counts through its descendants.
      expect(await listensOn(process.pid, a.port)).toBe(true);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
