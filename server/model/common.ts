/**
 * Building blocks shared by every entity of the unified model.
 *
 * Conventions (every entity follows them, the stores rely on them):
 * - `id` is a string chosen by the writer (UUID, or a deterministic key such as
 *   `${clusterId}/${uid}` for collected objects, so re-collection upserts instead of duplicating);
 * - `tenantId` is present on everything a tenant may own; tenant scoping filters on it;
 * - `version` is the optimistic-concurrency counter, owned by the store (starts at 1, +1 per write);
 * - timestamps are ISO-8601 UTC strings with milliseconds (`2026-11-23T05:00:00.000Z`), which
 *   sort lexicographically in both stores; the console renders them in Asia/Shanghai.
 * - `schemaVersion` is the document-format version of the entity, bumped on breaking changes so
 *   migrations can recognise old rows.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };

export const Id = z.string().min(1).max(256).describe('Identifier, unique within its collection');
export const TenantId = z.string().min(1).max(128).describe('Owning tenant (委办局) id; scopes every query');
export const Timestamp = z.iso
  .datetime({ offset: false, precision: 3 })
  .describe('ISO-8601 UTC timestamp with milliseconds, e.g. 2026-11-23T05:00:00.000Z');
export const Labels = z
  .record(z.string().max(316), z.string().max(63 * 4))
  .describe('Kubernetes-style labels (key → value)');

/** Fields the store manages on every document. */
export const StoredFields = {
  id: Id,
  version: z.number().int().min(1).describe('Optimistic-concurrency version, incremented by every write'),
  createdAt: Timestamp.describe('When the document was first stored'),
  updatedAt: Timestamp.describe('When the document was last written'),
};

/** Now as a model timestamp. */
export const nowIso = (): string => new Date().toISOString();
