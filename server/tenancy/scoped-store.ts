/**
 * Tenant scoping, enforced in one place below the routes: every request handler gets the store
 * through `scopeStore(store, principal)`, which narrows every read and write of a tenant-scoped
 * principal to its tenants. A document outside the scope is "not found", never "forbidden", so ids
 * of other tenants' objects are not confirmed.
 */
import type { Principal } from '../identity/principal.js';
import type {
  Collection,
  DocPatch,
  FieldCondition,
  Filter,
  FindOptions,
  GroupKey,
  NewDoc,
  Scalar,
  Span,
  Store,
  StoredDoc,
  WriteOptions,
} from '../store/port.js';

/**
 * How each collection relates to tenants:
 * - `tenant`: documents carry `tenantId`; a scoped principal sees those of its tenants only;
 * - `self`: the collection of tenants itself, matched on `id`;
 * - `owner`: documents carry `ownerUserId`; a scoped principal sees its own only;
 * - `platform` (default): platform objects; a scoped principal sees none.
 */
export type ScopeRule = 'tenant' | 'self' | 'owner' | 'platform';

export class ScopeViolationError extends Error {
  constructor(collection: string) {
    super(`${collection}: the document belongs to a tenant outside the caller's scope`);
    this.name = 'ScopeViolationError';
  }
}

const RANGE_KEYS = ['gt', 'gte', 'lt', 'lte'] as const;

/** Whether a scalar satisfies a field condition (used to intersect a caller's filter with a scope). */
function satisfies(value: Scalar, condition: FieldCondition): boolean {
  if (condition === null || typeof condition !== 'object') return value === condition;
  const c = condition;
  if (c.eq !== undefined && !satisfies(value, c.eq)) return false;
  if (c.ne !== undefined && value === c.ne) return false;
  if (c.in !== undefined && !c.in.includes(value)) return false;
  if (c.nin !== undefined && c.nin.includes(value)) return false;
  if (c.exists !== undefined && (value !== null) !== c.exists) return false;
  if (c.has !== undefined && value !== c.has) return false;
  if (
    c.contains !== undefined &&
    !(typeof value === 'string' && value.toLowerCase().includes(c.contains.toLowerCase()))
  )
    return false;
  for (const key of RANGE_KEYS) {
    const bound = c[key];
    if (bound === undefined) continue;
    if (value === null || typeof value === 'boolean') return false;
    const ok = { gt: value > bound, gte: value >= bound, lt: value < bound, lte: value <= bound }[key];
    if (!ok) return false;
  }
  return true;
}

class ScopedCollection<T extends StoredDoc> implements Collection<T> {
  constructor(
    private readonly inner: Collection<T>,
    private readonly field: string,
    private readonly allowed: readonly string[],
  ) {}

  get spec() {
    return this.inner.spec;
  }

  /** The caller's filter with the scope field narrowed to the allowed values it still admits. */
  private scoped(filter: Filter = {}): Filter {
    const own = filter[this.field];
    const values = own === undefined ? [...this.allowed] : this.allowed.filter((v) => satisfies(v, own));
    return { ...filter, [this.field]: { in: values } };
  }

  private options(options: WriteOptions = {}): WriteOptions {
    return { ...options, filter: this.scoped(options.filter) };
  }

  private assertInScope(doc: object): void {
    const value = (doc as Record<string, unknown>)[this.field];
    if (typeof value !== 'string' || !this.allowed.includes(value))
      throw new ScopeViolationError(this.spec.name);
  }

  get(id: string, filter?: Filter): Promise<T | null> {
    return this.inner.get(id, this.scoped(filter));
  }

  insert(doc: NewDoc<T>): Promise<T> {
    this.assertInScope(doc);
    return this.inner.insert(doc);
  }

  async upsert(doc: NewDoc<T>): Promise<T> {
    this.assertInScope(doc);
    // Overwriting must not take over a document of another tenant with the same id.
    const existing = await this.inner.get(doc.id);
    if (existing) this.assertInScope(existing);
    return this.inner.upsert(doc);
  }

  async upsertMany(docs: readonly NewDoc<T>[]): Promise<void> {
    for (const doc of docs) await this.upsert(doc);
  }

  /** Skipping an id that exists never touches it, so only the new documents' scope matters. */
  insertMany(docs: readonly NewDoc<T>[]): Promise<string[]> {
    for (const doc of docs) this.assertInScope(doc);
    return this.inner.insertMany(docs);
  }

  update(id: string, patch: DocPatch<T>, options?: WriteOptions): Promise<T> {
    if (this.field in patch) this.assertInScope(patch);
    return this.inner.update(id, patch, this.options(options));
  }

  delete(id: string, options?: WriteOptions): Promise<boolean> {
    return this.inner.delete(id, this.options(options));
  }

  deleteMany(filter: Filter): Promise<number> {
    return this.inner.deleteMany(this.scoped(filter));
  }

  find(options: FindOptions = {}) {
    return this.inner.find({ ...options, filter: this.scoped(options.filter) });
  }

  count(filter?: Filter): Promise<number> {
    return this.inner.count(this.scoped(filter));
  }

  countBy(filter: Filter, groupBy: readonly GroupKey[]) {
    return this.inner.countBy(this.scoped(filter), groupBy);
  }

  durations<S extends string>(
    filter: Filter,
    spans: Readonly<Record<S, Span>>,
    groupBy: readonly GroupKey[],
  ) {
    return this.inner.durations(this.scoped(filter), spans, groupBy);
  }
}

/** Everything a scoped principal may not see: empty reads, refused writes. */
class SealedCollection<T extends StoredDoc> extends ScopedCollection<T> {
  constructor(inner: Collection<T>) {
    super(inner, 'id', []);
  }
}

export function scopeStore(
  store: Store,
  principal: Principal,
  rules: Readonly<Record<string, ScopeRule>>,
): Store {
  const tenants = principal.tenantIds;
  if (tenants === undefined) return store;
  const wrap = <T extends StoredDoc>(name: string): Collection<T> => {
    const inner = store.collection<T>(name);
    switch (rules[name] ?? 'platform') {
      case 'tenant':
        return new ScopedCollection(inner, 'tenantId', tenants);
      case 'self':
        return new ScopedCollection(inner, 'id', tenants);
      case 'owner':
        return new ScopedCollection(inner, 'ownerUserId', [principal.userId]);
      case 'platform':
        return new SealedCollection(inner);
    }
  };
  return {
    kind: store.kind,
    collection: wrap,
    ping: () => store.ping(),
    close: () => Promise.reject(new Error('a scoped store cannot close the shared store')),
  };
}
