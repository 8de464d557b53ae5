/**
 * One simulated cluster's object storage with etcd-like semantics: a single increasing
 * resourceVersion, key-ordered paging with continue tokens, and a bounded per-resource change
 * history that watches resume from (older resume points get 410 Gone, as with a compacted etcd).
 */

export type ResourceName =
  | 'nodes'
  | 'namespaces'
  | 'pods'
  | 'events'
  | 'deployments'
  | 'statefulsets'
  | 'daemonsets'
  | 'replicasets'
  | 'networkpolicies'
  | 'rolebindings'
  | 'clusterrolebindings';

export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

export const RESOURCES: Readonly<Record<ResourceName, ResourceType>> = {
  nodes: { group: '', version: 'v1', kind: 'Node', namespaced: false },
  namespaces: { group: '', version: 'v1', kind: 'Namespace', namespaced: false },
  pods: { group: '', version: 'v1', kind: 'Pod', namespaced: true },
  events: { group: '', version: 'v1', kind: 'Event', namespaced: true },
  deployments: { group: 'apps', version: 'v1', kind: 'Deployment', namespaced: true },
  statefulsets: { group: 'apps', version: 'v1', kind: 'StatefulSet', namespaced: true },
  daemonsets: { group: 'apps', version: 'v1', kind: 'DaemonSet', namespaced: true },
  replicasets: { group: 'apps', version: 'v1', kind: 'ReplicaSet', namespaced: true },
  networkpolicies: { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', namespaced: true },
  rolebindings: { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', namespaced: true },
  clusterrolebindings: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'ClusterRoleBinding',
    namespaced: false,
  },
};

export const apiVersionOf = (type: ResourceType): string =>
  type.group ? `${type.group}/${type.version}` : type.version;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  [field: string]: unknown;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** Generated records render lazily so that 100k pods stay compact in memory; renders are fresh objects. */
export interface Source {
  render(): K8sObject;
}

export interface Entry {
  readonly key: string;
  readonly rv: number;
  readonly source: Source;
}

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface Change {
  readonly type: ChangeType;
  readonly entry: Entry;
}

export interface Watcher {
  readonly namespace: string | undefined;
  readonly bookmarks: boolean;
  matches(object: K8sObject): boolean;
  write(line: string): void;
}

export interface ListPage {
  items: K8sObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** Raised for a resume point the history no longer covers; the HTTP layer answers 410 Gone. */
export class ExpiredError extends Error {}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

class Table {
  readonly entries = new Map<string, Entry>();
  /** Keys in byte order, as etcd returns them, so paging is stable. */
  readonly keys: string[] = [];
  /** Changes since `floor`, from index `head` on (dropping from the front is amortised O(1)). */
  history: Change[] = [];
  head = 0;
  /** A watch may resume from any resourceVersion >= floor. */
  floor = 0;
  readonly watchers = new Set<Watcher>();
}

const objectKey = (namespace: string | undefined, name: string): string =>
  namespace === undefined ? name : `${namespace}/${name}`;

const inNamespace = (key: string, namespace: string | undefined): boolean =>
  namespace === undefined || key.startsWith(`${namespace}/`);

function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class ObjectStore {
  private rv = 0;
  private sealed = false;
  private readonly tables = new Map<ResourceName, Table>();

  constructor(private readonly historyWindow: number) {
    for (const name of Object.keys(RESOURCES) as ResourceName[]) this.tables.set(name, new Table());
  }

  get resourceVersion(): number {
    return this.rv;
  }

  private table(resource: ResourceName): Table {
    return this.tables.get(resource) as Table;
  }

  /** Renders an entry with the resourceVersion it was stored at. */
  render(entry: Entry): K8sObject {
    const object = entry.source.render();
    object.metadata.resourceVersion = String(entry.rv);
    return object;
  }

  get(resource: ResourceName, namespace: string | undefined, name: string): Entry | undefined {
    return this.table(resource).entries.get(objectKey(namespace, name));
  }

  entries(resource: ResourceName): IterableIterator<Entry> {
    return this.table(resource).entries.values();
  }

  count(resource: ResourceName): number {
    return this.table(resource).keys.length;
  }

  /** The entry at a position in key order, for picking objects at random without building arrays. */
  at(resource: ResourceName, index: number): Entry | undefined {
    const table = this.table(resource);
    const key = table.keys[index];
    return key === undefined ? undefined : table.entries.get(key);
  }

  put(resource: ResourceName, namespace: string | undefined, name: string, source: Source): ChangeType {
    const table = this.table(resource);
    const key = objectKey(namespace, name);
    const existed = table.entries.has(key);
    const entry: Entry = { key, rv: ++this.rv, source };
    table.entries.set(key, entry);
    if (!existed) table.keys.splice(lowerBound(table.keys, key), 0, key);
    const type = existed ? 'MODIFIED' : 'ADDED';
    this.record(table, { type, entry });
    return type;
  }

  remove(resource: ResourceName, namespace: string | undefined, name: string): boolean {
    const table = this.table(resource);
    const key = objectKey(namespace, name);
    const old = table.entries.get(key);
    if (old === undefined) return false;
    table.entries.delete(key);
    table.keys.splice(lowerBound(table.keys, key), 1);
    // The apiserver reports a deletion with the object's last state at the deletion's revision.
    this.record(table, { type: 'DELETED', entry: { key, rv: ++this.rv, source: old.source } });
    return true;
  }

  /** Marks the current state as the oldest a watch can resume from (after the initial population). */
  seal(): void {
    this.sealed = true;
    for (const table of this.tables.values()) {
      table.history = [];
      table.head = 0;
      table.floor = this.rv;
    }
  }

  /**
   * Drops all history. The revision moves on (as it always does on a live cluster, where leases
   * are written every few seconds) so that every earlier resume point is expired, while a fresh
   * list returns a revision that can be watched from.
   */
  compact(): void {
    this.rv++;
    this.seal();
  }

  private record(table: Table, change: Change): void {
    // Before seal() (the initial population) nothing can resume from a change, so none is kept.
    if (this.sealed) {
      table.history.push(change);
      if (table.history.length - table.head > this.historyWindow) {
        table.floor = (table.history[table.head] as Change).entry.rv;
        table.head++;
        if (table.head >= this.historyWindow) {
          table.history.splice(0, table.head);
          table.head = 0;
        }
      }
    }
    if (table.watchers.size === 0) return;
    let object: K8sObject | undefined;
    let line: string | undefined;
    for (const watcher of table.watchers) {
      if (!inNamespace(change.entry.key, watcher.namespace)) continue;
      object ??= this.render(change.entry);
      if (!watcher.matches(object)) continue;
      line ??= JSON.stringify({ type: change.type, object });
      watcher.write(line);
    }
  }

  list(
    resource: ResourceName,
    options: {
      namespace?: string | undefined;
      limit?: number | undefined;
      continueToken?: string | undefined;
      matches?: ((object: K8sObject) => boolean) | undefined;
    },
  ): ListPage {
    const table = this.table(resource);
    const prefix = options.namespace === undefined ? '' : `${options.namespace}/`;
    // '0' follows '/' in byte order, so this bounds exactly the keys of one namespace.
    const end =
      options.namespace === undefined ? table.keys.length : lowerBound(table.keys, `${options.namespace}0`);
    let rv = this.rv;
    let index = lowerBound(table.keys, prefix);
    if (options.continueToken !== undefined) {
      const token = decodeContinue(options.continueToken);
      if (token.rv < table.floor) throw new ExpiredError(`continue token of revision ${token.rv} expired`);
      rv = token.rv;
      index = Math.max(index, lowerBound(table.keys, token.start));
    }
    const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
    const items: K8sObject[] = [];
    let lastKey = '';
    for (; index < end && items.length < limit; index++) {
      const key = table.keys[index] as string;
      const object = this.render(table.entries.get(key) as Entry);
      lastKey = key;
      if (options.matches === undefined || options.matches(object)) items.push(object);
    }
    const page: ListPage = { items, resourceVersion: String(rv) };
    if (index < end) {
      page.continue = encodeContinue({ v: 'meta.k8s.io/v1', rv, start: `${lastKey}\u0000` });
      // Like the apiserver, the count is only known without selectors.
      if (options.matches === undefined) page.remainingItemCount = end - index;
    }
    return page;
  }

  /**
   * Starts a watch: returns the lines to send first (the current objects for a watch without a
   * resume point, else the changes since it) and registers the watcher for live changes.
   * Throws ExpiredError when the resume point is older than the kept history.
   */
  watch(resource: ResourceName, fromRv: number | undefined, watcher: Watcher): string[] {
    const table = this.table(resource);
    const lines: string[] = [];
    if (fromRv === undefined) {
      for (const key of table.keys) {
        const object = this.render(table.entries.get(key) as Entry);
        if (inNamespace(key, watcher.namespace) && watcher.matches(object)) {
          lines.push(JSON.stringify({ type: 'ADDED', object }));
        }
      }
    } else {
      if (fromRv < table.floor) {
        throw new ExpiredError(`too old resource version: ${fromRv} (${table.floor})`);
      }
      for (let i = table.head; i < table.history.length; i++) {
        const change = table.history[i] as Change;
        if (change.entry.rv <= fromRv || !inNamespace(change.entry.key, watcher.namespace)) continue;
        const object = this.render(change.entry);
        if (watcher.matches(object)) lines.push(JSON.stringify({ type: change.type, object }));
      }
    }
    table.watchers.add(watcher);
    return lines;
  }

  unwatch(resource: ResourceName, watcher: Watcher): void {
    this.table(resource).watchers.delete(watcher);
  }

  /** A BOOKMARK line telling the watchers of a resource that they have seen everything up to now. */
  bookmarkLine(resource: ResourceName): string {
    const type = RESOURCES[resource];
    return JSON.stringify({
      type: 'BOOKMARK',
      object: {
        kind: type.kind,
        apiVersion: apiVersionOf(type),
        metadata: { resourceVersion: String(this.rv) },
      },
    });
  }

  /** Sends a bookmark to every watcher that asked for them. */
  bookmarkAll(): void {
    for (const [resource, table] of this.tables) {
      if (table.watchers.size === 0) continue;
      const line = this.bookmarkLine(resource);
      for (const watcher of table.watchers) if (watcher.bookmarks) watcher.write(line);
    }
  }
}

export class BadContinueError extends Error {}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as Partial<ContinueToken>;
    if (typeof token.rv === 'number' && typeof token.start === 'string' && token.v === 'meta.k8s.io/v1') {
      return token as ContinueToken;
    }
  } catch {
    // Falls through to the error below: the client sent something we never issued.
  }
  throw new BadContinueError('continue key is not valid');
}
