/** The long-lived services a running Yunshu shares between its routes and engines. */
import { AuditLog, auditAnchorsSpec } from './audit/audit-log.js';
import { collectionSpecs } from './model/index.js';
import { AccountService, DEFAULT_LOCKOUT, type LockoutPolicy } from './identity/accounts.js';
import { ApiTokenService } from './identity/api-tokens.js';
import { DEFAULT_SESSION_POLICY, SessionService, type SessionPolicy } from './identity/sessions.js';
import type { CollectionSpec, Store } from './store/port.js';

/** Every collection a running Yunshu stores: the model's entities plus engine bookkeeping. */
export const STORE_COLLECTIONS: readonly CollectionSpec[] = [...collectionSpecs, auditAnchorsSpec];

export interface Services {
  store: Store;
  audit: AuditLog;
  accounts: AccountService;
  sessions: SessionService;
  tokens: ApiTokenService;
}

export interface ServiceOptions {
  lockout?: LockoutPolicy;
  sessions?: SessionPolicy;
  auditRetentionDays?: number;
  now?: () => number;
}

export function createServices(store: Store, options: ServiceOptions = {}): Services {
  const now = options.now ?? Date.now;
  const audit = new AuditLog(store, {
    ...(options.auditRetentionDays ? { retentionDays: options.auditRetentionDays } : {}),
  });
  return {
    store,
    audit,
    accounts: new AccountService(store, audit, options.lockout ?? DEFAULT_LOCKOUT, now),
    sessions: new SessionService(store, options.sessions ?? DEFAULT_SESSION_POLICY, now),
    tokens: new ApiTokenService(store, now),
  };
}
