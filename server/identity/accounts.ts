/**
 * Local accounts: login with lockout (等保: 登录失败处理), principals from roles, the built-in roles
 * and the first-start bootstrap of the three officers' accounts (三员).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ActorRef } from '../model/fragments.js';
import type { Role } from '../model/role.js';
import type { User } from '../model/user.js';
import type { Store } from '../store/port.js';
import type { ApiToken } from '../model/api-token.js';
import type { Tenant } from '../model/tenant.js';
import type { OidcIdentity } from './oidc.js';
import { BUILTIN_ROLES } from './builtin-roles.js';
import { decoyHash, hashPassword, verifyPassword } from './passwords.js';
import type { Principal } from './principal.js';

/** Where account events go: the audit log (an interface, so identity does not depend on it). */
export interface AuditSink {
  append(event: {
    actor: ActorRef;
    tenantId?: string;
    action: string;
    target?: { type: string; id: string };
    result: 'success' | 'failure' | 'denied';
    sourceIp?: string;
    details?: Record<string, unknown>;
  }): Promise<unknown>;
}

export interface LockoutPolicy {
  maxFailures: number;
  lockMs: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 5, lockMs: 15 * 60_000 };

export type LoginResult =
  { ok: true; user: User } | { ok: false; reason: 'invalid' | 'locked' | 'disabled'; retryAfterMs?: number };

/** Roles change rarely and are read on every request: cache them briefly in each process. */
const ROLE_CACHE_MS = 10_000;

export class AccountService {
  private roleCache: { at: number; roles: Map<string, Role> } | undefined;

  constructor(
    private readonly store: Store,
    private readonly audit: AuditSink,
    private readonly lockout: LockoutPolicy = DEFAULT_LOCKOUT,
    private readonly now: () => number = Date.now,
  ) {}

  private get users() {
    return this.store.collection<User>('users');
  }
  private get roles() {
    return this.store.collection<Role>('roles');
  }

  /** Drops the role cache after a role is written. */
  rolesChanged(): void {
    this.roleCache = undefined;
  }

  async rolesById(): Promise<Map<string, Role>> {
    if (this.roleCache && this.now() - this.roleCache.at < ROLE_CACHE_MS) return this.roleCache.roles;
    const page = await this.roles.find({ limit: 1000, sort: { field: 'id', dir: 'asc' } });
    const roles = new Map(page.items.map((role) => [role.id, role]));
    this.roleCache = { at: this.now(), roles };
    return roles;
  }

  async principalForUser(user: User, credentialId?: string): Promise<Principal> {
    const roles = await this.rolesById();
    const permissions = new Set<string>();
    for (const id of user.roleIds) for (const p of roles.get(id)?.permissions ?? []) permissions.add(p);
    return {
      kind: 'user',
      userId: user.id,
      name: user.username,
      roleIds: user.roleIds,
      permissions,
      ...(user.tenantId ? { tenantIds: [user.tenantId] } : {}),
      ...(credentialId ? { credentialId } : {}),
    };
  }

  async principalForToken(token: ApiToken): Promise<Principal | null> {
    const owner = await this.users.get(token.ownerUserId);
    if (!owner || owner.disabled) return null;
    const principal = await this.principalForUser(owner, token.id);
    return {
      ...principal,
      kind: 'token',
      limitTo: new Set(token.permissions),
      ...(token.ingest ? { ingest: token.ingest } : {}),
    };
  }

  async findByUsername(username: string): Promise<User | null> {
    return (await this.users.find({ filter: { username }, limit: 1 })).items[0] ?? null;
  }

  async login(username: string, password: string, sourceIp?: string): Promise<LoginResult> {
    const user = await this.findByUsername(username);
    const result = await this.checkPassword(user, password);
    await this.audit.append({
      actor: user
        ? { type: 'user', id: user.id, name: user.username }
        : { type: 'user', id: 'unknown', name: username.slice(0, 64) },
      ...(user?.tenantId ? { tenantId: user.tenantId } : {}),
      action: 'user.login',
      ...(user ? { target: { type: 'user', id: user.id } } : {}),
      result: result.ok ? 'success' : 'failure',
      ...(sourceIp ? { sourceIp } : {}),
      details: { method: 'password', ...(result.ok ? {} : { reason: result.reason }) },
    });
    return result;
  }

  private async checkPassword(user: User | null, password: string): Promise<LoginResult> {
    if (!user || !user.passwordHash) {
      await verifyPassword(password, await decoyHash());
      return { ok: false, reason: 'invalid' };
    }
    const now = this.now();
    if (user.lockedUntil && Date.parse(user.lockedUntil) > now)
      return { ok: false, reason: 'locked', retryAfterMs: Date.parse(user.lockedUntil) - now };
    const valid = await verifyPassword(password, user.passwordHash);
    if (valid && user.disabled) return { ok: false, reason: 'disabled' };
    if (!valid) {
      const failures = user.failedLoginCount + 1;
      const locks = failures >= this.lockout.maxFailures;
      await this.users.update(user.id, {
        failedLoginCount: locks ? 0 : failures,
        ...(locks ? { lockedUntil: new Date(now + this.lockout.lockMs).toISOString() } : {}),
      });
      return locks
        ? { ok: false, reason: 'locked', retryAfterMs: this.lockout.lockMs }
        : { ok: false, reason: 'invalid' };
    }
    const updated = await this.users.update(user.id, {
      failedLoginCount: 0,
      lockedUntil: undefined,
      lastLoginAt: new Date(now).toISOString(),
    });
    return { ok: true, user: updated };
  }

