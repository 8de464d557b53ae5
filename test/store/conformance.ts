/**
 * The store port's conformance suite: every adapter runs exactly these tests.
 * Call `storeConformance(name, harness)` inside a test file; the harness opens a fresh, empty store
 * and can reopen the same data after a close (restart durability).
 */
import { InvalidFieldError } from '../../server/store/fields.js';
import { InvalidCursorError } from '../../server/store/keyset.js';
import {
  ConflictError,
  DuplicateKeyError,
  NotFoundError,
  type CollectionSpec,
  type Store,
  type StoredDoc,
} from '../../server/store/port.js';

export interface StoreHarness {
  /** A new store over empty data. */
  open(specs: readonly CollectionSpec[]): Promise<Store>;
  /** The same data as the last `open`, after that store was closed. */
  reopen(specs: readonly CollectionSpec[]): Promise<Store>;
  /** Called once after all tests. */
  cleanup?(): Promise<void>;
}

interface Widget extends StoredDoc {
  tenantId: string;
  code: string;
  name: string;
  kind: string;
  size?: number;
  active: boolean;
  tags: string[];
  k8s?: { cluster: string; namespace?: string };
}

interface IncidentRow extends StoredDoc {
  tenantId: string;
  severity: string;
  occurredAt?: string;
  detectedAt: string;
  resolvedAt?: string;
  clusterIds?: string[];
}

export const conformanceSpecs: CollectionSpec[] = [
  { name: 'widgets', indexes: [['tenantId', 'createdAt'], ['kind'], ['k8s.cluster']], unique: [['code']] },
  { name: 'incident_rows', indexes: [['tenantId', 'detectedAt'], ['severity']] },
];

const widget = (
  id: string,
  extra: Partial<Widget> = {},
): Omit<Widget, 'version' | 'createdAt' | 'updatedAt'> => ({
  id,
  tenantId: 't-a',
  code: `code-${id}`,
  name: `widget ${id}`,
  kind: 'alpha',
  active: true,
  tags: [],
  ...extra,
});

