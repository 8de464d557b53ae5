/**
 * A console user, local or from OIDC. `UserSchema` is the stored document; the API returns
 * `PublicUserSchema`, which has no password hash.
 */
import { z, Id, StoredFields, TenantId, Timestamp } from './common.js';
import { SchemaVersion } from './fragments.js';

export const UserSource = z
  .enum(['local', 'oidc'])
  .describe('Where the identity comes from: local account or OIDC');
export type UserSource = z.infer<typeof UserSource>;

const userInput = {
  username: z
    .string()
    .min(2)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'expected letters, digits and . _ @ -')
    .describe('Unique login name'),
  displayName: z.string().min(1).max(128).describe('Display name, e.g. 张伟'),
  email: z.email().optional().describe('Email address'),
  source: UserSource,
  oidc: z
    .object({
      issuer: z.url().max(2048).describe('OIDC issuer URL'),
      subject: z.string().min(1).max(255).describe('OIDC subject (sub claim)'),
    })
    .optional()
    .describe('OIDC identity; set exactly when source is oidc'),
  roleIds: z.array(Id).default([]).describe('Roles held'),
  tenantId: TenantId.optional().describe(
    'Tenant (委办局) a tenant-scoped user belongs to; absent for platform users',
  ),
  disabled: z.boolean().default(false).describe('Disabled users cannot log in or use their tokens'),
};

const loginState = {
  failedLoginCount: z.int().nonnegative().default(0).describe('Consecutive failed logins, reset on success'),
  lockedUntil: Timestamp.optional().describe(
    'Login refused until then after too many failures (登录失败处理)',
  ),
  lastLoginAt: Timestamp.optional().describe('Last successful login'),
  passwordChangedAt: Timestamp.optional().describe('Last password change, for password-expiry policy'),
};

/** Local accounts carry a password (hash) and no OIDC identity; OIDC accounts the reverse. */
const credentialRule =
  (secretKey: 'password' | 'passwordHash') =>
  <T extends { source: UserSource; oidc?: unknown; password?: string; passwordHash?: string }>(
    user: T,
    ctx: z.core.$RefinementCtx<T>,
  ): void => {
    const isLocal = user.source === 'local';
    if (isLocal !== (user.oidc === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['oidc'],
        message: isLocal ? 'local users have no oidc identity' : 'oidc users need an oidc identity',
      });
    }
    if (isLocal !== (user[secretKey] !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [secretKey],
        message: isLocal ? `local users need a ${secretKey}` : `oidc users have no ${secretKey}`,
      });
    }
  };

const publicUserShape = { ...StoredFields, schemaVersion: SchemaVersion, ...userInput, ...loginState };

export const UserSchema = z
  .object({
    ...publicUserShape,
    passwordHash: z
      .string()
      .max(512)
      .regex(/^\$[a-z0-9-]+\$\S+$/, 'expected a PHC-format hash such as $scrypt$…')
      .optional()
      .describe(
        'PHC-format password hash of a local user (e.g. $scrypt$…); stored only, never returned by the API',
      ),
  })
  .superRefine(credentialRule('passwordHash'))
  .describe('A user as stored')
  .openapi('User');
export type User = z.infer<typeof UserSchema>;

export const PublicUserSchema = z
  .object(publicUserShape)
  .describe('A user as the API returns it (no password hash)')
  .openapi('PublicUser');
export type PublicUser = z.infer<typeof PublicUserSchema>;

/** 等保 password complexity: at least 8 characters from at least three of the four character classes. */
export const Password = z
  .string()
  .min(8)
  .max(256)
  .refine((p) => [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((c) => c.test(p)).length >= 3, {
    message: 'use at least three of: lowercase, uppercase, digits, symbols',
  })
  .describe('Initial password of a local user (write-only)');

export const UserCreateSchema = z
  .strictObject({ ...userInput, password: Password.optional() })
  .superRefine(credentialRule('password'))
  .describe('Creation of a user')
  .openapi('UserCreate');
export type UserCreate = z.infer<typeof UserCreateSchema>;
