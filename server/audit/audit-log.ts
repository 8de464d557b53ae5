/**
 * The append-only audit log (安全审计, 等保 2.0): entries form an SM3 hash chain (chain.ts), so an
 * edited, removed or reordered entry is found by verify(). Appends need no transactions: an entry's
 * id is its seq, so two writers (even on different replicas) claiming the same seq collide on the
 * primary key and the loser retries on the new head.
 *
 * Limits an assessor should know: a hash chain shows that history was changed, not that the newest
 * entries were cut off, and anyone able to write the database can recompute the whole chain. Both
 * are caught only by keeping the head hash somewhere else as well (e.g. syslog, a signed report).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AuditEntrySchema, type AuditEntry } from '../model/audit-entry.js';
import {
  ConflictError,
  DuplicateKeyError,
  type Collection,
  type CollectionSpec,
  type Filter,
  type Store,
  type StoredDoc,
} from '../store/port.js';
import { GENESIS_HASH, contentOf, entryHash, seqId, type AuditContent } from './chain.js';
import { csvHeader, csvRow, jsonlLine, type ExportFormat } from './export-format.js';
import { sanitizeDetails } from './details.js';
import { scan } from '../store/find-all.js';

export type AuditEvent = {
  actor: AuditEntry['actor'];
  tenantId?: string;
  action: string;
  target?: AuditEntry['target'];
  result: AuditEntry['result'];
  sourceIp?: string;
  details?: Record<string, unknown>;
  /** When it happened; default: when append() is called. */
  at?: string;
};

export type VerifyResult =
  | { ok: true; checked: number; headSeq: number }
  | { ok: false; checked: number; brokenAt: number; reason: string };

export interface ExportFilter {
  /** Entries at or after this ISO-8601 timestamp. */
  from?: string;
  /** Entries strictly before this ISO-8601 timestamp. */
  to?: string;
  tenantId?: string;
}

export interface PruneResult {
  removed: number;
  /** The new start of the chain, when entries were removed. */
  anchor?: { seq: number; hash: string };
}

export interface AuditLogOptions {
  /** Days entries are kept; 网络安全法 Art. 21 requires network logs be kept at least six months. */
  retentionDays?: number;
  /** Permits retentionDays below the legal minimum; for tests only. */
  allowShortRetention?: boolean;
}

/** Where the chain resumes after pruning: the last removed entry's seq and hash. */
export interface AuditAnchor extends StoredDoc {
  seq: number;
  hash: string;
  /** Entries before this time were eligible for removal. */
  cutoff: string;
}

export const auditAnchorsSpec: CollectionSpec = { name: 'audit_anchors', indexes: [] };

export const DEFAULT_RETENTION_DAYS = 180;
const ENTRIES = 'audit_entries';
const ANCHOR_ID = 'chain';
const PAGE_SIZE = 1000;
const APPEND_ATTEMPTS = 50;
const VERIFY_ATTEMPTS = 3;
const DAY_MS = 86_400_000;
const RETENTION_ACTOR = { type: 'system', id: 'audit-retention' } as const;

/** What append() validates: the caller's part of an entry, with defaults applied and extras dropped. */
const EventSchema = AuditEntrySchema.pick({
  schemaVersion: true,
  at: true,
  actor: true,
  tenantId: true,
  action: true,
  target: true,
  result: true,
  sourceIp: true,
  details: true,
});

export class AuditChainBrokenError extends Error {
  constructor(readonly result: Extract<VerifyResult, { ok: false }>) {
    super(`audit chain is broken: ${result.reason}`);
    this.name = 'AuditChainBrokenError';
  }
}

interface ChainLink {
  seq: number;
  hash: string;
}

export class AuditLog {
  readonly retentionDays: number;
  private readonly entries: Collection<AuditEntry>;
  private readonly anchors: Collection<AuditAnchor>;
  /** Appends of this process, one at a time, so they do not contend with each other. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The last entry this process wrote; saves a read per append until another writer intervenes. */
  private head: ChainLink | undefined;

