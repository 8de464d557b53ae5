/**
 * The store port: what the engines and routes may ask of persistence. Two adapters implement it
 * (SQLite for the embedded default, MongoDB through mongoose for production) and both pass the one
 * conformance suite in test/store.
 *
 * The port only offers what a MongoDB-compatible server without multi-document transactions can do
 * (FerretDB v1 has no aggregation arithmetic, no $avg/$push, no partial indexes), so anything more
 * (percentiles, day buckets on Mongo) is computed in Node from projected rows.
 */

/** Fields every stored document carries; the store owns version/createdAt/updatedAt. */
export interface StoredDoc {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** What a writer hands to insert/upsert: the document without store-managed fields. */
export type NewDoc<T extends StoredDoc> = Omit<T, 'version' | 'createdAt' | 'updatedAt'>;

/** Fields a writer may change with update(). */
export type DocPatch<T extends StoredDoc> = Partial<Omit<T, 'id' | 'version' | 'createdAt' | 'updatedAt'>>;

/** How a collection is stored: the indexes its queries need. Dot paths address nested fields. */
export interface CollectionSpec {
  readonly name: string;
  readonly indexes: readonly (readonly string[])[];
  readonly unique?: readonly (readonly string[])[];
}

export type Scalar = string | number | boolean | null;

/**
 * A condition on one field. A bare scalar means equality (`null` matches a missing field).
 * `has` matches arrays containing the value; `contains` is a case-insensitive substring match.
 */
export type FieldCondition =
  | Scalar
  | {
      eq?: Scalar;
      ne?: Scalar;
      in?: readonly Scalar[];
      nin?: readonly Scalar[];
      gt?: string | number;
      gte?: string | number;
      lt?: string | number;
      lte?: string | number;
      exists?: boolean;
      has?: Scalar;
      contains?: string;
    };

/** Field path → condition; all conditions must hold. */
export type Filter = Readonly<Record<string, FieldCondition>>;

export interface SortSpec {
  /** A field every document of the collection has (keyset paging relies on it). */
  field: string;
  dir: 'asc' | 'desc';
}

export interface FindOptions {
  filter?: Filter;
  /** Default: createdAt descending. `id` always breaks ties, in the same direction. */
  sort?: SortSpec;
  /** Default 50, at most 1000. */
  limit?: number;
  /** Opaque keyset cursor from a previous page's `nextCursor`. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Present when more documents follow. */
  nextCursor?: string;
}

/**
 * A grouping key: a field, the calendar day of a timestamp field at a fixed UTC offset, or the
 * elements of an array field (`unwind`): a document then counts once under each element, and not at
 * all when the array is empty or missing (MongoDB's `$unwind`; FerretDB v1 lacks
 * `preserveNullAndEmptyArrays`, so the null group cannot be kept on every adapter).
 */
export type GroupKey =
  string | { field: string; bucket: 'day'; utcOffsetMinutes: number } | { field: string; unwind: true };

export interface GroupCount {
  key: Record<string, Scalar>;
  count: number;
}

/** Two timestamp fields of a document: a duration runs from `from` to `to`. */
export interface Span {
  from: string;
  to: string;
}

export interface GroupDurations<S extends string = string> {
  key: Record<string, Scalar>;
  /** Documents in the group, with or without the timestamps (as countBy counts them). */
  count: number;
  /** Per span: milliseconds from `from` to `to`, ascending, one per document having both timestamps. */
  durationsMs: Record<S, number[]>;
}

export interface WriteOptions {
  /** Fail with ConflictError unless the stored version equals this. */
  expectedVersion?: number;
  /** Extra conditions the stored document must meet (tenant scope), else NotFoundError. */
  filter?: Filter;
}

export interface Collection<T extends StoredDoc> {
  readonly spec: CollectionSpec;
  /** `filter` narrows the lookup (tenant scope): a document outside it is "not found". */
  get(id: string, filter?: Filter): Promise<T | null>;
  /** Throws DuplicateKeyError when the id or a unique key exists. */
  insert(doc: NewDoc<T>): Promise<T>;
  /** Inserts, or overwrites the whole document keeping createdAt and bumping version. */
  upsert(doc: NewDoc<T>): Promise<T>;
  /**
   * upsert() for many documents at once (collectors write in batches). Not atomic as a whole on
   * every adapter, but each document is upserted exactly as upsert() would.
   */
  upsertMany(docs: readonly NewDoc<T>[]): Promise<void>;
  /**
   * Inserts the documents whose id is not stored yet and skips the others (no error); returns the
   * ids it inserted, in input order. A repeated id within `docs` is inserted once, from its first
   * occurrence. Not atomic as a whole on every adapter, but each document is inserted at most once
   * even under concurrent calls, stamped as insert() stamps it.
   * Only an id collision is skipped: a new id colliding on a unique key throws DuplicateKeyError, and
   * then which of the other documents were stored is adapter-specific (none on SQLite).
   */
  insertMany(docs: readonly NewDoc<T>[]): Promise<string[]>;
  /** Shallow-merges top-level fields. Throws NotFoundError / ConflictError. */
  update(id: string, patch: DocPatch<T>, options?: WriteOptions): Promise<T>;
  /** Returns false when nothing matched. Throws ConflictError on a version mismatch. */
  delete(id: string, options?: WriteOptions): Promise<boolean>;
  /** Deletes every matching document (retention); returns how many. */
  deleteMany(filter: Filter): Promise<number>;
  find(options?: FindOptions): Promise<Page<T>>;
  count(filter?: Filter): Promise<number>;
  countBy(filter: Filter, groupBy: readonly GroupKey[]): Promise<GroupCount[]>;
  /**
   * Durations between timestamp fields, for several spans in one pass, grouped like countBy (every
   * group with a matching document); feeds MTTx statistics.
   */
  durations<S extends string>(
    filter: Filter,
    spans: Readonly<Record<S, Span>>,
    groupBy: readonly GroupKey[],
  ): Promise<GroupDurations<S>[]>;
}

export interface Store {
  readonly kind: 'sqlite' | 'mongo';
  collection<T extends StoredDoc>(name: string): Collection<T>;
  /** Resolves when the backing server answers; used by /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class StoreError extends Error {
  constructor(
    message: string,
    readonly collection: string,
    readonly id?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
export class NotFoundError extends StoreError {}
export class ConflictError extends StoreError {}
export class DuplicateKeyError extends StoreError {}