  /**
   * The local account of an OIDC identity, created on first login and refreshed on each: the IdP
   * owns the profile and the role mapping. Refused (null, audited) when the account is disabled or
   * the IdP groups map to roles of two officer duties.
   */
  async loginWithOidc(identity: OidcIdentity, sourceIp?: string): Promise<User | null> {
    const users = this.users;
    const existing = (
      await users.find({
        filter: { 'oidc.issuer': identity.issuer, 'oidc.subject': identity.subject },
        limit: 1,
      })
    ).items[0];
    const roles = await this.rolesById();
    const roleIds = identity.roles.filter((id) => roles.has(id));
    const duties = new Set(roleIds.map((id) => roles.get(id)!.duty).filter(Boolean));
    const tenant = identity.tenantCode
      ? (
          await this.store
            .collection<Tenant>('tenants')
            .find({ filter: { code: identity.tenantCode }, limit: 1 })
        ).items[0]
      : undefined;
    let refusal: string | undefined;
    if (existing?.disabled) refusal = 'disabled';
    else if (duties.size > 1) refusal = 'separation of duties: IdP groups map to several officer duties';
    else if (identity.tenantCode && !tenant) refusal = `unknown tenant code ${identity.tenantCode}`;
    else if (!tenant && roleIds.some((id) => roles.get(id)!.tenantScoped))
      refusal = 'tenant roles need a tenant: the IdP sent no known tenant code';
    let user: User | null = null;
    if (!refusal) {
      const profile = {
        displayName: identity.displayName.slice(0, 128),
        ...(identity.email ? { email: identity.email } : {}),
        roleIds,
        ...(tenant ? { tenantId: tenant.id } : {}),
        lastLoginAt: new Date(this.now()).toISOString(),
      };
      user = existing
        ? await users.update(existing.id, profile)
        : await users.insert({
            id: randomUUID(),
            schemaVersion: 1,
            // OIDC usernames live beside local ones; a clash gets the issuer's host as a suffix.
            username: (await this.findByUsername(identity.username))
              ? `${identity.username}@${new URL(identity.issuer).hostname}`.slice(0, 64)
              : identity.username,
            source: 'oidc',
            oidc: { issuer: identity.issuer, subject: identity.subject },
            disabled: false,
            failedLoginCount: 0,
            ...profile,
          });
    }
    await this.audit.append({
      actor: user
        ? { type: 'user', id: user.id, name: user.username }
        : { type: 'user', id: existing?.id ?? 'unknown', name: identity.username.slice(0, 64) },
      ...(user?.tenantId ? { tenantId: user.tenantId } : {}),
      action: 'user.login',
      ...(user ? { target: { type: 'user', id: user.id } } : {}),
      result: user ? 'success' : 'failure',
      ...(sourceIp ? { sourceIp } : {}),
      details: {
        method: 'oidc',
        issuer: identity.issuer,
        groups: identity.groups,
        roleIds,
        ...(refusal ? { reason: refusal } : {}),
      },
    });
    return user;
  }

  /** Creates or refreshes the built-in roles; their definitions always come from the code. */
  async ensureBuiltinRoles(): Promise<void> {
    for (const role of BUILTIN_ROLES) {
      const existing = await this.roles.get(role.id);
      const wanted = { ...role, schemaVersion: 1 as const, builtin: true };
      if (!existing || JSON.stringify({ ...existing, ...wanted }) !== JSON.stringify(existing))
        await this.roles.upsert(wanted);
    }
    this.rolesChanged();
  }

  /**
   * On first start (no users yet) creates one account per officer: admin (system admin),
   * secadmin (security admin) and auditadmin (audit admin). Passwords come from the environment,
   * or are generated and returned once so the caller can print them.
   */
  async bootstrap(passwords: {
    admin?: string;
    secadmin?: string;
    auditadmin?: string;
  }): Promise<Array<{ username: string; generatedPassword?: string }>> {
    if ((await this.users.count()) > 0) return [];
    const accounts = [
      { username: 'admin', displayName: '系统管理员', role: 'system-admin', password: passwords.admin },
      {
        username: 'secadmin',
        displayName: '安全管理员',
        role: 'security-admin',
        password: passwords.secadmin,
      },
      {
        username: 'auditadmin',
        displayName: '审计管理员',
        role: 'audit-admin',
        password: passwords.auditadmin,
      },
    ];
    const created: Array<{ username: string; generatedPassword?: string }> = [];
    for (const account of accounts) {
      const generated = account.password ? undefined : `Ys-${randomBytes(12).toString('base64url')}`;
      const user = await this.users.insert({
        id: randomUUID(),
        schemaVersion: 1,
        username: account.username,
        displayName: account.displayName,
        source: 'local',
        roleIds: [account.role],
        disabled: false,
        failedLoginCount: 0,
        passwordHash: await hashPassword(account.password ?? generated!),
        passwordChangedAt: new Date(this.now()).toISOString(),
      });
      await this.audit.append({
        actor: { type: 'system', id: 'bootstrap', name: 'yunshu' },
        action: 'user.create',
        target: { type: 'user', id: user.id },
        result: 'success',
        details: {
          username: user.username,
          roleIds: user.roleIds,
          passwordFrom: generated ? 'generated' : 'env',
        },
      });
      created.push({ username: account.username, ...(generated ? { generatedPassword: generated } : {}) });
    }
    return created;
  }
}
