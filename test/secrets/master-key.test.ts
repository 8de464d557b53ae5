import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMasterKey } from '../../server/secrets/master-key.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'yunshu-master-key-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const logger = () => ({ warn: jest.fn() });

test('without a key anywhere, one is generated once (mode 0600), announced without the key, and reused', async () => {
  const dataDir = join(root, 'data', 'nested');
  const log = logger();
  const key = await loadMasterKey({ env: undefined, dataDir, logger: log });
  expect(key).toHaveLength(32);
  const file = join(dataDir, 'master.key');
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(log.warn).toHaveBeenCalledTimes(1);
  expect(JSON.stringify(log.warn.mock.calls)).toMatch(/back up/);
  expect(JSON.stringify(log.warn.mock.calls)).not.toContain(key.toString('base64'));
  expect(JSON.stringify(log.warn.mock.calls)).not.toContain(key.toString('hex'));

  const again = logger();
  expect(await loadMasterKey({ env: '', dataDir, logger: again })).toEqual(key);
  expect(again.warn).not.toHaveBeenCalled();
  expect(readFileSync(file, 'utf8').trim()).toBe(key.toString('base64'));
});

test('concurrent first starts agree on one key', async () => {
  const keys = await Promise.all(
    Array.from({ length: 8 }, () => loadMasterKey({ env: undefined, dataDir: root })),
  );
  for (const key of keys) expect(key).toEqual(keys[0]);
});

test.each([
  ['hex', (key: Buffer) => key.toString('hex')],
  ['upper-case hex', (key: Buffer) => key.toString('hex').toUpperCase()],
  ['base64', (key: Buffer) => key.toString('base64')],
  ['base64url', (key: Buffer) => key.toString('base64url')],
  ['base64 with a trailing newline', (key: Buffer) => `${key.toString('base64')}\n`],
])('YUNSHU_MASTER_KEY as %s overrides the file', async (_name, encode) => {
  await loadMasterKey({ env: undefined, dataDir: root });
  const key = randomBytes(32);
  expect(await loadMasterKey({ env: encode(key), dataDir: root })).toEqual(key);
});

test.each([
  ['too short', randomBytes(16).toString('hex')],
  ['too long', randomBytes(33).toString('base64')],
  ['not hex or base64', 'correct horse battery staple correct horse battery staple!!'],
])('a malformed YUNSHU_MASTER_KEY (%s) is refused without echoing it', async (_name, env) => {
  const error = await loadMasterKey({ env, dataDir: root }).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error?.message).toMatch(/YUNSHU_MASTER_KEY/);
  expect(error?.message).not.toContain(env);
});

test('a malformed key file is refused, and a loose file mode is warned about', async () => {
  const file = join(root, 'master.key');
  writeFileSync(file, 'short', { mode: 0o600 });
  await expect(loadMasterKey({ env: undefined, dataDir: root })).rejects.toThrow(/master\.key/);
  const key = randomBytes(32);
  writeFileSync(file, key.toString('hex'));
  chmodSync(file, 0o644);
  const log = logger();
  expect(await loadMasterKey({ env: undefined, dataDir: root, logger: log })).toEqual(key);
  expect(JSON.stringify(log.warn.mock.calls)).toMatch(/chmod 600/);
});
