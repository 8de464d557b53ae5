/**
 * The audit log against both stores. Tampering is done below the store, directly in the database,
 * the way an attacker with database access would; hashes are recomputed here independently of the
 * server's chain code.
 */
import Database from 'better-sqlite3';
import canonicalize from 'canonicalize';
import { MongoClient } from 'mongodb';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuditChainBrokenError,
  AuditLog,
  auditAnchorsSpec,
  type AuditAnchor,
  type AuditEvent,
} from '../../server/audit/audit-log.js';
import { collections, type AuditEntry } from '../../server/model/index.js';
import { MongoStore } from '../../server/store/mongo/mongo-store.js';
import type { Store } from '../../server/store/port.js';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store.js';
import { startFerretDB } from '../harness/ferretdb.js';
import { describeWithServices, ferretdbBinary, useService } from '../harness/services.js';

const specs = [...Object.values(collections), auditAnchorsSpec];

/** Writes to the database under a store, bypassing it. */
interface RawDatabase {
  set(id: string, fields: Record<string, unknown>): Promise<void>;
  remove(id: string): Promise<void>;
  close(): Promise<void>;
}

interface AuditHarness {
  /** A store over empty data, and raw access to the same database. */
  open(): Promise<{ store: Store; raw: RawDatabase }>;
}

const ZEROS = '0'.repeat(64);
const DAY_MS = 86_400_000;
const idOf = (seq: number): string => String(seq).padStart(12, '0');

/** The chain rule of server/audit/chain.ts, restated so the test does not trust the code it tests. */
function sm3Of(entry: AuditEntry): string {
  const fields = [
    'seq',
    'at',
    'actor',
    'tenantId',
    'action',
    'target',
    'result',
    'sourceIp',
    'details',
    'schemaVersion',
  ];
  const content = Object.fromEntries(
    fields
      .filter((f) => entry[f as keyof AuditEntry] !== undefined)
      .map((f) => [f, entry[f as keyof AuditEntry]]),
  );
  return createHash('sm3')
    .update(entry.prevHash + canonicalize(content))
    .digest('hex');
}

const actor = { type: 'user', id: 'u-1', name: '张三' } as const;
const event = (i: number, extra: Partial<AuditEvent> = {}): AuditEvent => ({
  actor,
  action: 'cluster.update',
  target: { type: 'cluster', id: `gz-${i}` },
  result: 'success',
  details: { i },
  ...extra,
});

