/**
 * Writes what the collectors see into the store. Watch events for one object often come in bursts
 * (a pod going Pending → ContainerCreating → Running), so writes are coalesced per document and
 * flushed in small batches: the store sees the latest state, not every step.
 */
import { scan } from '../../server/store/find-all.js';
import type { Collection, Store, StoredDoc } from '../../server/store/port.js';

type Doc = StoredDoc & Record<string, unknown>;
type NewDoc = { id: string } & Record<string, unknown>;

export interface InventorySinkOptions {
  /** Flush when this many writes are pending. */
  batchSize?: number;
  /** ...or this long after the first pending write. */
  flushMs?: number;
}

export class InventorySink {
  private readonly pending = new Map<string, { collection: string; doc: NewDoc | null; id: string }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly batchSize: number;
  private readonly flushMs: number;
  /** Write errors are reported, never thrown into the watch loop; the next relist repairs the store. */
  onError: (error: unknown) => void = () => undefined;

  constructor(
    private readonly store: Store,
    options: InventorySinkOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.flushMs = options.flushMs ?? 100;
  }

  private collection(name: string): Collection<Doc> {
    return this.store.collection<Doc>(name);
  }

  upsert(collection: string, doc: NewDoc): Promise<void> {
    return this.enqueue(collection, doc.id, doc);
  }

  delete(collection: string, id: string): Promise<void> {
    return this.enqueue(collection, id, null);
  }

  private async enqueue(collection: string, id: string, doc: NewDoc | null): Promise<void> {
    this.pending.set(`${collection}\u0000${id}`, { collection, id, doc });
    if (this.pending.size >= this.batchSize) await this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Writes everything pending; resolves when it is in the store. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.pending.values()];
    this.pending.clear();
    this.flushing = this.flushing.then(async () => {
      // Upserts go in one batch per collection; deletes one by one (they are rare).
      const upserts = new Map<string, Omit<Doc, 'version' | 'createdAt' | 'updatedAt'>[]>();
      for (const { collection, id, doc } of batch) {
        if (doc) {
          const list = upserts.get(collection) ?? [];
          list.push(doc as Omit<Doc, 'version' | 'createdAt' | 'updatedAt'>);
          upserts.set(collection, list);
          continue;
        }
        await this.collection(collection)
          .delete(id)
          .catch((error: unknown) => this.onError(error));
      }
      for (const [collection, docs] of upserts)
        await this.collection(collection)
          .upsertMany(docs)
          .catch((error: unknown) => this.onError(error));
    });
    return this.flushing;
  }

  /**
   * After a (re)list: deletes the documents of this cluster (and kind) that the list no longer has.
   * Pending writes go first so that nothing just seen is deleted.
   */
  async reconcile(
    collection: string,
    scope: Record<string, string>,
    keepIds: ReadonlySet<string>,
  ): Promise<number> {
    await this.flush();
    const stale: string[] = [];
    for await (const doc of scan(this.collection(collection), { filter: scope }))
      if (!keepIds.has(doc.id)) stale.push(doc.id);
    for (const id of stale) await this.collection(collection).delete(id);
    return stale.length;
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
