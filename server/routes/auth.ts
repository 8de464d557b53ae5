/** Login, logout, the caller's own account: the routes every user has. */
import type { CookieOptions, Request } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { HttpError } from '../http/errors.js';
import { CSRF_COOKIE, SESSION_COOKIE } from '../http/authenticate.js';
import { defineRoute, type RouteSpec } from '../http/route.js';
import type { AccountService } from '../identity/accounts.js';
import { hashPassword, verifyPassword } from '../identity/passwords.js';
import type { SessionService } from '../identity/sessions.js';
import { z } from '../model/common.js';
import { Password, PublicUserSchema, type User } from '../model/user.js';
import { publicUser } from './users.js';

export interface AuthRouteDeps {
  accounts: AccountService;
  sessions: SessionService;
}

const LoginBody = z
  .strictObject({
    username: z.string().min(1).max(64),
    password: z.string().min(1).max(256),
    transport: z
      .enum(['bearer', 'cookie'])
      .default('bearer')
      .describe('bearer: the token is returned; cookie: an httpOnly session cookie is set (the console)'),
  })
  .openapi('LoginRequest');

const LoginReply = z
  .object({
    token: z.string().optional().describe('Bearer session token (transport=bearer); shown once'),
    csrfToken: z.string().optional().describe('Echo in X-CSRF-Token on unsafe requests (transport=cookie)'),
    expiresAt: z.string().describe('Absolute end of the session'),
    user: PublicUserSchema,
  })
  .openapi('LoginReply');

const MeReply = z
  .object({
    user: PublicUserSchema,
    permissions: z.array(z.string()),
    tenantIds: z.array(z.string()).optional().describe('Absent for platform-wide users'),
  })
  .openapi('Me');

const PasswordChange = z
  .strictObject({ currentPassword: z.string().min(1).max(256), newPassword: Password })
  .openapi('PasswordChange');

const cookieOptions = (req: Request, httpOnly: boolean): CookieOptions => ({
  httpOnly,
  secure: req.secure,
  sameSite: 'strict',
  path: '/',
});

/** Failed logins are throttled per client address and account, before the password is even hashed. */
export const loginRateLimit = (limit = 10) =>
  rateLimit({
    windowMs: 60_000,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    keyGenerator: (req) =>
      `${ipKeyGenerator(req.ip ?? '')}|${String((req.body as { username?: unknown })?.username ?? '').slice(0, 64)}`,
    handler: tooManyRequests('too many login attempts; wait a minute'),
  });

/** Answers an exhausted rate limit in the API's error shape, with Retry-After. */
export const tooManyRequests =
  (message: string) =>
  (_req: Request, _res: unknown, next: (error: unknown) => void, options: { windowMs: number }) =>
    next(new HttpError(429, message, [], { 'Retry-After': String(Math.ceil(options.windowMs / 1000)) }));

export function authRoutes(deps: AuthRouteDeps): RouteSpec[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/auth/login',
      summary: 'Log in with a username and password',
      tags: ['auth'],
      public: true,
      middleware: [loginRateLimit()],
      body: LoginBody,
      responses: {
        200: { description: 'logged in', schema: LoginReply },
        401: { description: 'wrong username or password' },
        423: { description: 'account temporarily locked after repeated failures' },
        429: { description: 'too many attempts' },
      },
      handler: async ({ body, req, res }) => {
        const result = await deps.accounts.login(body.username, body.password, req.ip);
        if (!result.ok) {
          if (result.reason === 'locked')
            throw new HttpError(423, 'account temporarily locked after repeated failed logins', [], {
              'Retry-After': String(Math.ceil((result.retryAfterMs ?? 0) / 1000)),
            });
          throw new HttpError(401, 'wrong username or password');
        }
        const created = await deps.sessions.create(result.user, {
          transport: body.transport,
          method: 'password',
          ...(req.ip ? { sourceIp: req.ip } : {}),
          ...(req.get('user-agent') ? { userAgent: req.get('user-agent')! } : {}),
        });
        if (body.transport === 'cookie') {
          res.cookie(SESSION_COOKIE, created.token, cookieOptions(req, true));
          res.cookie(CSRF_COOKIE, created.csrfToken!, cookieOptions(req, false));
          return {
            body: {
              csrfToken: created.csrfToken,
              expiresAt: created.session.expiresAt,
              user: publicUser(result.user),
            },
          };
        }
        return {
          body: { token: created.token, expiresAt: created.session.expiresAt, user: publicUser(result.user) },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/auth/logout',
      summary: 'End the current session',
      tags: ['auth'],
      permission: 'self',
      audit: { action: 'user.logout', targetType: 'user' },
      responses: { 204: { description: 'logged out' } },
      handler: async ({ principal, req, res }) => {
        if (principal.kind === 'user' && principal.credentialId)
          await deps.sessions.revoke(principal.credentialId);
        res.clearCookie(SESSION_COOKIE, cookieOptions(req, true));
        res.clearCookie(CSRF_COOKIE, cookieOptions(req, false));
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/auth/me',
      summary: 'The calling user, their permissions and tenants',
      tags: ['auth'],
      permission: 'self',
      responses: { 200: { description: 'the caller', schema: MeReply } },
      handler: async ({ principal, store }) => {
        const user = await store.collection<User>('users').get(principal.userId);
        if (!user) throw new HttpError(404, 'not found');
        return {
          body: {
            user: publicUser(user),
            permissions: [...principal.permissions].sort(),
            ...(principal.tenantIds ? { tenantIds: [...principal.tenantIds] } : {}),
          },
        };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/auth/password',
      summary: 'Change the calling user’s password (ends all their sessions)',
      tags: ['auth'],
      permission: 'self',
      body: PasswordChange,
      audit: { action: 'user.change_password', targetType: 'user' },
      responses: {
        204: { description: 'changed' },
        400: { description: 'wrong current password or weak new one' },
      },
      handler: async ({ body, principal, store }) => {
        const users = store.collection<User>('users');
        const user = await users.get(principal.userId);
        if (!user?.passwordHash || principal.kind !== 'user')
          throw new HttpError(400, 'only local users change their password here');
        if (!(await verifyPassword(body.currentPassword, user.passwordHash)))
          throw new HttpError(400, 'current password is wrong', [
            { path: 'body.currentPassword', message: 'wrong' },
          ]);
        await users.update(user.id, {
          passwordHash: await hashPassword(body.newPassword),
          passwordChangedAt: new Date().toISOString(),
        });
        // Every session ends, the asking one too: whoever knew the old password must log in again.
        await deps.sessions.revokeAllFor(user.id);
        return { status: 204 };
      },
    }),
  ];
}
