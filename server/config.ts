/** Runtime configuration, read once from the environment and validated. */
import { resolve } from 'node:path';
import { z } from 'zod';
import type { OidcConfig } from './identity/oidc.js';
import { Password } from './model/user.js';

const ConfigSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().default('0.0.0.0'),
    YUNSHU_DATA_DIR: z.string().min(1).default('./data'),
    YUNSHU_STORE: z.enum(['sqlite', 'mongo']).default('sqlite'),
    YUNSHU_SQLITE_SYNC: z.enum(['normal', 'full']).default('normal'),
    MONGODB_URL: z
      .string()
      .regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URL')
      .optional(),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    YUNSHU_ADMIN_PASSWORD: Password.optional(),
    YUNSHU_SECADMIN_PASSWORD: Password.optional(),
    YUNSHU_AUDITADMIN_PASSWORD: Password.optional(),
    YUNSHU_MASTER_KEY: z.string().optional(),
    YUNSHU_DEMO: z.enum(['auto', 'on', 'off']).default('auto'),
    YUNSHU_COLLECT: z.enum(['on', 'off']).default('on'),
    YUNSHU_IMAGE_PLATFORM_LOOKUP: z.enum(['on', 'off']).default('off'),
    YUNSHU_OIDC_ISSUER: z.url().optional(),
    YUNSHU_OIDC_CLIENT_ID: z.string().min(1).optional(),
    YUNSHU_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    YUNSHU_OIDC_REDIRECT_URI: z.url().optional(),
    YUNSHU_OIDC_SCOPES: z.string().optional(),
    YUNSHU_OIDC_GROUPS_CLAIM: z.string().optional(),
    YUNSHU_OIDC_TENANT_CLAIM: z.string().optional(),
    YUNSHU_OIDC_GROUP_ROLE_MAP: z
      .string()
      .default('{}')
      .transform((text, ctx) => {
        try {
          return z.record(z.string(), z.array(z.string())).parse(JSON.parse(text));
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be JSON: {"IdP group": ["role", ...]}' });
          return z.NEVER;
        }
      }),
    YUNSHU_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(184).default(184),
    YUNSHU_EVENT_RETENTION_DAYS: z.coerce.number().int().min(184).default(184),
    /** Milliseconds to finish in-flight requests on SIGTERM before closing anyway. */
    YUNSHU_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
  })
  .superRefine((env, ctx) => {
    if (env.YUNSHU_STORE === 'mongo' && !env.MONGODB_URL)
      ctx.addIssue({ code: 'custom', path: ['MONGODB_URL'], message: 'required when YUNSHU_STORE=mongo' });
    if (env.YUNSHU_OIDC_ISSUER)
      for (const key of [
        'YUNSHU_OIDC_CLIENT_ID',
        'YUNSHU_OIDC_CLIENT_SECRET',
        'YUNSHU_OIDC_REDIRECT_URI',
      ] as const)
        if (!env[key])
          ctx.addIssue({ code: 'custom', path: [key], message: 'required with YUNSHU_OIDC_ISSUER' });
  });

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  store: { kind: 'sqlite'; dataDir: string; synchronous: 'normal' | 'full' } | { kind: 'mongo'; url: string };
  redisUrl?: string;
  logLevel: z.infer<typeof ConfigSchema>['LOG_LEVEL'];
  shutdownGraceMs: number;
  /** First-start passwords of the three officers' accounts; generated when absent. */
  bootstrapPasswords: { admin?: string; secadmin?: string; auditadmin?: string };
  auditRetentionDays: number;
  /** Security events older than this (by ingest time) are deleted; alerts and incidents stay. */
  eventRetentionDays: number;
  /** auto: run the demo fleet while no real cluster is registered. */
  demo: 'auto' | 'on' | 'off';
  /** Whether this process runs the collectors (off for API-only replicas). */
  collect: boolean;
  /** Ask image registries (anonymously) which platforms images have; off where registries are unreachable. */
  imagePlatformLookup: boolean;
  /** As given; secrets/master-key.ts validates it (or generates one in the data dir). */
  masterKey?: string;
  oidc?: OidcConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success)
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  const e = parsed.data;
  const dataDir = resolve(e.YUNSHU_DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    store:
      e.YUNSHU_STORE === 'mongo'
        ? { kind: 'mongo', url: e.MONGODB_URL! }
        : { kind: 'sqlite', dataDir, synchronous: e.YUNSHU_SQLITE_SYNC },
    ...(e.REDIS_URL ? { redisUrl: e.REDIS_URL } : {}),
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.YUNSHU_SHUTDOWN_GRACE_MS,
    bootstrapPasswords: {
      ...(e.YUNSHU_ADMIN_PASSWORD ? { admin: e.YUNSHU_ADMIN_PASSWORD } : {}),
      ...(e.YUNSHU_SECADMIN_PASSWORD ? { secadmin: e.YUNSHU_SECADMIN_PASSWORD } : {}),
      ...(e.YUNSHU_AUDITADMIN_PASSWORD ? { auditadmin: e.YUNSHU_AUDITADMIN_PASSWORD } : {}),
    },
    auditRetentionDays: e.YUNSHU_AUDIT_RETENTION_DAYS,
    eventRetentionDays: e.YUNSHU_EVENT_RETENTION_DAYS,
    demo: e.YUNSHU_DEMO,
    collect: e.YUNSHU_COLLECT === 'on',
    imagePlatformLookup: e.YUNSHU_IMAGE_PLATFORM_LOOKUP === 'on',
    ...(e.YUNSHU_MASTER_KEY ? { masterKey: e.YUNSHU_MASTER_KEY } : {}),
    ...(e.YUNSHU_OIDC_ISSUER
      ? {
          oidc: {
            issuer: e.YUNSHU_OIDC_ISSUER,
            clientId: e.YUNSHU_OIDC_CLIENT_ID!,
            clientSecret: e.YUNSHU_OIDC_CLIENT_SECRET!,
            redirectUri: e.YUNSHU_OIDC_REDIRECT_URI!,
            groupRoleMap: e.YUNSHU_OIDC_GROUP_ROLE_MAP,
            ...(e.YUNSHU_OIDC_SCOPES ? { scopes: e.YUNSHU_OIDC_SCOPES } : {}),
            ...(e.YUNSHU_OIDC_GROUPS_CLAIM ? { groupsClaim: e.YUNSHU_OIDC_GROUPS_CLAIM } : {}),
            ...(e.YUNSHU_OIDC_TENANT_CLAIM ? { tenantClaim: e.YUNSHU_OIDC_TENANT_CLAIM } : {}),
          },
        }
      : {}),
  };
}
