/**
 * Resolves the caller once per request: `Authorization: Bearer yss_…` (login session) or
 * `Bearer ysk_…` (API token), or the console's httpOnly session cookie. Cookie sessions must echo
 * their CSRF token in `X-CSRF-Token` on unsafe methods, since browsers send cookies cross-site.
 * Routes then require a principal (see route.ts); this middleware never rejects a request by itself
 * except for a bad CSRF token or a credential that is present but invalid.
 */
import type { RequestHandler } from 'express';
import type { AccountService } from '../identity/accounts.js';
import type { ApiTokenService } from '../identity/api-tokens.js';
import { sameDigest, sm3Hex } from '../identity/digest.js';
import type { SessionService } from '../identity/sessions.js';
import type { User } from '../model/user.js';
import type { Store } from '../store/port.js';
import { HttpError } from './errors.js';

export const SESSION_COOKIE = 'yunshu_session';
export const CSRF_COOKIE = 'yunshu_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AuthServices {
  store: Store;
  accounts: AccountService;
  sessions: SessionService;
  tokens: ApiTokenService;
}

function bearerOf(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

const invalid = () =>
  new HttpError(401, 'invalid or expired credentials', [], {
    'WWW-Authenticate': 'Bearer error="invalid_token"',
  });

export function authenticate(services: AuthServices): RequestHandler {
  const users = () => services.store.collection<User>('users');
  return async (req, res, next) => {
    try {
      const bearer = bearerOf(req.headers.authorization);
      const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
      if (bearer?.startsWith('ysk_')) {
        const token = await services.tokens.resolve(bearer);
        const principal = token && (await services.accounts.principalForToken(token));
        if (!principal) throw invalid();
        res.locals.principal = principal;
        return next();
      }
      const sessionToken = bearer ?? cookie;
      if (!sessionToken) return next();
      const session = await services.sessions.resolve(sessionToken);
      if (!session) {
        // A stale cookie is not an error for public pages; a stale bearer is.
        if (bearer) throw invalid();
        return next();
      }
      if (!bearer && !SAFE_METHODS.has(req.method)) {
        const presented = req.get(CSRF_HEADER);
        if (!presented || !session.csrfHash || !sameDigest(session.csrfHash, sm3Hex(presented)))
          throw new HttpError(403, 'missing or wrong CSRF token', [
            { path: `headers.${CSRF_HEADER}`, message: 'required' },
          ]);
      }
      const user = await users().get(session.userId);
      if (!user || user.disabled) {
        await services.sessions.revoke(session.id);
        throw invalid();
      }
      res.locals.principal = await services.accounts.principalForUser(user, session.id);
      res.locals.session = session;
      next();
    } catch (error) {
      next(error);
    }
  };
}
