import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.js';
import { storeConformance } from './conformance.js';

const root = mkdtempSync(join(tmpdir(), 'yunshu-sqlite-'));
let file = '';
let n = 0;

storeConformance('sqlite', {
  async open(collections) {
    file = join(root, `store-${n++}.db`);
    return new SqliteStore({ file, collections });
  },
  async reopen(collections) {
    return new SqliteStore({ file, collections });
  },
  async cleanup() {
    rmSync(root, { recursive: true, force: true });
  },
});