function auditLogSuite(adapter: string, harness: AuditHarness): void {
  describe(`audit log: ${adapter}`, () => {
    let store: Store;
    let raw: RawDatabase;
    let log: AuditLog;

    beforeEach(async () => {
      ({ store, raw } = await harness.open());
      log = new AuditLog(store);
    });
    afterEach(async () => {
      await raw.close();
      await store.close();
    });

    const all = async (): Promise<AuditEntry[]> =>
      (
        await store
          .collection<AuditEntry>('audit_entries')
          .find({ sort: { field: 'seq', dir: 'asc' }, limit: 1000 })
      ).items;
    const appendMany = async (n: number, extra: Partial<AuditEvent> = {}): Promise<void> => {
      for (let i = 1; i <= n; i++) await log.append(event(i, extra));
    };
    const expectBroken = async (brokenAt: number, reason: string): Promise<void> => {
      expect(await log.verify()).toEqual({ ok: false, checked: brokenAt - 1, brokenAt, reason });
    };

    test('appends form an SM3 chain: seq 1..n, prevHash links, hashes recomputable', async () => {
      await log.append(event(1, { tenantId: 't-gz', sourceIp: '10.1.2.3' }));
      await log.append(event(2, { sourceIp: '2001:db8::1' }));
      const returned = await log.append(event(3, { result: 'denied' }));
      const entries = await all();
      expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(entries.map((e) => e.id)).toEqual([idOf(1), idOf(2), idOf(3)]);
      expect(entries[0]!.prevHash).toBe(ZEROS);
      for (const [i, entry] of entries.entries()) {
        expect(entry.hash).toBe(sm3Of(entry));
        if (i > 0) expect(entry.prevHash).toBe(entries[i - 1]!.hash);
      }
      expect(entries[2]).toEqual(returned);
      expect(entries[0]).toMatchObject({ tenantId: 't-gz', sourceIp: '10.1.2.3', schemaVersion: 1, actor });
    });

    test('an invalid event is refused and takes no seq', async () => {
      await expect(log.append(event(1, { action: 'Cluster Create' }))).rejects.toThrow(/resource\.verb/);
      await expect(log.append(event(1, { sourceIp: 'not-an-ip' }))).rejects.toThrow();
      expect((await log.append(event(1))).seq).toBe(1);
    });

    test('secrets in details are redacted at any depth; label keys with dots survive every store', async () => {
      const entry = await log.append(
        event(1, {
          details: {
            password: 'hunter2',
            cluster: { name: 'gz-1', kubeconfig: 'apiVersion: v1 …', auth: { bearerToken: 'eyJhbGciOi' } },
            webhooks: [{ url: 'https://hooks.example', clientSecret: 's3cr3t', apiKey: 'AKIA123' }],
            keyboard: 'kept',
            labels: { 'app.kubernetes.io/name': 'yunshu', $where: 'x' },
            when: new Date('2026-11-23T05:00:00.000Z'),
          },
        }),
      );
      expect(entry.details).toEqual({
        password: '[redacted]',
        cluster: { name: 'gz-1', kubeconfig: '[redacted]', auth: { bearerToken: '[redacted]' } },
        webhooks: [{ url: 'https://hooks.example', clientSecret: '[redacted]', apiKey: '[redacted]' }],
        keyboard: 'kept',
        labels: { 'app.kubernetes.io/name': 'yunshu', $where: 'x' },
        when: '2026-11-23T05:00:00.000Z',
      });
      const stored = await all();
      expect(stored[0]!.details).toEqual(entry.details);
      for (const secret of ['hunter2', 'apiVersion', 'eyJhbGciOi', 's3cr3t', 'AKIA123'])
        expect(JSON.stringify(stored)).not.toContain(secret);
      expect(await log.verify()).toMatchObject({ ok: true, checked: 1 });
    });

    test('concurrent appends, also from two instances (replicas), give a gapless chain', async () => {
      const replica = new AuditLog(store);
      await Promise.all(Array.from({ length: 50 }, (_, i) => log.append(event(i))));
      await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? log : replica).append(event(i))));
      const entries = await all();
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 90 }, (_, i) => i + 1));
      expect(await log.verify()).toEqual({ ok: true, checked: 90, headSeq: 90 });
    });

    test('verify accepts an intact chain, empty or longer than one page', async () => {
      expect(await log.verify()).toEqual({ ok: true, checked: 0, headSeq: 0 });
      await appendMany(1100);
      expect(await log.verify()).toEqual({ ok: true, checked: 1100, headSeq: 1100 });
    });

    describe('tampering in the database', () => {
      beforeEach(() => appendMany(6));

      test('an edited field fails at that entry', async () => {
        await raw.set(idOf(4), { result: 'failure' });
        await expectBroken(4, 'entry 4: hash mismatch (content edited)');
      });

      test('a deleted entry fails at the gap', async () => {
        await raw.remove(idOf(3));
        await expectBroken(3, 'entry 3 missing (expected after entry 2)');
      });

      test('a deleted first entry fails at the start', async () => {
        await raw.remove(idOf(1));
        await expectBroken(1, 'entry 1 missing (expected after the chain start)');
      });

      test('two entries swapped (reordered) fail at the first of them', async () => {
        const [, , third, fourth] = await all();
        const { id: _i3, seq: _s3, ...thirdRest } = third!;
        const { id: _i4, seq: _s4, ...fourthRest } = fourth!;
        await raw.set(idOf(3), fourthRest);
        await raw.set(idOf(4), thirdRest);
        await expectBroken(3, 'entry 3: prevHash does not match entry 2');
      });

      test('an edit with its own hash recomputed fails at the next entry', async () => {
        const fifth = (await all())[4]!;
        const forged = { ...fifth, result: 'failure' as const };
        await raw.set(idOf(5), { result: 'failure', hash: sm3Of(forged) });
        await expectBroken(6, 'entry 6: prevHash does not match entry 5');
      });
    });

    describe('retention', () => {
      const now = new Date('2026-11-23T05:00:00.000Z');
      const daysAgo = (days: number): string => new Date(now.getTime() - days * DAY_MS).toISOString();

      test('refuses a retention shorter than six months unless allowed', () => {
        expect(() => new AuditLog(store, { retentionDays: 90 })).toThrow(/网络安全法/);
        expect(new AuditLog(store, { retentionDays: 7, allowShortRetention: true }).retentionDays).toBe(7);
      });

      test('prune removes old entries, anchors the chain, records itself, and verify still passes', async () => {
        for (let i = 1; i <= 5; i++) await log.append(event(i, { at: daysAgo(200 - i) }));
        await log.append(event(6, { at: daysAgo(10) }));
        // Old but after a recent one: only a prefix of the chain can go.
        await log.append(event(7, { at: daysAgo(300) }));
        const fifth = (await all())[4]!;

        expect(await log.prune(now)).toEqual({ removed: 5, anchor: { seq: 5, hash: fifth.hash } });

        const entries = await all();
        expect(entries.map((e) => e.seq)).toEqual([6, 7, 8]);
        expect(entries[2]).toMatchObject({
          action: 'audit.prune',
          actor: { type: 'system', id: 'audit-retention' },
          at: now.toISOString(),
          details: {
            throughSeq: 5,
            anchorHash: fifth.hash,
            entries: 5,
            cutoff: daysAgo(180),
            retentionDays: 180,
          },
        });
        expect(await store.collection<AuditAnchor>('audit_anchors').get('chain')).toMatchObject({
          seq: 5,
          hash: fifth.hash,
          cutoff: daysAgo(180),
        });
        expect(await log.verify()).toEqual({ ok: true, checked: 3, headSeq: 8 });

        // The chain continues from the anchor, in this and in a fresh instance.
        await new AuditLog(store).append(event(9));
        expect(await log.prune(now)).toEqual({ removed: 0 });
        expect(await log.verify()).toEqual({ ok: true, checked: 4, headSeq: 9 });
      });

      test('prune twice moves the anchor forward and keeps the chain verifiable', async () => {
        for (let i = 1; i <= 3; i++) await log.append(event(i, { at: daysAgo(400) }));
        await log.prune(now);
        await log.append(event(5, { at: daysAgo(190) }));
        // 200 days on, the first prune's own record (seq 4) has aged out too.
        expect(await log.prune(new Date(now.getTime() + 200 * DAY_MS))).toMatchObject({ removed: 2 });
        expect((await all()).map((e) => e.seq)).toEqual([6]);
        expect(await log.verify()).toEqual({ ok: true, checked: 1, headSeq: 6 });
      });

      test('prune refuses to run on a broken chain, keeping the evidence', async () => {
        for (let i = 1; i <= 3; i++) await log.append(event(i, { at: daysAgo(400) }));
        await raw.set(idOf(2), { action: 'cluster.read' });
        await expect(log.prune(now)).rejects.toBeInstanceOf(AuditChainBrokenError);
        expect(await all()).toHaveLength(3);
      });

      test('an anchor written without a recorded prune fails verification', async () => {
        await appendMany(4);
        const second = (await all())[1]!;
        await raw.remove(idOf(1));
        await raw.remove(idOf(2));
        await store
          .collection<AuditAnchor>('audit_anchors')
          .insert({ id: 'chain', seq: 2, hash: second.hash, cutoff: now.toISOString() });
        await expect(log.verify()).resolves.toMatchObject({
          ok: false,
          brokenAt: 3,
          reason: expect.stringMatching(/audit\.prune/),
        });
      });
    });

    describe('export', () => {
      const collect = async (lines: AsyncIterable<string>): Promise<string> => {
        let text = '';
        for await (const line of lines) text += line;
        return text;
      };

      beforeEach(async () => {
        await log.append(event(1, { at: '2026-01-01T00:00:00.000Z', tenantId: 't-a' }));
        await log.append(event(2, { at: '2026-02-01T00:00:00.000Z', tenantId: 't-b' }));
        await log.append(
          event(3, {
            at: '2026-03-01T00:00:00.000Z',
            tenantId: 't-a',
            actor: { type: 'user', id: '-u3', name: '=HYPERLINK("http://evil.example","点我")' },
            target: { type: 'cluster', id: '@gz, "prod"\nline2' },
          }),
        );
      });

      test('jsonl: one entry per line in seq order, with what is needed to recheck the chain', async () => {
        const lines = (await collect(log.export('jsonl'))).trimEnd().split('\n');
        const entries = lines.map((line) => JSON.parse(line) as AuditEntry);
        expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
        for (const entry of entries) {
          expect(entry).not.toHaveProperty('version');
          expect(entry.hash).toBe(sm3Of(entry));
        }
        expect(entries[1]!.prevHash).toBe(entries[0]!.hash);
      });

      test('jsonl: filters by tenant and by time range (from inclusive, to exclusive)', async () => {
        const seqs = async (filter: Parameters<AuditLog['export']>[1]): Promise<number[]> =>
          (await collect(log.export('jsonl', filter)))
            .trimEnd()
            .split('\n')
            .filter(Boolean)
            .map((line) => (JSON.parse(line) as AuditEntry).seq);
        expect(await seqs({ tenantId: 't-a' })).toEqual([1, 3]);
        expect(await seqs({ from: '2026-02-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' })).toEqual([2]);
        expect(await seqs({ from: '2026-02-01T00:00:00.000Z', tenantId: 't-a' })).toEqual([3]);
        expect(await seqs({ tenantId: 't-none' })).toEqual([]);
      });

      test('csv: header, RFC 4180 quoting, and no formula injection', async () => {
        const csv = await collect(log.export('csv'));
        const lines = csv.split('\r\n');
        expect(lines[0]).toBe(
          'seq,at,actor_type,actor_id,actor_name,tenant_id,action,target_type,target_id,result,source_ip,details,schema_version,prev_hash,hash',
        );
        const third = (await all())[2]!;
        expect(csv).toContain(
          `3,2026-03-01T00:00:00.000Z,user,'-u3,"'=HYPERLINK(""http://evil.example"",""点我"")",t-a,cluster.update,cluster,"'@gz, ""prod""\nline2",success,,"{""i"":3}",1,${third.prevHash},${third.hash}\r\n`,
        );
        expect(lines.at(-1)).toBe('');
        expect(csv.startsWith('seq,')).toBe(true);
      });
    });
  });
}

