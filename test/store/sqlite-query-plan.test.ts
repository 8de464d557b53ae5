/**
 * The SQLite adapter must write its field expressions exactly as the expression indexes declare
 * them, or the planner ignores the indexes and every MTTx query parses every (large) incident. This
 * checks the plans SQLite chooses for the statements an MTTx request really runs.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { mttx, type MttxGroupBy } from '../../server/incidents/mttx.js';
import { collections, type Incident } from '../../server/model/index.js';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.js';

/** The covering indexes of model/index.ts: platform-wide and per tenant. */
const MTTX_INDEX =
  'incidents__detectedAt__tenantId__severity__occurredAt__acknowledgedAt__containedAt__resolvedAt';
const TENANT_MTTX_INDEX =
  'incidents__tenantId__detectedAt__severity__occurredAt__acknowledgedAt__containedAt__resolvedAt';

describe('SQLite query plans for MTTx', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yunshu-plan-'));
  const file = join(dir, 'plan.db');
  const specs = [collections.incidents];
  let explain: Database.Database;

  beforeAll(async () => {
    const store = new SqliteStore({ file, collections: specs });
    await store.collection<Incident>('incidents').insert({
      id: 'i1',
      schemaVersion: 1,
      title: 'Shell in a container',
      status: 'resolved',
      alertIds: [],
      tenantId: 't-a',
      severity: 'high',
      occurredAt: '2026-11-20T10:00:00.000Z',
      detectedAt: '2026-11-20T10:00:30.000Z',
      resolvedAt: '2026-11-20T10:10:30.000Z',
      clusterIds: ['c1'],
      sources: ['falco'],
      timeline: [],
    });
    await store.close();
    explain = new Database(file, { readonly: true });
  });
  afterAll(() => {
    explain.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The query plan of every statement a fresh store prepares while one MTTx request runs. */
  async function plansOf(groupBy: MttxGroupBy, tenantId?: string): Promise<string[]> {
    const prepared: string[] = [];
    const prepare = Database.prototype.prepare;
    const spy = jest.spyOn(Database.prototype, 'prepare').mockImplementation(function (
      this: Database.Database,
      sql: string,
    ) {
      prepared.push(sql);
      return prepare.call(this, sql);
    });
    const store = new SqliteStore({ file, collections: specs });
    try {
      prepared.length = 0;
      await mttx(store, {
        from: '2026-11-01T00:00:00.000Z',
        to: '2026-12-01T00:00:00.000Z',
        groupBy,
        ...(tenantId ? { tenantId } : {}),
      });
    } finally {
      spy.mockRestore();
      await store.close();
    }
    return prepared.map((sql) => {
      const params = Array.from(sql.matchAll(/\?/g), () => null);
      const rows = explain.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
      return rows.map((row) => row.detail).join('\n');
    });
  }

  // A full scan of the table, as opposed to a scan of an index that holds every field needed.
  const TABLE_SCAN = /SCAN incidents(?! USING COVERING INDEX)/;

  test.each(['tenant', 'severity'] as const)(
    'grouped by %s, the index alone answers the query (no document is read)',
    async (groupBy) => {
      for (const [tenantId, index] of [
        [undefined, MTTX_INDEX],
        ['t-a', TENANT_MTTX_INDEX],
      ] as const) {
        const plans = await plansOf(groupBy, tenantId);
        expect(plans).toHaveLength(1);
        expect(plans[0]).toContain(`SEARCH incidents USING COVERING INDEX ${index}`);
        expect(plans[0]).not.toMatch(TABLE_SCAN);
      }
    },
  );

  test.each(['cluster', 'source'] as const)(
    'grouped by %s (an array), the detectedAt range is still searched through the index',
    async (groupBy) => {
      const plans = await plansOf(groupBy);
      expect(plans).toHaveLength(1);
      expect(plans[0]).toContain(`SEARCH incidents USING INDEX ${MTTX_INDEX}`);
      expect(plans[0]).not.toMatch(TABLE_SCAN);
    },
  );
});
