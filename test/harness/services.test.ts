import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ferretdbBinary, missingServicesMessage, redisBinary, requireBinary } from './services.js';

describe('service binaries', () => {
  const vars = ['YUNSHU_REDIS_BIN', 'YUNSHU_FERRETDB_BIN', 'YUNSHU_CACHE'] as const;
  const saved = Object.fromEntries(vars.map((v) => [v, process.env[v]]));
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'yunshu-services-test-'));
  });
  afterEach(() => {
    for (const v of vars) {
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('an override names the binary, and a missing one is reported, not replaced by the default', () => {
    const fake = join(dir, 'redis-server');
    writeFileSync(fake, '#!/bin/sh\n');
    chmodSync(fake, 0o755);
    process.env.YUNSHU_REDIS_BIN = fake;
    expect(redisBinary().path).toBe(fake);

    process.env.YUNSHU_REDIS_BIN = join(dir, 'nope');
    expect(redisBinary()).toEqual({
      service: 'Redis',
      path: undefined,
      searched: `YUNSHU_REDIS_BIN=${join(dir, 'nope')}`,
    });
  });

  test('a file that is not executable does not count', () => {
    const file = join(dir, 'redis-server');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    process.env.YUNSHU_REDIS_BIN = file;
    expect(redisBinary().path).toBeUndefined();
  });

  test('FerretDB is looked for in $YUNSHU_CACHE/bin', () => {
    delete process.env.YUNSHU_FERRETDB_BIN;
    process.env.YUNSHU_CACHE = dir;
    expect(ferretdbBinary().path).toBeUndefined();
    expect(ferretdbBinary().searched).toBe(`${join(dir, 'bin', 'ferretdb')} (or set YUNSHU_FERRETDB_BIN)`);
  });

  test('the message names every missing service and how to install it', () => {
    const found = { service: 'Redis', path: '/usr/bin/redis-server', searched: 'redis-server on PATH' };
    expect(missingServicesMessage([found])).toBeUndefined();

    const missing = [
      found,
      { service: 'FerretDB', path: undefined, searched: '/c/bin/ferretdb' },
      { service: 'etcd', path: undefined, searched: 'etcd on PATH', install: 'make envtest' },
    ];
    expect(missingServicesMessage(missing)).toBe(
      'missing test services: FerretDB (looked for /c/bin/ferretdb), etcd (looked for etcd on PATH); ' +
        'install with: bash scripts/install-services.sh and make envtest',
    );
    expect(() => requireBinary(missing[1]!)).toThrow(
      'missing test service: FerretDB (looked for /c/bin/ferretdb); install with: bash scripts/install-services.sh',
    );
  });
});
