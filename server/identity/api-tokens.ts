/**
 * API tokens for automation: `ysk_<10 hex>_<secret>`. The first part is the stored, unique prefix
 * used for lookup; the whole token is shown once at creation and kept only as an SM3 digest.
 */
import { randomBytes } from 'node:crypto';
import type { ApiToken, ApiTokenCreate, PublicApiToken } from '../model/api-token.js';
import type { Store } from '../store/port.js';
import { sameDigest, sm3Hex } from './digest.js';

const TOKEN = /^(ysk_[0-9a-f]{10})_[A-Za-z0-9_-]{43}$/;

export function publicToken(token: ApiToken): PublicApiToken {
  const { secretHash: _secret, ...rest } = token;
  return rest;
}

export class ApiTokenService {
  constructor(
    private readonly store: Store,
    /** The service's clock, also used by callers that validate expiry dates. */
    readonly now: () => number = Date.now,
  ) {}

  private get tokens() {
    return this.store.collection<ApiToken>('api_tokens');
  }

  async create(
    ownerUserId: string,
    input: ApiTokenCreate,
  ): Promise<{ token: string; record: PublicApiToken }> {
    const prefix = `ysk_${randomBytes(5).toString('hex')}`;
    const token = `${prefix}_${randomBytes(32).toString('base64url')}`;
    const record = await this.tokens.insert({
      id: prefix,
      schemaVersion: 1,
      ...input,
      ownerUserId,
      prefix,
      secretHash: sm3Hex(token),
    });
    return { token, record: publicToken(record) };
  }

  /** The stored token a presented secret belongs to, if it is valid now. */
  async resolve(presented: string): Promise<ApiToken | null> {
    const match = TOKEN.exec(presented);
    if (!match) return null;
    const record = await this.tokens.get(match[1]!);
    if (!record || !sameDigest(record.secretHash, sm3Hex(presented))) return null;
    const now = this.now();
    if (record.revokedAt || (record.expiresAt && Date.parse(record.expiresAt) <= now)) return null;
    // lastUsedAt is advisory: refresh it at most once a minute.
    if (!record.lastUsedAt || now - Date.parse(record.lastUsedAt) > 60_000)
      await this.tokens.update(record.id, { lastUsedAt: new Date(now).toISOString() }).catch(() => undefined);
    return record;
  }

  async revoke(id: string, filter?: { ownerUserId: string }): Promise<PublicApiToken> {
    const revoked = await this.tokens.update(
      id,
      { revokedAt: new Date(this.now()).toISOString() },
      filter ? { filter } : {},
    );
    return publicToken(revoked);
  }
}
