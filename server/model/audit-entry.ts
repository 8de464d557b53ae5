/**
 * One entry of the append-only audit log. Entries form an SM3 hash chain (seq n stores the hash of
 * entry n−1), so a removed, reordered or edited entry breaks verification from that point on.
 */
import { z, StoredFields, TenantId, Timestamp } from './common.js';
import { ActorRef, ObjectRef, SchemaVersion, Sm3Hex } from './fragments.js';

export const AuditResult = z
  .enum(['success', 'failure', 'denied'])
  .describe('Outcome: success, failure (attempted, failed), denied (refused by authorisation)');

export const AuditEntrySchema = z
  .object({
    ...StoredFields,
    schemaVersion: SchemaVersion,
    seq: z.int().min(1).describe('Position in the chain, starting at 1, without gaps'),
    at: Timestamp.describe('When the action happened'),
    actor: ActorRef,
    tenantId: TenantId.optional().describe('Tenant the action concerns; absent for platform actions'),
    action: z
      .string()
      .max(128)
      .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, 'expected resource.verb, e.g. cluster.create')
      .describe('What was done, as resource.verb, e.g. cluster.create, playbook_run.approve, user.login'),
    target: ObjectRef.optional().describe('Object acted upon'),
    result: AuditResult,
    sourceIp: z.union([z.ipv4(), z.ipv6()]).optional().describe('Client IP address'),
    details: z
      .record(z.string(), z.unknown())
      .default({})
      .describe('Action-specific details (never secrets)'),
    prevHash: Sm3Hex.describe('Hash of the previous entry; 64 zeros for seq 1'),
    hash: Sm3Hex.describe('SM3 of prevHash and this entry’s canonical content'),
  })
  .describe('An audit-log entry (审计记录)')
  .openapi('AuditEntry');
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
