import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
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
    // The probe alone can be fooled by another process that took the port, so on Linux the
    // listening socket must also be the child's.
    if ((await spec.ready(port).catch(() => false)) && (await listensOn(child.pid, port))) break;
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

/**
 * Whether process `pid` (or one of its descendants) holds the socket listening on `port`. Answers
 * true where /proc cannot tell (not Linux), leaving the ready probe as the only check there.
 */
export async function listensOn(pid: number | undefined, port: number): Promise<boolean> {
  if (pid === undefined) return false;
  if (!existsSync('/proc/net/tcp')) return true;
  const listening = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st ... inode: state 0A is LISTEN, the address ends in :PORT (hex)
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '0A' && parseInt(cols[1]?.split(':')[1] ?? '', 16) === port)
        listening.add(cols[9] ?? '');
    }
  }
  if (listening.size === 0) return false;
  for (const p of await processTree(pid)) {
    const fds = await readdir(`/proc/${p}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(`/proc/${p}/fd/${fd}`).catch(() => '');
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && listening.has(inode)) return true;
    }
  }
  return false;
}

/** `pid` and all its descendants, read from /proc/PID/task/TID/children. */
async function processTree(pid: number): Promise<number[]> {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    const tasks = await readdir(`/proc/${all[i]}/task`).catch(() => [] as string[]);
    for (const task of tasks) {
      const children = await readFile(`/proc/${all[i]}/task/${task}/children`, 'utf8').catch(() => '');
      for (const child of children.split(' ')) if (child.trim()) all.push(Number(child));
    }
  }
  return all;
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
      // Connecting to a free port in the ephemeral range can pick that same port as the source and
      // connect the socket to itself (TCP simultaneous open): nobody is listening.
      if (socket.localPort === port) return finish(new Error(`127.0.0.1:${port} connected to itself`));
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
