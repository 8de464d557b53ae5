/** The caller's own API tokens for automation: created (secret shown once), listed, revoked. */
import { HttpError } from '../http/errors.js';
import { rateLimit } from 'express-rate-limit';
import { defineRoute, principalOf, type RouteSpec } from '../http/route.js';
import { publicToken, type ApiTokenService } from '../identity/api-tokens.js';
import { can } from '../identity/principal.js';
import { ApiTokenCreateSchema, PublicApiTokenSchema, type ApiToken } from '../model/api-token.js';
import { z } from '../model/common.js';
import { tooManyRequests } from './auth.js';
import { IdParams, PageQuery, pageSchema, pagingOptions } from './paging.js';

const CreatedToken = z
  .object({ token: z.string().describe('The secret; shown this once only'), record: PublicApiTokenSchema })
  .openapi('CreatedApiToken');

export function tokenRoutes(deps: { tokens: ApiTokenService }): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/tokens',
      summary: 'List the caller’s API tokens',
      tags: ['tokens'],
      permission: 'tokens:read',
      query: z.object(PageQuery),
      responses: {
        200: { description: 'a page of tokens', schema: pageSchema(PublicApiTokenSchema, 'ApiTokenPage') },
      },
      handler: async ({ query, principal, store }) => {
        const page = await store
          .collection<ApiToken>('api_tokens')
          .find({ filter: { ownerUserId: principal.userId }, ...pagingOptions(query) });
        return { body: { ...page, items: page.items.map(publicToken) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/tokens',
      summary: 'Create an API token with a subset of the caller’s permissions',
      tags: ['tokens'],
      permission: 'tokens:create',
      // Keyed by the authenticated user: token minting is cheap to abuse once a session leaks.
      middleware: [
        rateLimit({
          windowMs: 60_000,
          limit: 20,
          standardHeaders: 'draft-8',
          legacyHeaders: false,
          keyGenerator: (_req, res) => principalOf(res)?.userId ?? 'anonymous',
          handler: tooManyRequests('too many tokens created; wait a minute'),
        }),
      ],
      body: ApiTokenCreateSchema,
      audit: { action: 'api_token.create', targetType: 'api_token' },
      responses: { 201: { description: 'created; the secret is in `token`', schema: CreatedToken } },
      handler: async ({ body, principal, auditDetails }) => {
        if (principal.kind !== 'user') throw new HttpError(403, 'tokens are created by users, not by tokens');
        const beyond = body.permissions.filter((p) => p.includes('*') || !can(principal, p));
        if (beyond.length)
          throw new HttpError(
            400,
            `a token cannot hold permissions its owner lacks, nor wildcards: ${beyond.join(', ')}`,
            beyond.map((p) => ({ path: `body.permissions.${body.permissions.indexOf(p)}`, message: p })),
          );
        if (body.expiresAt && Date.parse(body.expiresAt) <= deps.tokens.now())
          throw new HttpError(400, 'expiresAt is in the past', [
            { path: 'body.expiresAt', message: 'in the past' },
          ]);
        if (body.ingest && !body.permissions.includes('events:ingest'))
          throw new HttpError(400, 'an ingest token needs the events:ingest permission', [
            { path: 'body.permissions', message: 'add events:ingest' },
          ]);
        const created = await deps.tokens.create(principal.userId, body);
        auditDetails({
          name: body.name,
          permissions: body.permissions,
          expiresAt: body.expiresAt,
          ...(body.ingest ? { ingest: body.ingest } : {}),
        });
        return {
          status: 201,
          body: { token: created.token, record: created.record },
          headers: { 'Cache-Control': 'no-store' },
        };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/tokens/:id',
      summary: 'Revoke one of the caller’s API tokens',
      tags: ['tokens'],
      permission: 'tokens:revoke',
      params: IdParams,
      audit: { action: 'api_token.revoke', targetType: 'api_token' },
      responses: { 200: { description: 'revoked', schema: PublicApiTokenSchema } },
      handler: async ({ params, principal }) => ({
        body: await deps.tokens.revoke(params.id, { ownerUserId: principal.userId }),
      }),
    }),
  ];
}
