/**
 * The production store: MongoDB (or a MongoDB-wire server such as FerretDB) through mongoose.
 * Every write is a single-document operation guarded by the version field, so correctness never
 * depends on multi-document transactions, which MongoDB-compatible servers may lack.
 */
import {
  MongoBulkWriteError,
  type Document,
  type Collection as DriverCollection,
  type UpdateFilter,
} from 'mongodb';
import mongoose, { type Connection, type Model } from 'mongoose';
import { assertCollectionName } from '../fields.js';
import { countGroups, durationGroups, fieldsOf, keyName, sortGroups } from '../grouping.js';
import { pageOf, pagingOf } from '../keyset.js';
import {
  ConflictError,
  DuplicateKeyError,
  NotFoundError,
  type Collection,
  type CollectionSpec,
  type DocPatch,
  type Filter,
  type FindOptions,
  type GroupCount,
  type GroupDurations,
  type GroupKey,
  type NewDoc,
  type Page,
  type Scalar,
  type Span,
  type Store,
  type StoredDoc,
  type WriteOptions,
} from '../port.js';
import { decodeFieldNames, encodeFieldNames } from './field-names.js';
import { keysetQuery, mongoField, mongoQuery, mongoSort } from './filter-mongo.js';
import { FENCE_COLLECTION, WriteFence } from './write-fence.js';

export interface MongoStoreOptions {
  url: string;
  collections: readonly CollectionSpec[];
  /** How long to wait for a reachable server before an operation fails. */
  serverSelectionTimeoutMS?: number;
  /**
   * Serialize guarded writes per document with a WriteFence. Default: only on servers that
   * announce themselves as FerretDB, whose conditional updates are not atomic.
   */
  writeFence?: boolean;
}

type RawDoc = { _id: string; version: number } & Record<string, unknown>;

const UPSERT_ATTEMPTS = 20;

const isDuplicateKey = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;

function toDoc<T>(raw: RawDoc): T {
  const { _id, ...rest } = raw;
  return { id: _id, ...decodeFieldNames(rest) } as T;
}

function toRaw(doc: StoredDoc): RawDoc {
  const { id, ...rest } = doc;
  return { _id: id, ...encodeFieldNames(rest) } as RawDoc;
}

const now = (): string => new Date().toISOString();

/** A new document as insert() stores it. */
const created = <T extends StoredDoc>(doc: NewDoc<T>, at: string): T =>
  ({ ...doc, version: 1, createdAt: at, updatedAt: at }) as T;

/** Positions of the documents an unordered insertMany refused as duplicates; rethrows anything else. */
function duplicatePositions(error: unknown): number[] {
  if (!(error instanceof MongoBulkWriteError)) throw error;
  const writeErrors = [error.writeErrors].flat();
  if (writeErrors.length === 0 || writeErrors.some((e) => e.code !== 11000)) throw error;
  return writeErrors.map((e) => e.index);
}

class MongoCollection<T extends StoredDoc> implements Collection<T> {
  constructor(
    private readonly model: Model<RawDoc>,
    readonly spec: CollectionSpec,
    private readonly fence: WriteFence | undefined,
  ) {}

  /** Runs a read-check-write on one document so that no other writer interleaves. */
  private fenced<R>(id: string, write: () => Promise<R>): Promise<R> {
    return this.fence ? this.fence.hold(`${this.spec.name}/${id}`, write) : write();
  }

  /** The driver collection under the model, typed with our string ids. */
  private get raw(): DriverCollection<RawDoc> {
    return this.model.collection as unknown as DriverCollection<RawDoc>;
  }

  private duplicate(id: string): DuplicateKeyError {
    return new DuplicateKeyError(`${this.spec.name}: duplicate key`, this.spec.name, id);
  }

  /** Explains why a guarded write matched nothing: absent/out of scope, or a stale version. */
  private async missed(id: string, options: WriteOptions | undefined): Promise<never> {
    const current = await this.get(id, options?.filter);
    if (!current) throw new NotFoundError(`${this.spec.name}/${id} not found`, this.spec.name, id);
    throw new ConflictError(
      `${this.spec.name}/${id} is at version ${current.version}, not ${options?.expectedVersion}`,
      this.spec.name,
      id,
    );
  }

  private guard(id: string, options: WriteOptions | undefined): Record<string, unknown> {
    const version = options?.expectedVersion;
    return mongoQuery(options?.filter, [{ _id: id }, ...(version !== undefined ? [{ version }] : [])]);
  }

  async get(id: string, filter?: Filter): Promise<T | null> {
    const raw = await this.raw.findOne(mongoQuery(filter, [{ _id: id }]));
    return raw ? toDoc<T>(raw) : null;
  }

  async insert(doc: NewDoc<T>): Promise<T> {
    const stored = created(doc, now());
    try {
      await this.raw.insertOne(toRaw(stored));
    } catch (error) {
      if (isDuplicateKey(error)) throw this.duplicate(doc.id);
      throw error;
    }
    return stored;
  }

