/**
 * An API token for automation. The secret is shown once at creation and only its hash is kept;
 * the API returns `PublicApiTokenSchema`, which has no hash.
 */
import { z, Id, StoredFields, Timestamp } from './common.js';
import { EventSource, SchemaVersion, Sm3Hex, UserId } from './fragments.js';
import { Permission } from './role.js';

const tokenInput = {
  name: z.string().min(1).max(128).describe('What the token is for, e.g. ci-deploy, soar-webhook'),
  permissions: z
    .array(Permission)
    .min(1)
    .describe(
      "Permissions of the token, a subset of the owner's (checked when the token is created and used)",
    ),
  expiresAt: Timestamp.optional().describe('Expiry; absent means no expiry'),
  ingest: z
    .strictObject({
      sources: z.array(EventSource).min(1).describe('Sources the token may post to /api/v1/ingest/*'),
      clusterId: Id.optional().describe(
        'Cluster the events come from: the ingest routes then take no other and need no clusterId parameter',
      ),
    })
    .optional()
    .describe(
      'Makes this a per-source ingest credential (Falco, the audit webhook, Alertmanager…): only those sources, from that cluster',
    ),
};

const publicTokenShape = {
  ...StoredFields,
  schemaVersion: SchemaVersion,
  ...tokenInput,
  ownerUserId: UserId.describe('User the token acts for'),
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9_]{8,32}$/, 'expected 8-32 letters, digits or _')
    .describe(
      'Leading characters of the token (e.g. ysk_3fA9c2), shown to humans and used to look the token up',
    ),
  lastUsedAt: Timestamp.optional().describe('Last successful use'),
  revokedAt: Timestamp.optional().describe('When the token was revoked; revoked tokens are refused'),
};

export const ApiTokenSchema = z
  .object({
    ...publicTokenShape,
    secretHash: Sm3Hex.describe('SM3 digest of the token secret; stored only, never returned by the API'),
  })
  .describe('An API token as stored')
  .openapi('ApiToken');
export type ApiToken = z.infer<typeof ApiTokenSchema>;

export const PublicApiTokenSchema = z
  .object(publicTokenShape)
  .describe('An API token as the API returns it (no secret hash)')
  .openapi('PublicApiToken');
export type PublicApiToken = z.infer<typeof PublicApiTokenSchema>;

export const ApiTokenCreateSchema = z
  .strictObject(tokenInput)
  .describe('Creation of an API token for the calling user')
  .openapi('ApiTokenCreate');
export type ApiTokenCreate = z.infer<typeof ApiTokenCreateSchema>;
