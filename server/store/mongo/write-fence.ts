/**
 * A per-document write fence for MongoDB-wire servers whose conditional updates are not atomic.
 *
 * FerretDB v1 (SQLite backend) runs `updateOne`/`findOneAndUpdate`/`replaceOne` with a filter as a
 * read followed by a write: six concurrent `{_id, version: 1}` updates all succeed (measured; the
 * store conformance suite catches it). Its inserts, however, are atomic on `_id`. So before a
 * guarded write the writer inserts a fence document for that one document, and deletes it after;
 * a concurrent writer finds the fence and waits. Each fence carries a lease, so a writer that died
 * holding one blocks the document only until the lease ends. Real MongoDB does not need this.
 */
import { randomUUID } from 'node:crypto';
import type { Collection as DriverCollection } from 'mongodb';

interface FenceDoc {
  _id: string;
  owner: string;
  until: number;
}

export const FENCE_COLLECTION = '_write_fences';

export interface WriteFenceOptions {
  /** How long a fence protects its document if its writer dies (ms). */
  leaseMs?: number;
  /** How long a writer waits for a busy document before giving up (ms). */
  waitMs?: number;
}

export class FenceTimeoutError extends Error {
  constructor(key: string) {
    super(`document ${key} stayed locked by another writer`);
    this.name = 'FenceTimeoutError';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class WriteFence {
  private readonly leaseMs: number;
  private readonly waitMs: number;

  constructor(
    private readonly fences: DriverCollection<FenceDoc>,
    options: WriteFenceOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 10_000;
    this.waitMs = options.waitMs ?? 15_000;
  }

  /** Runs `write` while holding the fence of `key` (collection/id). */
  async hold<R>(key: string, write: () => Promise<R>): Promise<R> {
    const owner = randomUUID();
    const deadline = Date.now() + this.waitMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.fences.insertOne({ _id: key, owner, until: Date.now() + this.leaseMs });
        break;
      } catch (error) {
        if ((error as { code?: unknown }).code !== 11000) throw error;
      }
      const holder = await this.fences.findOne({ _id: key });
      // Deletes are atomic on FerretDB too: only one waiter removes a given expired fence.
      if (holder && holder.until < Date.now()) await this.fences.deleteOne({ _id: key, owner: holder.owner });
      if (Date.now() > deadline) throw new FenceTimeoutError(key);
      await sleep(Math.min(2 ** attempt, 50) * (0.5 + Math.random()));
    }
    try {
      return await write();
    } finally {
      await this.fences.deleteOne({ _id: key, owner });
    }
  }
}
