/** MTTx statistics from the store, on SQLite and on FerretDB, against a hand-computed data set. */
import { MTTX_GROUP_BY, durationStats, mttx, nearestRank } from '../../server/incidents/mttx.js';
import { STORE_COLLECTIONS } from '../../server/services.js';
import { MongoStore } from '../../server/store/mongo/mongo-store.js';
import type { Store } from '../../server/store/port.js';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.js';
import { startFerretDB } from '../harness/ferretdb.js';
import { describeWithServices, ferretdbBinary, useService } from '../harness/services.js';
import { EXPECTED, RANGE, seedMttxIncidents } from './mttx-dataset.js';

test('nearest-rank percentiles are always measured values', () => {
  const values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
  expect(nearestRank(values, 50)).toBe(50);
  expect(nearestRank(values, 90)).toBe(90);
  expect(nearestRank(values, 91)).toBe(100);
  expect(nearestRank([7], 90)).toBe(7);
  expect(nearestRank([], 50)).toBeNull();
  expect(durationStats([1000, 2000, 6000])).toEqual({
    count: 3,
    meanSeconds: 3,
    p50Seconds: 2,
    p90Seconds: 6,
  });
});

function mttxSuite(adapter: string, open: () => Promise<Store>): void {
  describe(`MTTx on ${adapter}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
      await seedMttxIncidents(store);
    });
    afterAll(() => store.close());

    test.each(MTTX_GROUP_BY)('grouped by %s', async (groupBy) => {
      expect(await mttx(store, { ...RANGE, groupBy })).toEqual(EXPECTED[groupBy]);
    });

    test('severity and tenant filters apply before grouping', async () => {
      const groups = await mttx(store, { ...RANGE, groupBy: 'cluster', severity: 'high', tenantId: 't-a' });
      expect(groups.map((g) => [g.key, g.count, g.mttd.meanSeconds])).toEqual([
        ['c1', 2, 45],
        ['c2', 1, 30],
      ]);
    });
  });
}

mttxSuite('SQLite', async () => new SqliteStore({ file: ':memory:', collections: STORE_COLLECTIONS }));

describeWithServices('store on FerretDB', [ferretdbBinary()], () => {
  const ferret = useService(startFerretDB);
  mttxSuite('FerretDB', () =>
    MongoStore.connect({ url: `${ferret().url}mttx`, collections: STORE_COLLECTIONS }),
  );
});