export function storeConformance(adapter: string, harness: StoreHarness): void {
  describe(`store conformance: ${adapter}`, () => {
    let store: Store;
    const widgets = () => store.collection<Widget>('widgets');
    const incidents = () => store.collection<IncidentRow>('incident_rows');

    beforeEach(async () => {
      store = await harness.open(conformanceSpecs);
    });
    afterEach(async () => {
      await store.close();
    });
    afterAll(async () => {
      await harness.cleanup?.();
    });

    test('ping answers on an open store', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    describe('CRUD', () => {
      test('insert stamps version and timestamps; get returns the same document', async () => {
        const inserted = await widgets().insert(
          widget('w1', {
            k8s: { cluster: 'c1', namespace: 'ns' },
            tags: ['a', 'b'],
            size: 3.5,
            name: '政务外网 节点',
          }),
        );
        expect(inserted.version).toBe(1);
        expect(inserted.createdAt).toBe(inserted.updatedAt);
        expect(Date.parse(inserted.createdAt)).not.toBeNaN();
        expect(await widgets().get('w1')).toEqual(inserted);
        expect(await widgets().get('missing')).toBeNull();
      });

      test('map keys with dots and dollars (Kubernetes labels) round-trip', async () => {
        const labels = {
          'kubernetes.io/arch': 'arm64',
          'app.kubernetes.io/name': 'x',
          $weird: 'y',
          'a.b.c': 'z',
        };
        await widgets().insert({ ...widget('w1'), labels } as never);
        expect(((await widgets().get('w1')) as unknown as { labels: unknown }).labels).toEqual(labels);
        const updated = await widgets().update('w1', {
          labels: { 'node.kubernetes.io/role': 'worker' },
        } as never);
        expect((updated as unknown as { labels: unknown }).labels).toEqual({
          'node.kubernetes.io/role': 'worker',
        });
        expect(((await widgets().get('w1')) as unknown as { labels: unknown }).labels).toEqual({
          'node.kubernetes.io/role': 'worker',
        });
      });

      test('duplicate ids and duplicate unique keys are rejected', async () => {
        await widgets().insert(widget('w1'));
        await expect(widgets().insert(widget('w1', { code: 'other' }))).rejects.toBeInstanceOf(
          DuplicateKeyError,
        );
        await expect(widgets().insert(widget('w2', { code: 'code-w1' }))).rejects.toBeInstanceOf(
          DuplicateKeyError,
        );
        expect(await widgets().count()).toBe(1);
      });

      test('get with a scope filter hides documents outside it', async () => {
        await widgets().insert(widget('w1', { tenantId: 't-b' }));
        expect(await widgets().get('w1', { tenantId: 't-a' })).toBeNull();
        expect((await widgets().get('w1', { tenantId: 't-b' }))?.id).toBe('w1');
      });

      test('update merges fields, bumps version, removes undefined fields', async () => {
        const first = await widgets().insert(widget('w1', { size: 1 }));
        const updated = await widgets().update('w1', { name: 'renamed', size: undefined });
        expect(updated).toMatchObject({ id: 'w1', name: 'renamed', version: 2, createdAt: first.createdAt });
        expect(updated).not.toHaveProperty('size');
        expect(await widgets().get('w1')).toEqual(updated);
      });

      test('update honours expectedVersion, scope and existence', async () => {
        await widgets().insert(widget('w1'));
        await expect(widgets().update('w1', { name: 'x' }, { expectedVersion: 5 })).rejects.toBeInstanceOf(
          ConflictError,
        );
        await expect(
          widgets().update('w1', { name: 'x' }, { filter: { tenantId: 't-b' } }),
        ).rejects.toBeInstanceOf(NotFoundError);
        await expect(widgets().update('nope', { name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
        const ok = await widgets().update(
          'w1',
          { name: 'x' },
          { expectedVersion: 1, filter: { tenantId: 't-a' } },
        );
        expect(ok.version).toBe(2);
        expect((await widgets().get('w1'))?.name).toBe('x');
      });

      test('concurrent updates at the same version: exactly one wins', async () => {
        await widgets().insert(widget('w1'));
        const results = await Promise.allSettled(
          ['a', 'b', 'c', 'd'].map((name) => widgets().update('w1', { name }, { expectedVersion: 1 })),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost.every((r) => (r as PromiseRejectedResult).reason instanceof ConflictError)).toBe(true);
        expect((await widgets().get('w1'))?.version).toBe(2);
      });

      test('upsert inserts, then overwrites the whole document keeping createdAt', async () => {
        const first = await widgets().upsert(widget('w1', { size: 9 }));
        expect(first.version).toBe(1);
        const second = await widgets().upsert(widget('w1', { name: 'again' }));
        expect(second).toMatchObject({ version: 2, name: 'again', createdAt: first.createdAt });
        expect(await widgets().get('w1')).not.toHaveProperty('size');
        expect(await widgets().count()).toBe(1);
      });

      test('upsertMany inserts new and overwrites existing documents, bumping versions', async () => {
        await widgets().insert(widget('w1', { size: 1 }));
        await widgets().upsertMany([widget('w1', { name: 'again' }), widget('w2'), widget('w3')]);
        expect(await widgets().count()).toBe(3);
        const w1 = await widgets().get('w1');
        expect(w1).toMatchObject({ version: 2, name: 'again' });
        expect(w1).not.toHaveProperty('size');
        expect((await widgets().get('w3'))?.version).toBe(1);
        await widgets().upsertMany([]);
        expect(await widgets().count()).toBe(3);
      });

      test('insertMany inserts new ids only, first occurrence of a repeat, stamped as insert()', async () => {
        const stored = await widgets().insert(widget('w1', { size: 1 }));
        const inserted = await widgets().insertMany([
          widget('w2', { name: 'first' }),
          widget('w1', { name: 'again' }),
          widget('w3'),
          widget('w2', { name: 'second' }),
        ]);
        expect(inserted).toEqual(['w2', 'w3']);
        expect(await widgets().get('w1')).toEqual(stored);
        const w2 = await widgets().get('w2');
        expect(w2).toMatchObject({ name: 'first', version: 1 });
        expect(w2?.createdAt).toBe(w2?.updatedAt);
        expect(Date.parse(w2!.createdAt)).not.toBeNaN();
        expect(await widgets().insertMany([])).toEqual([]);
        expect(await widgets().count()).toBe(3);
      });

      test('insertMany skips a re-delivered document but refuses a new id on a taken unique key', async () => {
        expect(await widgets().insertMany([widget('w1')])).toEqual(['w1']);
        // Same id and same unique code: a re-delivery, not a conflict.
        expect(await widgets().insertMany([widget('w1')])).toEqual([]);
        await expect(widgets().insertMany([widget('w9', { code: 'code-w1' })])).rejects.toBeInstanceOf(
          DuplicateKeyError,
        );
        expect(await widgets().get('w9')).toBeNull();
      });

      test('concurrent insertMany calls with overlapping ids insert each id exactly once', async () => {
        const ids = (from: number, to: number) =>
          Array.from({ length: to - from }, (_, i) => `w${String(from + i).padStart(2, '0')}`);
        const [a, b] = await Promise.all([
          widgets().insertMany(ids(0, 30).map((id) => widget(id, { name: 'a' }))),
          widgets().insertMany(ids(15, 45).map((id) => widget(id, { name: 'b' }))),
        ]);
        expect([...a, ...b].sort()).toEqual(ids(0, 45));
        const all = (await widgets().find({ limit: 100 })).items;
        expect(all).toHaveLength(45);
        expect(all.every((w) => w.version === 1)).toBe(true);
        // Each stored document is the one its returned id came from.
        expect(all.every((w) => w.name === (a.includes(w.id) ? 'a' : 'b'))).toBe(true);
      });

      test('delete reports what it removed and honours version and scope', async () => {
        await widgets().insert(widget('w1'));
        await widgets().insert(widget('w2'));
        await expect(widgets().delete('w1', { expectedVersion: 3 })).rejects.toBeInstanceOf(ConflictError);
        expect(await widgets().delete('w1', { filter: { tenantId: 't-b' } })).toBe(false);
        expect(await widgets().delete('w1', { expectedVersion: 1 })).toBe(true);
        expect(await widgets().delete('w1')).toBe(false);
        expect(await widgets().get('w1')).toBeNull();
        expect(await widgets().count()).toBe(1);
      });

      test('deleteMany removes only matching documents', async () => {
        for (const [id, tenantId] of [
          ['w1', 't-a'],
          ['w2', 't-b'],
          ['w3', 't-a'],
        ] as const)
          await widgets().insert(widget(id, { tenantId }));
        expect(await widgets().deleteMany({ tenantId: 't-a' })).toBe(2);
        expect((await widgets().find()).items.map((w) => w.id)).toEqual(['w2']);
      });
    });

    describe('filtered queries', () => {
      beforeEach(async () => {
        const rows: Array<[string, Partial<Widget>]> = [
          ['w1', { kind: 'alpha', size: 1, tags: ['x'], active: true, k8s: { cluster: 'c1' } }],
          ['w2', { kind: 'beta', size: 5, tags: ['x', 'y'], active: false, k8s: { cluster: 'c2' } }],
          ['w3', { kind: 'gamma', size: 10, tags: [], active: true, name: '信创 鲲鹏 Kunpeng' }],
          ['w4', { kind: 'beta', tags: ['y'], active: true, tenantId: 't-b' }],
        ];
        for (const [id, extra] of rows) await widgets().insert(widget(id, extra));
      });
      const ids = async (filter: Parameters<ReturnType<typeof widgets>['find']>[0]) =>
        (await widgets().find({ ...filter, sort: { field: 'id', dir: 'asc' } })).items.map((w) => w.id);

      test.each([
        ['equality', { kind: 'beta' }, ['w2', 'w4']],
        ['eq operator', { kind: { eq: 'alpha' } }, ['w1']],
        ['boolean', { active: false }, ['w2']],
        ['null matches a missing field', { size: null }, ['w4']],
        ['ne (missing counts as different)', { kind: { ne: 'beta' } }, ['w1', 'w3']],
        ['in', { kind: { in: ['alpha', 'gamma'] } }, ['w1', 'w3']],
        ['nin', { kind: { nin: ['alpha', 'gamma'] } }, ['w2', 'w4']],
        ['range', { size: { gt: 1, lte: 10 } }, ['w2', 'w3']],
        ['gte/lt', { size: { gte: 1, lt: 10 } }, ['w1', 'w2']],
        ['exists', { size: { exists: true } }, ['w1', 'w2', 'w3']],
        ['not exists', { 'k8s.cluster': { exists: false } }, ['w3', 'w4']],
        ['nested path', { 'k8s.cluster': 'c2' }, ['w2']],
        ['array has', { tags: { has: 'y' } }, ['w2', 'w4']],
        ['contains, case-insensitive', { name: { contains: 'kunPENG' } }, ['w3']],
        ['contains, Chinese', { name: { contains: '鲲鹏' } }, ['w3']],
        ['contains, regex characters are literal', { name: { contains: '.*' } }, []],
        ['several fields AND', { kind: 'beta', tenantId: 't-a' }, ['w2']],
        ['id', { id: { in: ['w1', 'w4'] } }, ['w1', 'w4']],
      ])('%s', async (_name, filter, expected) => {
        expect(await ids({ filter })).toEqual(expected);
      });

      test('count applies the filter', async () => {
        expect(await widgets().count()).toBe(4);
        expect(await widgets().count({ tenantId: 't-a', active: true })).toBe(2);
      });

      test('field paths that are not plain identifiers are refused', async () => {
        await expect(widgets().find({ filter: { "a') OR 1=1 --": 'x' } })).rejects.toBeInstanceOf(
          InvalidFieldError,
        );
        await expect(widgets().find({ filter: { $where: 'x' } })).rejects.toBeInstanceOf(InvalidFieldError);
      });
    });

    describe('keyset paging', () => {
      beforeEach(async () => {
        // Ten documents, sizes with ties, so paging must break ties by id.
        for (let i = 0; i < 10; i++)
          await widgets().insert(widget(`w${String(i).padStart(2, '0')}`, { size: i % 3 }));
      });

      test.each(['asc', 'desc'] as const)('walks every document exactly once, %s', async (dir) => {
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await widgets().find({
            sort: { field: 'size', dir },
            limit: 3,
            ...(cursor ? { cursor } : {}),
          });
          seen.push(...page.items.map((w) => w.id));
          cursor = page.nextCursor;
          pages++;
        } while (cursor);
        expect(pages).toBe(4);
        const all = (await widgets().find({ limit: 100 })).items;
        const expected = [...all]
          .sort(
            (a, b) =>
              (a.size! - b.size!) * (dir === 'asc' ? 1 : -1) ||
              (a.id < b.id ? -1 : 1) * (dir === 'asc' ? 1 : -1),
          )
          .map((w) => w.id);
        expect(seen).toEqual(expected);
      });

      test('the default order is newest first and the limit is bounded', async () => {
        const page = await widgets().find({ limit: 0 });
        expect(page.items).toHaveLength(1);
        const all = (await widgets().find({ limit: 5000 })).items;
        expect(all).toHaveLength(10);
        const created = all.map((w) => w.createdAt);
        expect([...created].sort().reverse()).toEqual(created);
      });

      test('paging composes with filters', async () => {
        const first = await widgets().find({
          filter: { size: 0 },
          sort: { field: 'id', dir: 'asc' },
          limit: 2,
        });
        expect(first.items.map((w) => w.id)).toEqual(['w00', 'w03']);
        const second = await widgets().find({
          filter: { size: 0 },
          sort: { field: 'id', dir: 'asc' },
          limit: 2,
          cursor: first.nextCursor!,
        });
        expect(second.items.map((w) => w.id)).toEqual(['w06', 'w09']);
        expect(second.nextCursor).toBeUndefined();
      });

      test('a forged cursor is refused', async () => {
        await expect(widgets().find({ cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
      });
    });

    describe('dashboard aggregations', () => {
      const rows: Array<[string, string, string, string | undefined, string, string | undefined, string[]?]> =
        [
          // id, tenant, severity, occurredAt, detectedAt, resolvedAt, clusterIds
          [
            'i1',
            't-a',
            'high',
            '2026-11-20T10:00:00.000Z',
            '2026-11-20T10:00:30.000Z',
            '2026-11-20T10:10:30.000Z',
            ['c1', 'c2'],
          ],
          [
            'i2',
            't-a',
            'high',
            '2026-11-20T15:59:00.000Z',
            '2026-11-20T16:00:00.000Z',
            '2026-11-20T16:30:00.000Z',
            ['c2'],
          ],
          ['i3', 't-a', 'low', undefined, '2026-11-21T01:00:00.000Z', undefined, []],
          [
            'i4',
            't-b',
            'high',
            '2026-11-21T02:00:00.000Z',
            '2026-11-21T02:00:10.000Z',
            '2026-11-21T02:05:10.000Z',
          ],
        ];
      beforeEach(async () => {
        for (const [id, tenantId, severity, occurredAt, detectedAt, resolvedAt, clusterIds] of rows)
          await incidents().insert({
            id,
            tenantId,
            severity,
            detectedAt,
            ...(occurredAt ? { occurredAt } : {}),
            ...(resolvedAt ? { resolvedAt } : {}),
            ...(clusterIds ? { clusterIds } : {}),
          });
      });

      test('counts by tenant and severity', async () => {
        expect(await incidents().countBy({}, ['tenantId', 'severity'])).toEqual([
          { key: { tenantId: 't-a', severity: 'high' }, count: 2 },
          { key: { tenantId: 't-a', severity: 'low' }, count: 1 },
          { key: { tenantId: 't-b', severity: 'high' }, count: 1 },
        ]);
      });

      test('counts by calendar day in Asia/Shanghai (UTC+8)', async () => {
        const byDay = await incidents().countBy({ tenantId: 't-a' }, [
          { field: 'detectedAt', bucket: 'day', utcOffsetMinutes: 480 },
        ]);
        // i2 at 16:00Z is already the 21st in Beijing time.
        expect(byDay).toEqual([
          { key: { detectedAt: '2026-11-20' }, count: 1 },
          { key: { detectedAt: '2026-11-21' }, count: 2 },
        ]);
      });

      test('group keys keep their JSON types: booleans, numbers and strings', async () => {
        for (const [id, active, size] of [
          ['w1', true, 1],
          ['w2', false, 0],
          ['w3', true, 1],
        ] as const)
          await widgets().insert(widget(id, { active, size }));
        expect(await widgets().countBy({}, ['active'])).toEqual([
          { key: { active: false }, count: 1 },
          { key: { active: true }, count: 2 },
        ]);
        expect(await widgets().countBy({}, ['size', 'kind'])).toEqual([
          { key: { size: 0, kind: 'alpha' }, count: 1 },
          { key: { size: 1, kind: 'alpha' }, count: 2 },
        ]);
      });

      test('a missing group field groups as null; filters apply first', async () => {
        expect(await incidents().countBy({ severity: 'high' }, ['resolvedAt'])).toHaveLength(3);
        expect(await incidents().countBy({ severity: 'low' }, ['resolvedAt'])).toEqual([
          { key: { resolvedAt: null }, count: 1 },
        ]);
        expect(await incidents().countBy({ tenantId: 'nobody' }, ['severity'])).toEqual([]);
      });

      const mttd = { from: 'occurredAt', to: 'detectedAt' };
      const mttr = { from: 'detectedAt', to: 'resolvedAt' };

      test('durations of several spans in one call, grouped, for MTTx', async () => {
        expect(await incidents().durations({}, { mttd, mttr }, ['tenantId'])).toEqual([
          {
            key: { tenantId: 't-a' },
            count: 3,
            durationsMs: { mttd: [30_000, 60_000], mttr: [600_000, 1_800_000] },
          },
          { key: { tenantId: 't-b' }, count: 1, durationsMs: { mttd: [10_000], mttr: [300_000] } },
        ]);
        expect(
          await incidents().durations({ tenantId: 't-a' }, { mttr }, [
            'severity',
            { field: 'detectedAt', bucket: 'day', utcOffsetMinutes: 480 },
          ]),
        ).toEqual([
          { key: { severity: 'high', detectedAt: '2026-11-20' }, count: 1, durationsMs: { mttr: [600_000] } },
          {
            key: { severity: 'high', detectedAt: '2026-11-21' },
            count: 1,
            durationsMs: { mttr: [1_800_000] },
          },
          { key: { severity: 'low', detectedAt: '2026-11-21' }, count: 1, durationsMs: { mttr: [] } },
        ]);
      });

      test('durations count a group whose documents lack the timestamps, and skip an empty set', async () => {
        expect(await incidents().durations({ severity: 'low' }, { mttd, mttr }, [])).toEqual([
          { key: {}, count: 1, durationsMs: { mttd: [], mttr: [] } },
        ]);
        expect(await incidents().durations({ tenantId: 'nobody' }, { mttr }, [])).toEqual([]);
      });

      // i1 is in c1 and c2, i2 in c2, i3 in none (empty array), i4 has no clusterIds field.
      const byCluster = { field: 'clusterIds', unwind: true } as const;

      test('counts unwind an array field: once per element, not at all for an empty or missing one', async () => {
        expect(await incidents().countBy({}, [byCluster])).toEqual([
          { key: { clusterIds: 'c1' }, count: 1 },
          { key: { clusterIds: 'c2' }, count: 2 },
        ]);
        expect(
          await incidents().countBy({ tenantId: 't-a' }, [
            byCluster,
            { field: 'detectedAt', bucket: 'day', utcOffsetMinutes: 480 },
          ]),
        ).toEqual([
          { key: { clusterIds: 'c1', detectedAt: '2026-11-20' }, count: 1 },
          { key: { clusterIds: 'c2', detectedAt: '2026-11-20' }, count: 1 },
          { key: { clusterIds: 'c2', detectedAt: '2026-11-21' }, count: 1 },
        ]);
      });

      test('durations unwind an array field, with filters applied first', async () => {
        expect(await incidents().durations({}, { mttr }, [byCluster, 'severity'])).toEqual([
          { key: { clusterIds: 'c1', severity: 'high' }, count: 1, durationsMs: { mttr: [600_000] } },
          {
            key: { clusterIds: 'c2', severity: 'high' },
            count: 2,
            durationsMs: { mttr: [600_000, 1_800_000] },
          },
        ]);
        expect(await incidents().durations({ clusterIds: { has: 'c1' } }, { mttd }, [byCluster])).toEqual([
          { key: { clusterIds: 'c1' }, count: 1, durationsMs: { mttd: [30_000] } },
          { key: { clusterIds: 'c2' }, count: 1, durationsMs: { mttd: [30_000] } },
        ]);
      });
    });

    test('data survives a close and reopen', async () => {
      await widgets().insert(widget('keep', { tags: ['durable'] }));
      await widgets().update('keep', { name: 'kept' });
      await store.close();
      store = await harness.reopen(conformanceSpecs);
      expect(await widgets().get('keep')).toMatchObject({
        id: 'keep',
        name: 'kept',
        version: 2,
        tags: ['durable'],
      });
      await expect(widgets().insert(widget('other', { code: 'code-keep' }))).rejects.toBeInstanceOf(
        DuplicateKeyError,
      );
    });
  });
}