const sqliteRoot = mkdtempSync(join(tmpdir(), 'yunshu-audit-'));
let sqliteFiles = 0;

auditLogSuite('sqlite', {
  async open() {
    const file = join(sqliteRoot, `audit-${sqliteFiles++}.db`);
    const store = new SqliteStore({ file, collections: specs });
    const db = new Database(file);
    return {
      store,
      raw: {
        async set(id, fields) {
          for (const [field, value] of Object.entries(fields))
            db.prepare(`UPDATE audit_entries SET data = json_set(data, ?, json(?)) WHERE id = ?`).run(
              `$.${field}`,
              JSON.stringify(value),
              id,
            );
        },
        async remove(id) {
          db.prepare('DELETE FROM audit_entries WHERE id = ?').run(id);
        },
        async close() {
          db.close();
        },
      },
    };
  },
});
afterAll(() => rmSync(sqliteRoot, { recursive: true, force: true }));

describeWithServices('audit log on FerretDB', [ferretdbBinary()], () => {
  const ferret = useService(startFerretDB);
  let databases = 0;
  auditLogSuite('mongo (FerretDB)', {
    async open() {
      const name = `audit_${databases++}`;
      const store = await MongoStore.connect({ url: `${ferret().url}${name}`, collections: specs });
      const client = await MongoClient.connect(ferret().url);
      const entries = client.db(name).collection<{ _id: string }>('audit_entries');
      return {
        store,
        raw: {
          async set(id, fields) {
            await entries.updateOne({ _id: id }, { $set: fields });
          },
          async remove(id) {
            await entries.deleteOne({ _id: id });
          },
          close: () => client.close(),
        },
      };
    },
  });
});
