import { ListWatch, type ListWatchState, type RawObject } from '../../../collectors/kubernetes/list-watch.js';
import { resourceKinds } from '../../../collectors/kubernetes/resources.js';
import { TenantResolver } from '../../../collectors/kubernetes/tenant-resolver.js';
import { mockCluster, ndjson, pod } from './mock-cluster.js';

type Call = [string, ...unknown[]];

/** A handler that records what the loop told it, and resolves `until` when a call matches. */
function recorder() {
  const calls: Call[] = [];
  let waiting: { match: (call: Call) => boolean; resolve: () => void } | undefined;
  const push = (call: Call) => {
    calls.push(call);
    if (waiting?.match(call)) waiting.resolve();
  };
  const uid = (o: RawObject) => o.metadata?.uid;
  return {
    calls,
    until: (match: (call: Call) => boolean) =>
      new Promise<void>((resolve) => {
        if (calls.some(match)) return resolve();
        waiting = { match, resolve };
      }),
    handler: {
      page: async (items: RawObject[]) => push(['page', items.map(uid)]),
      listed: async (uids: ReadonlySet<string>) => push(['listed', [...uids].sort()]),
      upserted: async (o: RawObject) => push(['upserted', uid(o), o.metadata?.resourceVersion]),
      deleted: async (o: RawObject) => push(['deleted', uid(o)]),
      state: (s: ListWatchState) =>
        push(['state', s.phase, s.phase === 'error' ? (s.error as Error).message : undefined]),
    },
  };
}

/** MockAgent may reorder query parameters, so requests are matched on parsed ones. */
const query = (path: string) => new URL(path, 'http://x').searchParams;
let resource = '/api/v1/pods';
const watchPath = (rv: string) => (path: string) =>
  path.startsWith(`${resource}?`) &&
  query(path).get('watch') === 'true' &&
  query(path).get('resourceVersion') === rv;
const listPath = (cont?: string) => (path: string) =>
  path.startsWith(`${resource}?`) &&
  query(path).get('limit') === '2' &&
  !query(path).has('watch') &&
  query(path).get('continue') === (cont ?? null);

/** Every collection path the collectors watch: the cycle below runs for each. */
const RESOURCE_PATHS = resourceKinds(new TenantResolver({} as never)).map((kind) => kind.path);

describe('list+watch loop', () => {
  test.each(RESOURCE_PATHS)(
    'a full cycle on %s: paged list, watch add/modify/delete/bookmark, stream end, 410 relist, error back-off',
    async (path) => {
      resource = path;
      const { kc, pool, agent } = mockCluster();
      const json = { headers: { 'content-type': 'application/json' } };
      pool
        .intercept({ path: listPath() })
        .reply(
          200,
          { metadata: { resourceVersion: '100', continue: 'c1' }, items: [pod('a', '90'), pod('b', '91')] },
          json,
        );
      pool
        .intercept({ path: listPath('c1') })
        .reply(200, { metadata: { resourceVersion: '100' }, items: [pod('c', '95')] }, json);
      pool
        .intercept({ path: watchPath('100') })
        .reply(
          200,
          ndjson(
            { type: 'ADDED', object: pod('d', '101') },
            { type: 'MODIFIED', object: pod('a', '102') },
            { type: 'DELETED', object: pod('b', '103') },
            { type: 'BOOKMARK', object: { kind: 'Pod', metadata: { resourceVersion: '110' } } },
          ),
        );
      // The server ends the stream (timeoutSeconds); the loop resumes from the bookmark and hears 410.
      pool.intercept({ path: watchPath('110') }).reply(
        200,
        ndjson({
          type: 'ERROR',
          object: {
            kind: 'Status',
            code: 410,
            reason: 'Expired',
            message: 'too old resource version: 110 (150)',
          },
        }),
      );
      pool
        .intercept({ path: listPath() })
        .reply(200, { metadata: { resourceVersion: '200' }, items: [pod('a', '102'), pod('c', '95')] }, json);
      pool
        .intercept({ path: watchPath('200') })
        .reply(500, { kind: 'Status', code: 500, message: 'etcd unavailable' }, json);
      pool
        .intercept({ path: watchPath('200') })
        .reply(200, ndjson({ type: 'MODIFIED', object: pod('c', '201') }));

      const r = recorder();
      const loop = new ListWatch(kc, r.handler, {
        path,
        pageSize: 2,
        backoffBaseMs: 1,
        random: () => 0.5,
      });
      loop.start();
      await r.until((c) => c[0] === 'upserted' && c[1] === 'c' && c[2] === '201');
      await loop.stop();
      await agent.close();

      const events = r.calls.filter((c) => c[0] !== 'state' || c[1] === 'error');
      expect(events.slice(0, 10)).toEqual([
        ['page', ['a', 'b']],
        ['page', ['c']],
        ['listed', ['a', 'b', 'c']],
        ['upserted', 'd', '101'],
        ['upserted', 'a', '102'],
        ['deleted', 'b'],
        // 410: the loop lists again; the reconciliation says d is gone.
        ['page', ['a', 'c']],
        ['listed', ['a', 'c']],
        ['state', 'error', 'Internal Server Error'],
        ['upserted', 'c', '201'],
      ]);
    },
  );

  beforeEach(() => (resource = '/api/v1/pods'));

  test('a failing list is retried with growing, jittered back-off and recovers', async () => {
    const { kc, pool, agent } = mockCluster();
    const json = { headers: { 'content-type': 'application/json' } };
    pool.intercept({ path: listPath() }).replyWithError(new Error('connect ECONNREFUSED'));
    pool
      .intercept({ path: listPath() })
      .reply(503, { kind: 'Status', code: 503, message: 'apiserver starting' }, json);
    pool
      .intercept({ path: listPath() })
      .reply(200, { metadata: { resourceVersion: '5' }, items: [pod('a', '5')] }, json);
    pool.intercept({ path: watchPath('5') }).reply(200, ndjson({ type: 'ADDED', object: pod('b', '6') }));
    const r = recorder();
    const delays: number[] = [];
    const loop = new ListWatch(
      kc,
      {
        ...r.handler,
        state: (s) => {
          if (s.phase === 'error') delays.push(s.retryInMs);
          r.handler.state(s);
        },
      },
      { path: '/api/v1/pods', pageSize: 2, backoffBaseMs: 4, random: () => 0.75 },
    );
    loop.start();
    await r.until((c) => c[0] === 'upserted' && c[1] === 'b');
    await loop.stop();
    await agent.close();
    expect(delays).toEqual([5, 10]); // 4 ms × 2^n × (0.5 + 0.75)
    expect(r.calls.filter((c) => c[0] === 'listed')).toEqual([['listed', ['a']]]);
    expect(r.calls.find((c) => c[0] === 'state' && c[1] === 'error')?.[2]).toMatch(
      /fetch failed|ECONNREFUSED/,
    );
  });

  test('stop() ends a loop that is waiting out a back-off', async () => {
    const { kc, pool, agent } = mockCluster();
    pool.intercept({ path: listPath() }).replyWithError(new Error('down'));
    const r = recorder();
    const loop = new ListWatch(kc, r.handler, { path: '/api/v1/pods', pageSize: 2, backoffBaseMs: 60_000 });
    loop.start();
    await r.until((c) => c[0] === 'state' && c[1] === 'error');
    await loop.stop();
    await agent.close();
    expect(r.calls.filter((c) => c[1] === 'listing')).toHaveLength(1);
  });
});
