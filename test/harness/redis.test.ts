import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { isRunning, tcpAccepts } from './process.js';
import { startRedis } from './redis.js';
import { describeWithServices, redisBinary, useService } from './services.js';

async function withClient<T>(url: string, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}

describeWithServices('startRedis', [redisBinary()], () => {
  const redis = useService(() => startRedis());

  test('serves SET/GET at its redis:// URL, without persistence', async () => {
    expect(redis().url).toBe(`redis://127.0.0.1:${redis().port}`);
    await withClient(redis().url, async (client) => {
      expect(await client.set('harness:key', 'value')).toBe('OK');
      expect(await client.get('harness:key')).toBe('value');
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
      expect(await client.config('GET', 'save')).toEqual(['save', '']);
      expect(await client.config('GET', 'dir')).toEqual(['dir', redis().dir]);
    });
  });

  test('keeps an append-only file when asked', async () => {
    const persistent = await startRedis({ persistence: true });
    try {
      await withClient(persistent.url, async (client) => {
        expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      });
    } finally {
      await persistent.stop();
    }
  });

  test('stop() closes the port and removes the data dir', async () => {
    const other = await startRedis();
    try {
      expect(await tcpAccepts(other.port)).toBe(true);
    } finally {
      await other.stop();
    }
    // Not the port: another suite's server may have been given it already.
    expect(isRunning(other.pid)).toBe(false);
    expect(existsSync(other.dir)).toBe(false);
  });
});