  /**
   * One unordered insertMany: a duplicate does not stop the others, and inserts are atomic on _id
   * (FerretDB's too), so no fence is needed. FerretDB v1.24's duplicate-key errors do not name the
   * index (measured: "E11000 duplicate key error collection: db.x"), so when the collection has
   * unique keys, the refused ids are looked up: stored means an id collision, skipped.
   */
  async insertMany(docs: readonly NewDoc<T>[]): Promise<string[]> {
    // First occurrences only: an unordered insert does not promise which of two repeats would win.
    const batch = new Map<string, NewDoc<T>>();
    for (const doc of docs) if (!batch.has(doc.id)) batch.set(doc.id, doc);
    const ids = [...batch.keys()];
    if (ids.length === 0) return [];
    const at = now();
    let refused: string[] = [];
    try {
      await this.raw.insertMany(
        [...batch.values()].map((doc) => toRaw(created(doc, at))),
        { ordered: false },
      );
    } catch (error) {
      refused = duplicatePositions(error).map((i) => ids[i]!);
    }
    if (refused.length && this.spec.unique?.length) {
      const stored = await this.raw.find({ _id: { $in: refused } }, { projection: { _id: 1 } }).toArray();
      const storedIds = new Set(stored.map((raw) => raw._id));
      const collision = refused.find((id) => !storedIds.has(id));
      if (collision !== undefined) throw this.duplicate(collision);
    }
    const skipped = new Set(refused);
    return ids.filter((id) => !skipped.has(id));
  }

  upsert(doc: NewDoc<T>): Promise<T> {
    return this.fenced(doc.id, () => this.replaceOrInsert(doc));
  }

  /** Document by document: every upsert keeps its version guard (no cross-document transaction). */
  async upsertMany(docs: readonly NewDoc<T>[]): Promise<void> {
    for (const doc of docs) await this.upsert(doc);
  }

  private async replaceOrInsert(doc: NewDoc<T>): Promise<T> {
    // Compare-and-swap on version: a whole-document replace that keeps createdAt.
    for (let attempt = 0; attempt < UPSERT_ATTEMPTS; attempt++) {
      const current = await this.get(doc.id);
      const at = now();
      const stored = {
        ...doc,
        version: (current?.version ?? 0) + 1,
        createdAt: current?.createdAt ?? at,
        updatedAt: at,
      } as T;
      try {
        if (current) {
          const result = await this.raw.replaceOne({ _id: doc.id, version: current.version }, toRaw(stored));
          if (result.matchedCount === 1) return stored;
        } else {
          await this.raw.insertOne(toRaw(stored));
          return stored;
        }
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // Only a concurrent insert of this very id is worth another round (as an update).
        if (current || (await this.get(doc.id)) === null) throw this.duplicate(doc.id);
      }
    }
    throw new ConflictError(
      `${this.spec.name}/${doc.id}: too many concurrent writers`,
      this.spec.name,
      doc.id,
    );
  }

  update(id: string, patch: DocPatch<T>, options?: WriteOptions): Promise<T> {
    return this.fenced(id, () => this.guardedUpdate(id, patch, options));
  }

  private async guardedUpdate(id: string, patch: DocPatch<T>, options?: WriteOptions): Promise<T> {
    const set: Record<string, unknown> = { updatedAt: now() };
    const unset: Record<string, ''> = {};
    for (const [key, value] of Object.entries(patch)) {
      if (key === 'id' || key === 'version' || key === 'createdAt' || key === 'updatedAt') continue;
      if (value === undefined) unset[key] = '';
      else set[key] = encodeFieldNames(value);
    }
    try {
      const change: Document = { $set: set, $inc: { version: 1 } };
      if (Object.keys(unset).length) change.$unset = unset;
      const raw = await this.raw.findOneAndUpdate(this.guard(id, options), change as UpdateFilter<RawDoc>, {
        returnDocument: 'after',
      });
      if (!raw) return await this.missed(id, options);
      return toDoc<T>(raw);
    } catch (error) {
      if (isDuplicateKey(error)) throw this.duplicate(id);
      throw error;
    }
  }

  delete(id: string, options?: WriteOptions): Promise<boolean> {
    return this.fenced(id, () => this.guardedDelete(id, options));
  }

  private async guardedDelete(id: string, options?: WriteOptions): Promise<boolean> {
    const result = await this.raw.deleteOne(this.guard(id, options));
    if (result.deletedCount === 1) return true;
    if (options?.expectedVersion === undefined) return false;
    return this.missed(id, options).catch((error: unknown) => {
      if (error instanceof NotFoundError) return false;
      throw error;
    });
  }

  async deleteMany(filter: Filter): Promise<number> {
    return (await this.raw.deleteMany(mongoQuery(filter))).deletedCount;
  }

