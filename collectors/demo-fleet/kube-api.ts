/**
 * The Kubernetes API subset the collectors use, answering like kube-apiserver: typed lists with
 * resourceVersion, limit/continue paging (410 for an expired token), label and field selectors,
 * single GETs, and newline-delimited JSON watches with bookmarks, timeouts and 410 on too-old
 * resume points. Read-only: changes come from churn and the fleet's mutate().
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimCluster } from './cluster.js';
import { stableHex } from './random.js';
import {
  BadContinueError,
  ExpiredError,
  RESOURCES,
  apiVersionOf,
  type K8sObject,
  type ResourceName,
  type Watcher,
} from './store.js';

/** The apiserver's default for watches without timeoutSeconds (--min-request-timeout). */
const DEFAULT_WATCH_TIMEOUT_S = 1800;

export function statusObject(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

export function sendStatus(
  res: ServerResponse,
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
): void {
  sendJson(res, code, statusObject(code, reason, message, details));
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.end(JSON.stringify(body));
}

class SelectorError extends Error {}

type Predicate = (object: K8sObject) => boolean;

/** Equality- and set-based label selectors (`a=b,c!=d,e in (f,g),!h`). */
function parseLabelSelector(text: string): Predicate {
  const terms = text
    .split(/,(?![^(]*\))/)
    .map((term) => term.trim())
    .filter(Boolean);
  const tests = terms.map((term): ((labels: Record<string, string>) => boolean) => {
    let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      const [, key = '', op, list = ''] = m;
      const values = list.split(',').map((v) => v.trim());
      return (labels) => (op === 'in') === (key in labels && values.includes(labels[key] as string));
    }
    m = /^(!?)([\w./-]+)$/.exec(term);
    if (m) {
      const [, not, key = ''] = m;
      return (labels) => key in labels !== (not === '!');
    }
    m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(term);
    if (m) {
      const [, key = '', op, value] = m;
      return (labels) => (labels[key] === value) === (op !== '!=');
    }
    throw new SelectorError(`unable to parse requirement: ${JSON.stringify(term)}`);
  });
  return (object) => tests.every((test) => test(object.metadata.labels ?? {}));
}

const COMMON_FIELDS = ['metadata.name', 'metadata.namespace'];
/** The field selectors the apiserver supports per resource, and where the value lives. */
const FIELDS: Partial<Record<ResourceName, Record<string, string>>> = {
  pods: Object.fromEntries(
    [
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'status.phase',
      'status.podIP',
    ].map((f) => [f, f]),
  ),
  events: {
    ...Object.fromEntries(
      [
        'involvedObject.kind',
        'involvedObject.namespace',
        'involvedObject.name',
        'involvedObject.uid',
        'involvedObject.apiVersion',
        'involvedObject.resourceVersion',
        'involvedObject.fieldPath',
        'reason',
        'reportingComponent',
        'type',
      ].map((f) => [f, f]),
    ),
    source: 'source.component',
  },
  nodes: { 'spec.unschedulable': 'spec.unschedulable' },
  namespaces: { 'status.phase': 'status.phase' },
};

function fieldValue(object: K8sObject, path: string): string {
  let value: unknown = object;
  for (const part of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
  return value === undefined || value === null ? '' : String(value);
}

/** Field selectors like `type=Warning` or `type!=Normal,involvedObject.kind=Pod`. */
function parseFieldSelector(resource: ResourceName, text: string): Predicate {
  const supported: Record<string, string> = {
    ...Object.fromEntries(COMMON_FIELDS.map((f) => [f, f])),
    ...FIELDS[resource],
  };
  const tests = text
    .split(',')
    .map((term) => term.trim())
    .filter(Boolean)
    .map((term): Predicate => {
      const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
      if (!m) throw new SelectorError(`invalid selector: '${text}'; can't understand '${term}'`);
      const [, field = '', op, value] = m;
      const path = supported[field];
      if (path === undefined) throw new SelectorError(`field label not supported: ${field}`);
      return (object) => (fieldValue(object, path) === value) === (op !== '!=');
    });
  return (object) => tests.every((test) => test(object));
}

function matcher(resource: ResourceName, query: URLSearchParams): Predicate | undefined {
  const predicates: Predicate[] = [];
  const labels = query.get('labelSelector');
  const fields = query.get('fieldSelector');
  if (labels) predicates.push(parseLabelSelector(labels));
  if (fields) predicates.push(parseFieldSelector(resource, fields));
  if (predicates.length === 0) return undefined;
  return (object) => predicates.every((p) => p(object));
}

interface Route {
  resource: ResourceName;
  namespace?: string;
  name?: string;
}

/** Maps /api/v1/... and /apis/<group>/<version>/... paths to a resource, namespace and name. */
function route(path: string): Route | undefined {
  const m = /^\/api\/(v1)\/(.+)$/.exec(path) ?? /^\/apis\/([^/]+\/[^/]+)\/(.+)$/.exec(path);
  if (!m) return undefined;
  const [, groupVersion, rest = ''] = m;
  const parts = rest.split('/').map(decodeURIComponent);
  let namespace: string | undefined;
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    namespace = parts[1];
    parts.splice(0, 2);
  }
  if (parts.length > 2) return undefined;
  const [resource = '', name] = parts;
  if (!Object.hasOwn(RESOURCES, resource)) return undefined;
  const type = RESOURCES[resource as ResourceName];
  if (apiVersionOf(type) !== groupVersion || (namespace !== undefined && !type.namespaced)) return undefined;
  return {
    resource: resource as ResourceName,
    ...(namespace ? { namespace } : {}),
    ...(name ? { name } : {}),
  };
}

