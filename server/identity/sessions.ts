/**
 * Login sessions with an idle timeout and an absolute lifetime (等保: 登录连接超时自动退出).
 * Tokens are `yss_…`; the store keeps their SM3 digest as the session id.
 */
import type { Session } from '../model/session.js';
import type { User } from '../model/user.js';
import type { Store } from '../store/port.js';
import { newSecret, sm3Hex } from './digest.js';

export interface SessionPolicy {
  idleMs: number;
  maxMs: number;
}

export const DEFAULT_SESSION_POLICY: SessionPolicy = { idleMs: 30 * 60_000, maxMs: 12 * 3_600_000 };

/** Touching lastSeenAt on every request would turn reads into writes; once a minute is enough. */
const TOUCH_EVERY_MS = 60_000;

export interface NewSession {
  token: string;
  /** Only for cookie sessions: the client echoes it in X-CSRF-Token on unsafe methods. */
  csrfToken?: string;
  session: Session;
}

export class SessionService {
  constructor(
    private readonly store: Store,
    private readonly policy: SessionPolicy = DEFAULT_SESSION_POLICY,
    private readonly now: () => number = Date.now,
  ) {}

  private get sessions() {
    return this.store.collection<Session>('sessions');
  }

  async create(
    user: User,
    options: {
      transport: 'bearer' | 'cookie';
      method: 'password' | 'oidc';
      sourceIp?: string;
      userAgent?: string;
    },
  ): Promise<NewSession> {
    const token = newSecret('yss');
    const csrfToken = options.transport === 'cookie' ? newSecret('csrf') : undefined;
    const at = this.now();
    const session = await this.sessions.insert({
      id: sm3Hex(token),
      schemaVersion: 1,
      userId: user.id,
      ...(user.tenantId ? { tenantId: user.tenantId } : {}),
      transport: options.transport,
      ...(csrfToken ? { csrfHash: sm3Hex(csrfToken) } : {}),
      method: options.method,
      lastSeenAt: new Date(at).toISOString(),
      expiresAt: new Date(at + this.policy.maxMs).toISOString(),
      ...(options.sourceIp ? { sourceIp: options.sourceIp.slice(0, 64) } : {}),
      ...(options.userAgent ? { userAgent: options.userAgent.slice(0, 512) } : {}),
    });
    return { token, ...(csrfToken ? { csrfToken } : {}), session };
  }

  /** The live session for a token, or null when unknown, expired or idle too long (then removed). */
  async resolve(token: string): Promise<Session | null> {
    if (!token.startsWith('yss_')) return null;
    const session = await this.sessions.get(sm3Hex(token));
    if (!session) return null;
    const now = this.now();
    const lastSeen = Date.parse(session.lastSeenAt);
    if (now >= Date.parse(session.expiresAt) || now - lastSeen >= this.policy.idleMs) {
      await this.sessions.delete(session.id);
      return null;
    }
    if (now - lastSeen >= TOUCH_EVERY_MS)
      return this.sessions
        .update(session.id, { lastSeenAt: new Date(now).toISOString() })
        .catch(() => session);
    return session;
  }

  async revoke(sessionId: string): Promise<boolean> {
    return this.sessions.delete(sessionId);
  }

  /** Ends every session of a user (password change, disable, delete). */
  async revokeAllFor(userId: string): Promise<number> {
    return this.sessions.deleteMany({ userId });
  }

  /** Removes sessions past their absolute lifetime (idle ones go on their next lookup). */
  async purgeExpired(): Promise<number> {
    return this.sessions.deleteMany({ expiresAt: { lte: new Date(this.now()).toISOString() } });
  }
}
