/**
 * A secret Yunshu itself holds (kubeconfig, webhook credential, OIDC client secret, Prometheus
 * credentials), sealed under the master key with SM4 (server/secrets). The API returns
 * `PublicSecretSchema`, which has no sealed value; the plaintext is only for internal use.
 */
import { z, StoredFields, TenantId } from './common.js';
import { SchemaVersion } from './fragments.js';

export const SecretKind = z
  .enum(['kubeconfig', 'webhook', 'oidc_client', 'prometheus', 'other'])
  .describe(
    'What the secret is: kubeconfig (cluster credentials), webhook (signing secret or URL token), oidc_client (OIDC client secret), prometheus (basic auth or bearer token), other',
  );
export type SecretKind = z.infer<typeof SecretKind>;

const publicSecretShape = {
  ...StoredFields,
  schemaVersion: SchemaVersion,
  name: z.string().min(1).max(128).describe('Unique name, e.g. gz-prod-1-kubeconfig'),
  kind: SecretKind,
  tenantId: TenantId.optional().describe('Owning tenant; absent for platform secrets'),
  keyId: z
    .string()
    .regex(/^[0-9a-f]{8}$/, 'expected 8 lowercase hex characters')
    .describe('Master key the value is sealed under (8 hex of its SM3), to track key rotation'),
};

export const SecretSchema = z
  .object({
    ...publicSecretShape,
    sealed: z
      .string()
      .max(1_000_000)
      .regex(
        /^ys1\.[a-z0-9]+\.[0-9a-f]{8}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/,
        'expected a sealed value',
      )
      .describe('The value sealed with SM4-CTR + HMAC-SM3; stored only, never returned by the API'),
  })
  .describe('A secret as stored')
  .openapi('Secret');
export type Secret = z.infer<typeof SecretSchema>;

export const PublicSecretSchema = z
  .object({
    ...publicSecretShape,
    hasValue: z.literal(true).describe('A value is set; it is never returned'),
  })
  .describe('A secret as the API returns it (no value)')
  .openapi('PublicSecret');
export type PublicSecret = z.infer<typeof PublicSecretSchema>;

/** The registry entry (a CollectionDescriptor of model/index.ts, and a store CollectionSpec). */
export const secretsSpec = {
  name: 'secrets',
  schema: SecretSchema,
  tenantScoped: true,
  indexes: [['tenantId'], ['kind']],
  unique: [['name']],
} as const;
