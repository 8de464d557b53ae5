/**
 * A login session. The session token is handed to the client once (bearer or httpOnly cookie);
 * the store keeps only its SM3 digest as the id, so a leaked database does not leak sessions.
 */
import { z, StoredFields, TenantId, Timestamp } from './common.js';
import { SchemaVersion, Sm3Hex, UserId } from './fragments.js';

export const SessionSchema = z
  .object({
    ...StoredFields,
    id: Sm3Hex.describe('SM3 digest of the session token'),
    schemaVersion: SchemaVersion,
    userId: UserId.describe('Whose session'),
    tenantId: TenantId.optional().describe('Tenant of a tenant-scoped user'),
    transport: z
      .enum(['bearer', 'cookie'])
      .describe('How the client presents it; cookie sessions need a CSRF token'),
    csrfHash: Sm3Hex.optional().describe('SM3 digest of the CSRF token of a cookie session'),
    method: z.enum(['password', 'oidc']).describe('How the user authenticated'),
    lastSeenAt: Timestamp.describe('Last request; the idle timeout counts from here'),
    expiresAt: Timestamp.describe('Absolute end of the session'),
    sourceIp: z.string().max(64).optional().describe('Client IP at login'),
    userAgent: z.string().max(512).optional().describe('Client user agent at login'),
  })
  .describe('A login session (stored only)')
  .openapi('Session');
export type Session = z.infer<typeof SessionSchema>;
