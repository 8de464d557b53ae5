/** The long-lived services a running Yunshu shares between its routes and engines. */
import { AuditLog, auditAnchorsSpec } from './audit/audit-log.js';
import { collectionSpecs } from './model/index.js';
import { detectionCheckpointsSpec } from './detection/checkpoint.js';
import { AccountService, DEFAULT_LOCKOUT, type LockoutPolicy } from './identity/accounts.js';
import { randomBytes } from 'node:crypto';
import { ApiTokenService } from './identity/api-tokens.js';
import type { ImagePlatformResolver } from '../collectors/heterogeneity/arch-mismatch.js';
import { OidcLogin, type OidcConfig } from './identity/oidc.js';
import { DEFAULT_SESSION_POLICY, SessionService, type SessionPolicy } from './identity/sessions.js';
import { secretsSpec } from './model/secret.js';
import { SecretBox } from './secrets/secret-box.js';
import { SecretStore } from './secrets/secret-store.js';
import type { CollectionSpec, Store } from './store/port.js';

/** Every collection a running Yunshu stores: the model's entities plus engine bookkeeping. */
export const STORE_COLLECTIONS: readonly CollectionSpec[] = [
  ...collectionSpecs,
  secretsSpec,
  auditAnchorsSpec,
  detectionCheckpointsSpec,
];

export interface Services {
  store: Store;
  audit: AuditLog;
  accounts: AccountService;
  sessions: SessionService;
  tokens: ApiTokenService;
  /** SM4 sealing under the master key: stored secrets, and short-lived values such as OIDC state. */
  box: SecretBox;
  secrets: SecretStore;
  /** Single sign-on, when an OpenID Provider is configured. */
  oidc?: () => Promise<OidcLogin>;
  /** The collectors, when this process runs them: told about registry changes. */
  fleet?: { refresh(): Promise<void> };
  /** Image registries asked which platforms an image has, when enabled (arch-mismatch finder). */
  imagePlatforms?: ImagePlatformResolver;
}

export interface ServiceOptions {
  lockout?: LockoutPolicy;
  sessions?: SessionPolicy;
  auditRetentionDays?: number;
  /** 32 bytes (see secrets/master-key.ts); a throwaway key when absent (tests). */
  masterKey?: Buffer;
  oidc?: OidcConfig;
  imagePlatforms?: ImagePlatformResolver;
  now?: () => number;
}

/** Discovers the IdP on first use and again after a failure, so an unreachable IdP never blocks start-up. */
function lazyOidc(config: OidcConfig): () => Promise<OidcLogin> {
  let discovery: Promise<OidcLogin> | undefined;
  return () =>
    (discovery ??= OidcLogin.discover(config).catch((error: unknown) => {
      discovery = undefined;
      throw error;
    }));
}

export function createServices(store: Store, options: ServiceOptions = {}): Services {
  const now = options.now ?? Date.now;
  const audit = new AuditLog(store, {
    ...(options.auditRetentionDays ? { retentionDays: options.auditRetentionDays } : {}),
  });
  const box = new SecretBox(options.masterKey ?? randomBytes(32));
  return {
    store,
    audit,
    box,
    secrets: new SecretStore(store, box),
    ...(options.oidc ? { oidc: lazyOidc(options.oidc) } : {}),
    ...(options.imagePlatforms ? { imagePlatforms: options.imagePlatforms } : {}),
    accounts: new AccountService(store, audit, options.lockout ?? DEFAULT_LOCKOUT, now),
    sessions: new SessionService(store, options.sessions ?? DEFAULT_SESSION_POLICY, now),
    tokens: new ApiTokenService(store, now),
  };
}
