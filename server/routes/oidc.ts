/**
 * Single sign-on through the government's OpenID Provider (政务统一身份认证 or any OIDC IdP):
 * /oidc/login redirects there; /oidc/callback finishes the code flow and starts a console session.
 * The pending login (state, nonce, PKCE verifier) rides in a short-lived cookie sealed with SM4, so
 * any replica can finish a login another one started.
 */
import type { CookieOptions, Request } from 'express';
import { CSRF_COOKIE, SESSION_COOKIE } from '../http/authenticate.js';
import { HttpError } from '../http/errors.js';
import { defineRoute, type RouteSpec } from '../http/route.js';
import type { AccountService } from '../identity/accounts.js';
import { OidcError, type OidcLogin, type OidcPending } from '../identity/oidc.js';
import type { SessionService } from '../identity/sessions.js';
import type { SecretBox } from '../secrets/secret-box.js';

const PENDING_COOKIE = 'yunshu_oidc';
const PENDING_AAD = 'oidc-pending';
const PENDING_MS = 10 * 60_000;

export interface OidcRouteDeps {
  /** Discovery happens lazily (and again after a failure), so an unreachable IdP does not stop the server. */
  oidc: () => Promise<OidcLogin>;
  accounts: AccountService;
  sessions: SessionService;
  box: SecretBox;
}

const cookie = (
  req: Request,
  httpOnly: boolean,
  sameSite: 'lax' | 'strict',
  maxAge?: number,
): CookieOptions => ({
  httpOnly,
  secure: req.secure,
  sameSite,
  path: '/',
  ...(maxAge ? { maxAge } : {}),
});

export function oidcRoutes(deps: OidcRouteDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/auth/oidc/login',
      summary: 'Start single sign-on: redirects to the OpenID Provider',
      tags: ['auth'],
      public: true,
      responses: { 302: { description: 'to the IdP' }, 503: { description: 'the IdP cannot be reached' } },
      handler: async ({ req, res }) => {
        const login = await deps.oidc().catch((error: unknown) => {
          throw new HttpError(503, `single sign-on is unavailable: ${(error as Error).message}`);
        });
        const { url, pending } = login.begin();
        // Lax: the cookie must come back on the top-level redirect from the IdP.
        res.cookie(
          PENDING_COOKIE,
          deps.box.seal(JSON.stringify(pending), PENDING_AAD),
          cookie(req, true, 'lax', PENDING_MS),
        );
        return { status: 302, headers: { Location: url } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/auth/oidc/callback',
      summary: 'Finish single sign-on and start a console session',
      tags: ['auth'],
      public: true,
      responses: {
        302: { description: 'logged in: to the console' },
        400: { description: 'the login could not be verified' },
        403: { description: 'the account may not log in' },
      },
      handler: async ({ req, res }) => {
        const sealed = (req.cookies as Record<string, string | undefined>)[PENDING_COOKIE];
        res.clearCookie(PENDING_COOKIE, cookie(req, true, 'lax'));
        let pending: OidcPending;
        try {
          if (!sealed) throw new Error('no login in progress');
          pending = JSON.parse(deps.box.open(sealed, PENDING_AAD).toString('utf8')) as OidcPending;
        } catch {
          throw new HttpError(400, 'no single sign-on in progress in this browser; start again');
        }
        const login = await deps.oidc();
        const identity = await login
          .finish(new URL(req.originalUrl, 'http://callback.invalid'), pending)
          .catch((error: unknown) => {
            if (error instanceof OidcError) throw new HttpError(400, error.message);
            throw error;
          });
        const user = await deps.accounts.loginWithOidc(identity, req.ip);
        if (!user) throw new HttpError(403, 'this account may not log in; ask the security administrator');
        const created = await deps.sessions.create(user, {
          transport: 'cookie',
          method: 'oidc',
          ...(req.ip ? { sourceIp: req.ip } : {}),
          ...(req.get('user-agent') ? { userAgent: req.get('user-agent')! } : {}),
        });
        res.cookie(SESSION_COOKIE, created.token, cookie(req, true, 'strict'));
        res.cookie(CSRF_COOKIE, created.csrfToken!, cookie(req, false, 'strict'));
        return { status: 302, headers: { Location: '/' } };
      },
    }),
  ];
}
