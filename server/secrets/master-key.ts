/**
 * The master key every stored secret is sealed under (via SecretBox). Losing it loses every
 * secret, so a generated key is announced loudly for backup; it is never logged.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.js';

export const MASTER_KEY_BYTES = 32;
export const MASTER_KEY_FILE = 'master.key';

export interface LoadMasterKeyOptions {
  /** YUNSHU_MASTER_KEY: 64 hex characters or base64 of 32 bytes; empty counts as unset. */
  env: string | undefined;
  dataDir: string;
  logger?: Pick<Logger, 'warn'>;
}

/** Decodes 32 bytes given as 64 hex characters or (standard or URL-safe) base64, else undefined. */
function decodeKey(text: string): Buffer | undefined {
  if (/^[0-9a-f]{64}$/i.test(text)) return Buffer.from(text, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return undefined;
  const key = Buffer.from(text, 'base64');
  return key.length === MASTER_KEY_BYTES ? key : undefined;
}

function parseKey(text: string, source: string): Buffer {
  const key = decodeKey(text.trim());
  // The message describes the value but never echoes it.
  if (!key)
    throw new Error(
      `${source} must be a ${MASTER_KEY_BYTES}-byte key as 64 hex characters or base64 (got ${text.trim().length} characters)`,
    );
  return key;
}

async function readKeyFile(
  path: string,
  logger: LoadMasterKeyOptions['logger'],
): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (((await stat(path)).mode & 0o077) !== 0)
    logger?.warn({ path }, 'master key file is readable by other users; restrict it with chmod 600');
  return parseKey(text, path);
}

/**
 * The key from the environment, else from `<dataDir>/master.key`, else a new random key written
 * there (mode 0600). Creation is exclusive (link() fails if the file exists), so two processes
 * starting together on one data dir end up with the same key.
 */
export async function loadMasterKey(options: LoadMasterKeyOptions): Promise<Buffer> {
  const { env, dataDir, logger } = options;
  if (env?.trim()) return parseKey(env, 'YUNSHU_MASTER_KEY');
  const path = join(dataDir, MASTER_KEY_FILE);
  const existing = await readKeyFile(path, logger);
  if (existing) return existing;

  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(MASTER_KEY_BYTES);
  // Written whole and flushed under a temporary name first, so no one ever reads a partial key.
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx', flush: true });
  try {
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await readKeyFile(path, logger))!;
  } finally {
    await unlink(temp);
  }
  logger?.warn(
    { path },
    'generated a new master key: back up this file now (or move it to YUNSHU_MASTER_KEY); without it stored secrets cannot be decrypted',
  );
  return key;
}
