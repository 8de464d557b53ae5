/**
 * Export formats of the audit log. Both carry seq, prevHash and hash, so an assessor can recheck
 * the chain offline (see chain.ts); neither carries the store's bookkeeping fields.
 */
import type { AuditEntry } from '../model/audit-entry.js';
import { CONTENT_FIELDS } from './chain.js';

export type ExportFormat = 'jsonl' | 'csv';

/** The entry as exported: its hashed content plus the chain links. */
function exported(entry: AuditEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of [...CONTENT_FIELDS, 'prevHash', 'hash'] as const) out[field] = entry[field];
  return out;
}

export const jsonlLine = (entry: AuditEntry): string => `${JSON.stringify(exported(entry))}\n`;

const CSV_COLUMNS: readonly [string, (entry: AuditEntry) => unknown][] = [
  ['seq', (e) => e.seq],
  ['at', (e) => e.at],
  ['actor_type', (e) => e.actor.type],
  ['actor_id', (e) => e.actor.id],
  ['actor_name', (e) => e.actor.name],
  ['tenant_id', (e) => e.tenantId],
  ['action', (e) => e.action],
  ['target_type', (e) => e.target?.type],
  ['target_id', (e) => e.target?.id],
  ['result', (e) => e.result],
  ['source_ip', (e) => e.sourceIp],
  ['details', (e) => JSON.stringify(e.details)],
  ['schema_version', (e) => e.schemaVersion],
  ['prev_hash', (e) => e.prevHash],
  ['hash', (e) => e.hash],
];

/**
 * One RFC 4180 field. Spreadsheets run a cell starting with = + - @ (or tab / CR, which some of
 * them skip before looking) as a formula, so such a cell gets a leading ' (OWASP CSV injection).
 */
export function csvCell(value: unknown): string {
  let text = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const csvLine = (cells: readonly unknown[]): string => `${cells.map(csvCell).join(',')}\r\n`;

export const csvHeader = (): string => csvLine(CSV_COLUMNS.map(([name]) => name));

export const csvRow = (entry: AuditEntry): string => csvLine(CSV_COLUMNS.map(([, read]) => read(entry)));
