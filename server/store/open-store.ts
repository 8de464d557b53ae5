/** Chooses the store adapter from configuration. */
import { join } from 'node:path';
import { MongoStore } from './mongo/mongo-store.js';
import type { CollectionSpec, Store } from './port.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

export type StoreConfig =
  { kind: 'sqlite'; dataDir: string; synchronous?: 'normal' | 'full' } | { kind: 'mongo'; url: string };

export async function openStore(config: StoreConfig, collections: readonly CollectionSpec[]): Promise<Store> {
  if (config.kind === 'mongo') return MongoStore.connect({ url: config.url, collections });
  return new SqliteStore({
    file: join(config.dataDir, 'yunshu.db'),
    collections,
    ...(config.synchronous ? { synchronous: config.synchronous } : {}),
  });
}
