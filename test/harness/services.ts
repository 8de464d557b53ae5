import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** A server a test started; stop() ends it and removes its files, and is safe to call twice. */
export interface RunningService {
  readonly url: string;
  stop(): Promise<void>;
}

/** Where a service's executable was looked for, and found if `path` is set. */
export interface BinaryLookup {
  readonly service: string;
  readonly path: string | undefined;
  readonly searched: string;
  /** How to get it; defaults to the project's installer. */
  readonly install?: string;
}

const INSTALL = 'bash scripts/install-services.sh';

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutableFile(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

// An explicit override wins and is never silently replaced by the default, so a typo shows up.
function lookup(
  service: string,
  envVar: string,
  fallback: { command: string } | { file: string },
): BinaryLookup {
  const configured = process.env[envVar];
  if (configured) {
    const path = isExecutableFile(configured) ? configured : undefined;
    return { service, path, searched: `${envVar}=${configured}` };
  }
  if ('command' in fallback) {
    return {
      service,
      path: onPath(fallback.command),
      searched: `${fallback.command} on PATH (or set ${envVar})`,
    };
  }
  const path = isExecutableFile(fallback.file) ? fallback.file : undefined;
  return { service, path, searched: `${fallback.file} (or set ${envVar})` };
}

function yunshuCacheDir(): string {
  return process.env.YUNSHU_CACHE || join(homedir(), '.cache', 'yunshu');
}

export const redisBinary = (): BinaryLookup =>
  lookup('Redis', 'YUNSHU_REDIS_BIN', { command: 'redis-server' });
export const prometheusBinary = (): BinaryLookup =>
  lookup('Prometheus', 'YUNSHU_PROMETHEUS_BIN', { command: 'prometheus' });
export const chromiumBinary = (): BinaryLookup =>
  lookup('Chromium', 'CHROMIUM_PATH', { command: 'chromium' });
export const ferretdbBinary = (): BinaryLookup =>
  lookup('FerretDB', 'YUNSHU_FERRETDB_BIN', { file: join(yunshuCacheDir(), 'bin', 'ferretdb') });

export const hasRedis = (): boolean => redisBinary().path !== undefined;
export const hasPrometheus = (): boolean => prometheusBinary().path !== undefined;
export const hasChromium = (): boolean => chromiumBinary().path !== undefined;
export const hasFerretDB = (): boolean => ferretdbBinary().path !== undefined;

/** Explains which services are missing and how to install them; undefined when none is. */
export function missingServicesMessage(lookups: readonly BinaryLookup[]): string | undefined {
  const missing = lookups.filter((l) => l.path === undefined);
  if (missing.length === 0) return undefined;
  const what = missing.map((l) => `${l.service} (looked for ${l.searched})`).join(', ');
  const how = [...new Set(missing.map((l) => l.install ?? INSTALL))].join(' and ');
  return `missing test service${missing.length > 1 ? 's' : ''}: ${what}; install with: ${how}`;
}

/** The executable's path, or an error saying what is missing and how to install it. */
export function requireBinary(lookup: BinaryLookup): string {
  if (lookup.path === undefined) throw new Error(missingServicesMessage([lookup]));
  return lookup.path;
}

/**
 * A describe() whose suite needs real servers. When one is missing the suite is skipped with a
 * warning, or fails with REQUIRE_SERVICES=1 (CI), so a machine without them cannot pass silently.
 * Decided synchronously because jest collects describe() blocks synchronously.
 */
export function describeWithServices(title: string, lookups: readonly BinaryLookup[], fn: () => void): void {
  const missing = missingServicesMessage(lookups);
  if (missing === undefined) {
    describe(title, fn);
  } else if (process.env.REQUIRE_SERVICES === '1') {
    describe(title, () => {
      test('has the services it needs (REQUIRE_SERVICES=1)', () => {
        throw new Error(missing);
      });
    });
  } else {
    console.warn(`Skipping "${title}": ${missing} (set REQUIRE_SERVICES=1 to fail instead)`);
    describe.skip(title, fn);
  }
}

/**
 * Starts a service in beforeAll and stops it in afterAll, which jest runs even when tests or the start
 * itself fail. Returns a getter for use inside tests.
 */
export function useService<T extends RunningService>(start: () => Promise<T>): () => T {
  let service: T | undefined;
  beforeAll(async () => {
    service = await start();
  });
  afterAll(async () => {
    await service?.stop();
  });
  return () => {
    if (service === undefined) throw new Error('the service did not start; see the beforeAll error');
    return service;
  };
}
