import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import type { RunningService } from './services.js';

/** A server process on a free loopback port, with a private temp dir. */
export interface ServerProcess extends RunningService {
  readonly port: number;
  readonly pid: number;
  /** Holds the server's data and config; stop() removes it. */
  readonly dir: string;
}

export interface ServerSpec {
  /** Names the server in errors and in its temp dir's name. */
  name: string;
  command: string;
  /** The command's arguments; may first write config files into `dir`. */
  args(dir: string, port: number): string[] | Promise<string[]>;
  url(port: number): string;
  /** Whether the server answers yet; polled until true. Should give up by itself within a second or so. */
  ready(port: number): Promise<boolean>;
  /** Added to the inherited environment. */
  env?: Record<string, string>;
  startTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
}

// Enough of the end of a log to show why a server failed, short enough to read in a test report.
const OUTPUT_LIMIT = 4_000;
const POLL_MS = 50;

// setpriv (util-linux) makes the kernel SIGKILL the server when the process that spawned it dies
// however it dies, e.g. a jest worker killed mid-test; without it the server would outlive the run.
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

/**
 * Starts `spec.command` in a fresh temp dir on a free port and resolves once `spec.ready` says so. On
 * failure the process is killed, the dir removed, and the error carries the server's last output.
 */
export async function startServerProcess(spec: ServerSpec): Promise<ServerProcess> {
  const { name, startTimeoutMs = 30_000, stopGraceMs = 5_000 } = spec;
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), `yunshu-${name}-`));

  let args: string[];
  try {
    args = await spec.args(dir, port);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  // Output goes to a file, not pipes: nothing to drain, no handle keeping jest alive, and it stays
  // readable in the dir while the server runs.
  const log = join(dir, 'output.log');
  const logFd = openSync(log, 'a');
  const [file, argv] = SETPRIV
    ? [SETPRIV, ['--pdeathsig', 'KILL', '--', spec.command, ...args]]
    : [spec.command, args];
  const child = spawn(file, argv, {
    cwd: dir,
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);

  let exitDescription: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (err) => {
      exitDescription ??= `could not be started: ${err.message}`;
      resolve();
    });
    child.once('exit', (code, signal) => {
      exitDescription ??= signal ? `was killed by ${signal}` : `exited with code ${code}`;
      resolve();
    });
  });
  // A server a test forgot to stop must not keep jest from exiting; setpriv then kills it.
  child.unref();

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      child.ref();
      if (exitDescription === undefined) {
        child.kill('SIGTERM');
        await within(exited, stopGraceMs);
        if (exitDescription === undefined) child.kill('SIGKILL');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    })());

  const fail = async (problem: string): Promise<never> => {
    const output = (await readFile(log, 'utf8').catch(() => '')).slice(-OUTPUT_LIMIT).trim();
    await stop();
    const tail = output ? `; its last output:\n${output}` : ' (no output)';
    throw new Error(`${name} (${spec.command} ${args.join(' ')}) ${problem}${tail}`);
  };

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (exitDescription !== undefined) return fail(`${exitDescription} before it was ready`);
    if (await spec.ready(port).catch(() => false)) break;
    if (Date.now() > deadline) return fail(`was not ready after ${startTimeoutMs} ms`);
    await within(exited, POLL_MS);
  }
  // If it failed to bind, whatever answered the probe was another process on that port.
  if (exitDescription !== undefined || child.pid === undefined) {
    return fail(`${exitDescription ?? 'has no pid'} right after the port answered`);
  }

  return { url: spec.url(port), port, pid: child.pid, dir, stop };
}

/** Resolves when `promise` does or after `ms`, whichever is first, leaving no timer behind. */
async function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function tcpAccepts(port: number): Promise<boolean> {
  return tcpExchange(port).then(
    () => true,
    () => false,
  );
}

/**
 * Connects to 127.0.0.1:port, writes `send` if given, and resolves with the first data received (or ''
 * when nothing is sent). Rejects if the connection fails or nothing arrives within `timeoutMs`.
 */
export function tcpExchange(port: number, send?: string, timeoutMs = 1_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const finish = (err: Error | undefined, data = ''): void => {
      socket.destroy();
      if (err) reject(err);
      else resolve(data);
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no answer from 127.0.0.1:${port}`)));
    socket.once('error', (err) => finish(err));
    socket.once('connect', () => {
      if (send === undefined) finish(undefined);
      else socket.write(send);
    });
    socket.once('data', (data) => finish(undefined, data.toString()));
  });
}

/** Whether GET `url` answers 200 within a second. */
export async function httpOk(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
  await response.body?.cancel();
  return response.status === 200;
}

/** Whether a process with this pid exists (signal 0 checks without signalling). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