export interface WatchTracker {
  /** Registers an open watch so that an outage or stop() can cut it; returns the unregister function. */
  (res: ServerResponse): () => void;
}

export function handleKubeApi(
  cluster: SimCluster,
  path: string,
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
  track: WatchTracker,
): void {
  if (req.method !== 'GET') {
    sendStatus(
      res,
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    );
    return;
  }
  if (path === '/version') {
    sendJson(res, 200, versionInfo(cluster));
    return;
  }
  const target = route(path);
  if (!target) {
    sendStatus(res, 404, 'NotFound', 'the server could not find the requested resource');
    return;
  }
  const { resource, namespace, name } = target;
  if (name !== undefined) {
    const entry = cluster.store.get(
      resource,
      RESOURCES[resource].namespaced ? (namespace ?? '') : undefined,
      name,
    );
    if (entry) sendJson(res, 200, cluster.store.render(entry));
    else sendStatus(res, 404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource });
    return;
  }
  let matches: Predicate | undefined;
  try {
    matches = matcher(resource, query);
  } catch (error) {
    if (!(error instanceof SelectorError)) throw error;
    sendStatus(res, 400, 'BadRequest', error.message);
    return;
  }
  if (query.get('watch') === 'true' || query.get('watch') === '1') {
    watch(cluster, target, query, matches, res, track);
  } else {
    list(cluster, target, query, matches, res);
  }
}

function list(
  cluster: SimCluster,
  { resource, namespace }: Route,
  query: URLSearchParams,
  matches: Predicate | undefined,
  res: ServerResponse,
): void {
  const type = RESOURCES[resource];
  try {
    const page = cluster.store.list(resource, {
      namespace,
      limit: Number(query.get('limit') ?? 0) || undefined,
      continueToken: query.get('continue') || undefined,
      matches,
    });
    // List items carry no kind/apiVersion on the wire; only the list itself does. Renders are fresh.
    const items: Partial<K8sObject>[] = page.items;
    for (const item of items) {
      delete item.kind;
      delete item.apiVersion;
    }
    sendJson(res, 200, {
      kind: `${type.kind}List`,
      apiVersion: apiVersionOf(type),
      metadata: {
        resourceVersion: page.resourceVersion,
        ...(page.continue ? { continue: page.continue } : {}),
        ...(page.remainingItemCount !== undefined ? { remainingItemCount: page.remainingItemCount } : {}),
      },
      items,
    });
  } catch (error) {
    if (error instanceof ExpiredError) {
      sendStatus(
        res,
        410,
        'Expired',
        'The provided continue parameter is too old to display a consistent list result. ' +
          'You can start a new list without the continue parameter.',
      );
    } else if (error instanceof BadContinueError) {
      sendStatus(res, 400, 'BadRequest', error.message);
    } else {
      throw error;
    }
  }
}

function watch(
  cluster: SimCluster,
  { resource, namespace }: Route,
  query: URLSearchParams,
  matches: Predicate | undefined,
  res: ServerResponse,
  track: WatchTracker,
): void {
  const rvParam = query.get('resourceVersion') ?? '';
  // "" and "0" mean "any": the watch starts with the current objects as ADDED events.
  const fromRv = rvParam === '' || rvParam === '0' ? undefined : Number(rvParam);
  if (fromRv !== undefined && !Number.isSafeInteger(fromRv)) {
    sendStatus(res, 400, 'BadRequest', `invalid resource version: ${JSON.stringify(rvParam)}`);
    return;
  }
  const timeoutS = Number(query.get('timeoutSeconds') ?? DEFAULT_WATCH_TIMEOUT_S) || DEFAULT_WATCH_TIMEOUT_S;
  const bookmarks = query.get('allowWatchBookmarks') === 'true';
  const watcher: Watcher = {
    namespace,
    bookmarks,
    matches: matches ?? (() => true),
    write: (line) => res.write(`${line}\n`),
  };
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  let initial: string[];
  try {
    initial = cluster.store.watch(resource, fromRv, watcher);
  } catch (error) {
    if (!(error instanceof ExpiredError)) throw error;
    // The apiserver accepts the watch, then reports the expiry as its only event and ends it.
    res.end(`${JSON.stringify({ type: 'ERROR', object: statusObject(410, 'Expired', error.message) })}\n`);
    return;
  }
  if (initial.length > 0) res.write(`${initial.join('\n')}\n`);
  else res.flushHeaders();
  const untrack = track(res);
  const timer = setTimeout(() => {
    if (bookmarks) watcher.write(cluster.store.bookmarkLine(resource));
    res.end();
  }, timeoutS * 1000);
  res.on('close', () => {
    clearTimeout(timer);
    cluster.store.unwatch(resource, watcher);
    untrack();
  });
}

function versionInfo(cluster: SimCluster) {
  const version = cluster.ctx.profile.kubeletVersion;
  const [major = '1', minor = '0'] = version.replace(/^v/, '').split('.');
  return {
    major,
    minor,
    gitVersion: version,
    gitCommit: stableHex(`kubernetes/${version}`, 40),
    gitTreeState: 'clean',
    buildDate: '2023-10-18T11:33:23Z',
    goVersion: 'go1.20.10',
    compiler: 'gc',
    platform: `linux/${cluster.ctx.profile.arch}`,
  };
}