  async find(options: FindOptions = {}): Promise<Page<T>> {
    const { sort, limit, after } = pagingOf(options);
    const query = mongoQuery(options.filter, after ? [keysetQuery(sort, after)] : []);
    const rows = await this.raw
      .find(query)
      .sort(mongoSort(sort))
      .limit(limit + 1)
      .toArray();
    return pageOf(
      rows.map((raw) => toDoc<T>(raw)),
      limit,
      sort.field,
    );
  }

  async count(filter?: Filter): Promise<number> {
    return this.raw.countDocuments(mongoQuery(filter));
  }

  /** Streams only the fields a grouping needs (FerretDB v1 cannot compute dates in $group). */
  private async project(query: Record<string, unknown>, fields: string[]): Promise<unknown[]> {
    const projection = Object.fromEntries(fields.map((f) => [mongoField(f), 1]));
    const rows = await this.raw.find(query, { projection }).toArray();
    return rows.map((raw) => toDoc(raw));
  }

  /**
   * Plain fields group in $group; day buckets and array keys group in Node from projected rows, as
   * FerretDB v1.24's `$unwind` drops every other field of the document.
   */
  async countBy(filter: Filter, groupBy: readonly GroupKey[]): Promise<GroupCount[]> {
    const query = mongoQuery(filter);
    if (groupBy.some((key) => typeof key !== 'string'))
      return countGroups(await this.project(query, fieldsOf(groupBy)), groupBy);
    const groupId = Object.fromEntries(groupBy.map((key, i) => [`k${i}`, `$${mongoField(keyName(key))}`]));
    const rows = await this.raw
      .aggregate<{ _id: Record<string, Scalar> | null; count: number }>([
        { $match: query },
        { $group: { _id: groupId, count: { $sum: 1 } } },
      ])
      .toArray();
    return sortGroups(
      rows.map((row) => ({
        // A missing field leaves its key out of _id; the port reports it as null.
        key: Object.fromEntries(groupBy.map((key, i) => [keyName(key), row._id?.[`k${i}`] ?? null])),
        count: row.count,
      })),
    );
  }

  async durations<S extends string>(
    filter: Filter,
    spans: Readonly<Record<S, Span>>,
    groupBy: readonly GroupKey[],
  ): Promise<GroupDurations<S>[]> {
    const timestamps = Object.values<Span>(spans).flatMap((span) => [span.from, span.to]);
    return durationGroups(
      await this.project(mongoQuery(filter), fieldsOf(groupBy, timestamps)),
      spans,
      groupBy,
    );
  }
}

export class MongoStore implements Store {
  readonly kind = 'mongo' as const;
  private readonly collections = new Map<string, MongoCollection<StoredDoc>>();

  private constructor(
    private readonly connection: Connection,
    private readonly fence: WriteFence | undefined,
  ) {}

  static async connect(options: MongoStoreOptions): Promise<MongoStore> {
    const connection = await mongoose
      .createConnection(options.url, {
        serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000,
        autoIndex: false,
        autoCreate: false,
      })
      .asPromise();
    let store: MongoStore;
    try {
      const db = connection.db!;
      const info = await db.admin().command({ buildInfo: 1 });
      const fenced = options.writeFence ?? 'ferretdbVersion' in info;
      store = new MongoStore(
        connection,
        fenced ? new WriteFence(db.collection(FENCE_COLLECTION)) : undefined,
      );
      for (const spec of options.collections) await store.ensureCollection(spec);
    } catch (error) {
      await connection.close();
      throw error;
    }
    return store;
  }

  private async ensureCollection(spec: CollectionSpec): Promise<void> {
    const name = assertCollectionName(spec.name);
    const schema = new mongoose.Schema<RawDoc>(
      { _id: String, version: Number },
      { strict: false, versionKey: false, collection: name, autoIndex: false },
    );
    const keys = (fields: readonly string[]): Record<string, 1> =>
      Object.fromEntries(fields.map((f) => [mongoField(f), 1 as const]));
    for (const fields of spec.indexes) schema.index(keys(fields));
    for (const fields of spec.unique ?? []) schema.index(keys(fields), { unique: true });
    const model = this.connection.model<RawDoc>(name, schema);
    await model.createCollection().catch((error: unknown) => {
      // 48 = NamespaceExists: the collection is already there.
      if ((error as { code?: unknown }).code !== 48) throw error;
    });
    await model.syncIndexes();
    this.collections.set(name, new MongoCollection(model, spec, this.fence));
  }

  collection<T extends StoredDoc>(name: string): Collection<T> {
    const collection = this.collections.get(name);
    if (!collection) throw new Error(`unknown collection: ${name}`);
    return collection as unknown as Collection<T>;
  }

  async ping(): Promise<void> {
    const db = this.connection.db;
    if (!db) throw new Error('MongoDB connection is not open');
    await db.admin().ping();
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
