/**
 * The audit hash chain, spelled out so an assessor can recompute it from an export:
 *
 *   hash(n) = SM3( prevHash(n) + JCS(content(n)) )   as lowercase hex, over the UTF-8 bytes
 *
 * where `+` is string concatenation, prevHash(n) = hash(n−1) (64 zeros for seq 1), JCS is RFC 8785
 * JSON canonicalization, and content(n) holds the entry's fields listed in CONTENT_FIELDS that are
 * set. The store-managed fields (id, version, createdAt, updatedAt) are not hashed.
 */
import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';
import type { AuditEntry } from '../model/audit-entry.js';

export const GENESIS_HASH = '0'.repeat(64);

export const CONTENT_FIELDS = [
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
] as const;

export type AuditContent = Pick<AuditEntry, (typeof CONTENT_FIELDS)[number]>;

/**
 * Document id of an entry: its seq, zero-padded so ids sort like seqs. Making seq the primary key
 * is what lets two replicas racing for the same seq collide instead of forking the chain.
 */
export const seqId = (seq: number): string => String(seq).padStart(12, '0');

/** Only the set content fields: an absent field and `undefined` must hash alike in every store. */
export function contentOf(entry: AuditContent): AuditContent {
  return Object.fromEntries(
    CONTENT_FIELDS.filter((field) => entry[field] !== undefined).map((field) => [field, entry[field]]),
  ) as AuditContent;
}

export function entryHash(prevHash: string, entry: AuditContent): string {
  // canonicalize only returns undefined for undefined input; content is always an object.
  const canonical = canonicalize(contentOf(entry))!;
  return createHash('sm3')
    .update(prevHash + canonical, 'utf8')
    .digest('hex');
}
