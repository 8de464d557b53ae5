/** Who is calling: resolved once per request by authenticate(), read by authorization and scoping. */
import type { ActorRef } from '../model/fragments.js';
import { grantsCover } from './permissions.js';

export interface Principal {
  kind: 'user' | 'token' | 'system' | 'playbook';
  /** The acting user (for tokens, the owner); system/playbook principals use a component id. */
  userId: string;
  name: string;
  roleIds: readonly string[];
  permissions: ReadonlySet<string>;
  /** API tokens carry their own grants: a permission must be in both sets. */
  limitTo?: ReadonlySet<string>;
  /** The tenants whose data this principal may touch; `undefined` means platform-wide. */
  tenantIds?: readonly string[];
  /** The session or API token the request came with, for logout/revocation. */
  credentialId?: string;
  /** For ingest tokens: the sources it may post and the cluster its events come from. */
  ingest?: { readonly sources: readonly string[]; readonly clusterId?: string };
  /** Set for cookie sessions: unsafe methods must echo the CSRF token. */
  csrfHash?: string;
}

export const can = (principal: Principal, permission: string): boolean =>
  grantsCover(principal.permissions, permission) &&
  (principal.limitTo === undefined || grantsCover(principal.limitTo, permission));

export const isPlatformWide = (principal: Principal): boolean => principal.tenantIds === undefined;

export function actorOf(principal: Principal): ActorRef {
  return {
    type: principal.kind,
    id: principal.kind === 'token' ? (principal.credentialId ?? principal.userId) : principal.userId,
    name: principal.name,
  };
}

/** Yunshu acting on its own (bootstrap, schedulers), with every permission and no tenant limit. */
export const SYSTEM_PRINCIPAL: Principal = {
  kind: 'system',
  userId: 'system',
  name: 'yunshu',
  roleIds: [],
  permissions: new Set(['*:*']),
};