  constructor(store: Store, options: AuditLogOptions = {}) {
    const days = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
    if (!Number.isFinite(days) || days < 0) throw new RangeError(`retentionDays must be ≥ 0, got ${days}`);
    if (days < DEFAULT_RETENTION_DAYS && !options.allowShortRetention)
      throw new RangeError(
        `retentionDays ${days} is below ${DEFAULT_RETENTION_DAYS}: 网络安全法 Art. 21 requires keeping network logs at least six months`,
      );
    this.retentionDays = days;
    this.entries = store.collection<AuditEntry>(ENTRIES);
    this.anchors = store.collection<AuditAnchor>(auditAnchorsSpec.name);
  }

  /** Appends an entry at the head of the chain; details are sanitized first (details.ts). */
  async append(event: AuditEvent): Promise<AuditEntry> {
    // Validated now, not when its turn comes: `at` defaults to the call, and bad input fails fast.
    const content = EventSchema.parse({
      ...event,
      at: event.at ?? new Date().toISOString(),
      details: sanitizeDetails(event.details),
    });
    const run = this.queue.then(() => this.insertAtHead(content));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async insertAtHead(content: Omit<AuditContent, 'seq'>): Promise<AuditEntry> {
    for (let attempt = 1; ; attempt++) {
      const head = this.head ?? (await this.readHead());
      const entry = contentOf({ ...content, seq: head.seq + 1 });
      const hash = entryHash(head.hash, entry);
      try {
        const stored = await this.entries.insert({
          id: seqId(entry.seq),
          ...entry,
          prevHash: head.hash,
          hash,
        });
        this.head = { seq: entry.seq, hash };
        return stored;
      } catch (error) {
        this.head = undefined;
        if (!(error instanceof DuplicateKeyError) || attempt === APPEND_ATTEMPTS) throw error;
        // Another replica took this seq; back off a little so a crowd of them spreads out.
        await sleep(Math.random() * Math.min(attempt, 10));
      }
    }
  }

  private async readHead(): Promise<ChainLink> {
    const [last] = (await this.entries.find({ sort: { field: 'seq', dir: 'desc' }, limit: 1 })).items;
    return last ?? (await this.anchors.get(ANCHOR_ID)) ?? { seq: 0, hash: GENESIS_HASH };
  }

  /** Entries in seq order, a page at a time. */
  private scan(filter: Filter): AsyncGenerator<AuditEntry> {
    return scan(this.entries, { filter, sort: { field: 'seq', dir: 'asc' }, pageSize: PAGE_SIZE });
  }

  /** Rechecks the whole chain from its start (genesis, or the retention anchor). */
  async verify(): Promise<VerifyResult> {
    for (let attempt = 1; ; attempt++) {
      const anchor = await this.anchors.get(ANCHOR_ID);
      const result = await this.walk(anchor);
      if (result.ok || attempt === VERIFY_ATTEMPTS) return result;
      // A prune elsewhere deletes the start of the chain under a running walk; that is no break.
      if ((await this.anchors.get(ANCHOR_ID))?.seq === anchor?.seq) return result;
    }
  }

  private async walk(anchor: AuditAnchor | null): Promise<VerifyResult> {
    let prev: ChainLink = anchor ?? { seq: 0, hash: GENESIS_HASH };
    let checked = 0;
    // The anchor must be confirmed inside the chain, or deleting recent entries and writing a
    // matching anchor would pass for retention.
    let anchorAttested = anchor === null;
    for await (const entry of this.scan({ seq: { gt: prev.seq } })) {
      const problem = this.problemOf(entry, prev, anchor);
      if (problem) return { ok: false, checked, ...problem };
      anchorAttested ||= attests(entry, anchor);
      prev = entry;
      checked++;
    }
    if (!anchorAttested)
      return {
        ok: false,
        checked,
        brokenAt: anchor!.seq + 1,
        reason: `retention anchor at entry ${anchor!.seq} is not recorded by any audit.prune entry (entries removed outside retention)`,
      };
    return { ok: true, checked, headSeq: prev.seq };
  }

  private problemOf(
    entry: AuditEntry,
    prev: ChainLink,
    anchor: AuditAnchor | null,
  ): { brokenAt: number; reason: string } | undefined {
    const expected = prev.seq + 1;
    const link =
      prev.seq === 0
        ? 'the chain start'
        : prev === anchor
          ? `retention anchor ${prev.seq}`
          : `entry ${prev.seq}`;
    if (entry.seq !== expected) {
      const reason =
        typeof entry.seq === 'number' && entry.seq > expected
          ? `entry ${expected} missing (expected after ${link})`
          : `entry ${expected}: seq is ${JSON.stringify(entry.seq)}`;
      return { brokenAt: expected, reason };
    }
    if (entry.id !== seqId(entry.seq))
      return { brokenAt: expected, reason: `entry ${expected}: stored under id ${entry.id} (moved)` };
    if (entry.prevHash !== prev.hash)
      return { brokenAt: expected, reason: `entry ${expected}: prevHash does not match ${link}` };
    if (entryHash(entry.prevHash, entry) !== entry.hash)
      return { brokenAt: expected, reason: `entry ${expected}: hash mismatch (content edited)` };
    return undefined;
  }

  /**
   * Removes the entries older than the retention period, as a prefix of the chain (an old entry
   * after a recent one waits for it). Refuses on a broken chain: pruning would destroy the evidence.
   * Order makes a crash at any point harmless: record the prune in the chain, move the anchor,
   * then delete; leftovers at or below the anchor are outside the chain and removed next time.
   */
  async prune(now = new Date()): Promise<PruneResult> {
    const verified = await this.verify();
    if (!verified.ok) throw new AuditChainBrokenError(verified);
    const cutoff = new Date(now.getTime() - this.retentionDays * DAY_MS).toISOString();
    const start = (await this.anchors.get(ANCHOR_ID))?.seq ?? 0;
    const [firstKept] = (
      await this.entries.find({
        filter: { seq: { gt: start }, at: { gte: cutoff } },
        sort: { field: 'seq', dir: 'asc' },
        limit: 1,
      })
    ).items;
    const throughSeq = firstKept ? firstKept.seq - 1 : verified.headSeq;
    const last = throughSeq > start ? await this.entries.get(seqId(throughSeq)) : null;
    // Missing `last` means a concurrent prune already removed it.
    if (!last) return { removed: 0 };
    const anchor = { seq: last.seq, hash: last.hash };
    await this.append({
      actor: RETENTION_ACTOR,
      action: 'audit.prune',
      result: 'success',
      at: now.toISOString(),
      details: {
        throughSeq: anchor.seq,
        anchorHash: anchor.hash,
        entries: anchor.seq - start,
        cutoff,
        retentionDays: this.retentionDays,
      },
    });
    if (!(await this.advanceAnchor({ ...anchor, cutoff }))) return { removed: 0 };
    const removed = await this.entries.deleteMany({ seq: { lte: anchor.seq } });
    return { removed, anchor };
  }

  /** Moves the anchor forward only (compare-and-swap), so racing prunes cannot move it back. */
  private async advanceAnchor(next: Omit<AuditAnchor, keyof StoredDoc>): Promise<boolean> {
    for (;;) {
      const current = await this.anchors.get(ANCHOR_ID);
      if (current && current.seq >= next.seq) return false;
      try {
        if (current) await this.anchors.update(ANCHOR_ID, next, { expectedVersion: current.version });
        else await this.anchors.insert({ id: ANCHOR_ID, ...next });
        return true;
      } catch (error) {
        // Another prune moved it meanwhile; look again.
        if (!(error instanceof ConflictError || error instanceof DuplicateKeyError)) throw error;
      }
    }
  }

  /** Streams the entries matching `filter` in seq order: JSON lines, or CSV rows after a header. */
  async *export(format: ExportFormat, filter: ExportFilter = {}): AsyncIterable<string> {
    const { from, to, tenantId } = filter;
    const query: Record<string, Filter[string]> = {};
    if (from !== undefined || to !== undefined)
      query.at = { ...(from !== undefined && { gte: from }), ...(to !== undefined && { lt: to }) };
    if (tenantId !== undefined) query.tenantId = tenantId;
    if (format === 'csv') yield csvHeader();
    for await (const entry of this.scan(query)) yield format === 'csv' ? csvRow(entry) : jsonlLine(entry);
  }
}

/** Whether `entry` is the audit.prune record that created `anchor`. */
function attests(entry: AuditEntry, anchor: AuditAnchor | null): boolean {
  // `?.`: a forger who rewrote the whole chain may have left details out; verify must not crash.
  return (
    anchor !== null &&
    entry.action === 'audit.prune' &&
    entry.details?.throughSeq === anchor.seq &&
    entry.details?.anchorHash === anchor.hash
  );
}
