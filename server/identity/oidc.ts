/**
 * OIDC login against any OpenID Provider with discovery (Keycloak, Authing, MaxKey, 政务统一身份认证):
 * authorization-code flow with PKCE (S256), state and nonce. `begin()` gives the URL to redirect to and
 * an `OidcPending` the caller keeps in the user's server-side session; `finish()` takes the callback URL
 * and that pending, and returns who the user is and which Yunshu roles their IdP groups map to.
 */
import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import { z } from 'zod';

export interface OidcConfig {
  /** Discovery happens at issuer/.well-known/openid-configuration. */
  issuer: string;
  clientId: string;
  /** Sent as client_secret_basic. */
  clientSecret: string;
  /** Must be registered at the IdP exactly as written here, e.g. https://yunshu.example.gov.cn/api/v1/auth/oidc/callback */
  redirectUri: string;
  /** Default 'openid profile email groups'. */
  scopes?: string;
  /** Default 'groups'; IdPs often map groups or roles to this claim. */
  groupsClaim?: string;
  /** Default 'preferred_username'; falls back to sub when the claim is absent. */
  usernameClaim?: string;
  /** IdP group → Yunshu role names, e.g. { soc: ['analyst'], '网信办-安全': ['security-admin'] }. */
  groupRoleMap: Record<string, string[]>;
  /** Claim naming the user's tenant code (委办局), if the IdP provides one. */
  tenantClaim?: string;
  /** Loopback tests only: allows http issuer and redirect URIs on 127.0.0.0/8, localhost and [::1]. */
  allowHttp?: boolean;
}

export interface OidcPending {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Epoch milliseconds. */
  createdAt: number;
}

export interface OidcIdentity {
  issuer: string;
  subject: string;
  username: string;
  displayName: string;
  email?: string;
  groups: string[];
  roles: string[];
  tenantCode?: string;
}

export class OidcError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OidcError';
  }
}

const DEFAULT_SCOPES = 'openid profile email groups';
/** A login the user has not completed within this time must start over. */
const PENDING_TTL_MS = 10 * 60 * 1000;

const nonEmpty = z.string().min(1, 'must not be empty');
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' });

const ConfigSchema = z
  .strictObject({
    issuer: httpUrl,
    clientId: nonEmpty,
    clientSecret: nonEmpty,
    redirectUri: httpUrl,
    scopes: z
      .string()
      .refine((scopes) => scopes.split(/\s+/).includes('openid'), 'must include "openid"')
      .default(DEFAULT_SCOPES),
    groupsClaim: nonEmpty.default('groups'),
    usernameClaim: nonEmpty.default('preferred_username'),
    groupRoleMap: z.record(nonEmpty, z.array(nonEmpty)),
    tenantClaim: nonEmpty.optional(),
    allowHttp: z.boolean().default(false),
  })
  .superRefine((config, ctx) => {
    for (const field of ['issuer', 'redirectUri'] as const) {
      // zod runs this even when the field itself failed; that failure is already reported.
      if (!URL.canParse(config[field])) continue;
      const url = new URL(config[field]);
      if (url.protocol !== 'http:' || (config.allowHttp && isLoopback(url.hostname))) continue;
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: config.allowHttp
          ? 'http is only allowed for loopback hosts'
          : 'must use https (allowHttp is for loopback tests only)',
      });
    }
  });

type ResolvedConfig = z.output<typeof ConfigSchema>;

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function parseConfig(config: OidcConfig): ResolvedConfig {
  const parsed = ConfigSchema.safeParse(config);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`,
  );
  throw new OidcError(`invalid OIDC configuration: ${problems.join('; ')}`);
}

function explain(value: unknown): string | undefined {
  // Duck-typed: errors raised by Node's own fetch can come from another realm (jest's VM modules, for
  // one), where instanceof Error is false.
  if (typeof value !== 'object' || value === null) return undefined;
  if ('message' in value && typeof value.message === 'string') return value.message;
  // openid-client makes the Response itself the cause of "unexpected HTTP response status code".
  if ('status' in value && typeof value.status === 'number') return `HTTP ${value.status}`;
  return undefined;
}

/** Wraps an openid-client failure, keeping the IdP's OAuth error code where there is one. */
function failure(step: string, err: unknown): OidcError {
  if (err instanceof client.ResponseBodyError) {
    const detail = err.error_description ? `${err.error} (${err.error_description})` : err.error;
    return new OidcError(`${step}: ${detail}`, { cause: err });
  }
  // openid-client's messages are generic ("unexpected JWT claim value encountered", "fetch failed");
  // the error they wrap says which check failed or why the connection did.
  const cause = typeof err === 'object' && err !== null && 'cause' in err ? explain(err.cause) : undefined;
  const detail = (explain(err) ?? String(err)) + (cause === undefined ? '' : `: ${cause}`);
  return new OidcError(`${step}: ${detail}`, { cause: err });
}

function stringClaim(claims: Record<string, unknown>, name: string): string | undefined {
  const value = claims[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function readGroups(claims: Record<string, unknown>, name: string): string[] {
  const value = claims[name];
  if (value === undefined || value === null) return [];
  // Some IdPs flatten a single-valued multi-valued attribute to a plain string.
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((group): group is string => typeof group === 'string'))
    return value;
  throw new OidcError(`claim "${name}" must be a string or an array of strings`);
}

/** Roles granted by any of the groups, deduplicated and sorted; unmapped groups grant nothing. */
export function mapGroupsToRoles(groups: readonly string[], map: Record<string, string[]>): string[] {
  const roles = new Set<string>();
  for (const group of groups) {
    // hasOwn, so that groups named "constructor" or "__proto__" cannot reach Object.prototype.
    if (Object.hasOwn(map, group)) for (const role of map[group] ?? []) roles.add(role);
  }
  return [...roles].sort();
}

export class OidcLogin {
  private constructor(
    private readonly config: ResolvedConfig,
    private readonly rp: client.Configuration,
  ) {}

  static async discover(config: OidcConfig): Promise<OidcLogin> {
    const resolved = parseConfig(config);
    try {
      const configuration = await client.discovery(
        new URL(resolved.issuer),
        resolved.clientId,
        resolved.clientSecret,
        client.ClientSecretBasic(),
        // openid-client marks allowInsecureRequests deprecated only to flag it; config validation above
        // limits it to loopback hosts.
        resolved.allowHttp ? { execute: [client.allowInsecureRequests] } : undefined,
      );
      return new OidcLogin(resolved, configuration);
    } catch (err) {
      throw failure(`OIDC discovery for ${resolved.issuer} failed`, err);
    }
  }

  begin(): { url: string; pending: OidcPending } {
    const pending: OidcPending = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
      createdAt: Date.now(),
    };
    const url = client.buildAuthorizationUrl(this.rp, {
      redirect_uri: this.config.redirectUri,
      scope: this.config.scopes,
      state: pending.state,
      nonce: pending.nonce,
      // RFC 7636 S256, computed here because openid-client's calculatePKCECodeChallenge is async.
      code_challenge: createHash('sha256').update(pending.codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    return { url: url.href, pending };
  }

  async finish(callbackUrl: URL, pending: OidcPending): Promise<OidcIdentity> {
    const age = Date.now() - pending.createdAt;
    // Negated so that a missing or non-numeric createdAt (a mangled session) also counts as expired.
    if (!(age >= 0 && age <= PENDING_TTL_MS))
      throw new OidcError('login attempt expired (older than 10 minutes); start the login again');
    const params = callbackUrl.searchParams;
    // Before looking at an error in the callback: an error response for someone else's login is no
    // more trustworthy than a code for it.
    if (params.get('state') !== pending.state)
      throw new OidcError('state mismatch: the callback does not belong to this login attempt');
    const error = params.get('error');
    if (error !== null) {
      const description = params.get('error_description');
      throw new OidcError(
        `identity provider returned error=${error}${description ? `: ${description}` : ''}`,
      );
    }

    // openid-client sends the callback URL minus its query as redirect_uri to the token endpoint.
    // Behind a reverse proxy the URL the server sees is not the registered one, so rebuild it.
    const currentUrl = new URL(this.config.redirectUri);
    currentUrl.search = callbackUrl.search;
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(this.rp, currentUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
      });
    } catch (err) {
      throw failure('authorization code exchange failed', err);
    }
    // expectedNonce makes openid-client require an ID token (and check its iss, aud, exp and nonce), so
    // claims() is set.
    const idToken = tokens.claims()!;

    const { groupsClaim, usernameClaim, tenantClaim } = this.config;
    let claims: Record<string, unknown> = idToken;
    // Many IdPs put groups (and sometimes profile claims) in userinfo only.
    const wanted = [groupsClaim, usernameClaim, ...(tenantClaim === undefined ? [] : [tenantClaim])];
    if (wanted.some((name) => idToken[name] === undefined)) {
      try {
        claims = { ...idToken, ...(await client.fetchUserInfo(this.rp, tokens.access_token, idToken.sub)) };
      } catch (err) {
        throw failure('userinfo request failed', err);
      }
    }

    const groups = readGroups(claims, groupsClaim);
    const username = stringClaim(claims, usernameClaim) ?? idToken.sub;
    // An address the IdP says it has not verified is not shown as the user's.
    const email = claims.email_verified === false ? undefined : stringClaim(claims, 'email');
    const tenantCode = tenantClaim === undefined ? undefined : stringClaim(claims, tenantClaim);
    return {
      issuer: idToken.iss,
      subject: idToken.sub,
      username,
      displayName: stringClaim(claims, 'name') ?? username,
      ...(email !== undefined && { email }),
      groups,
      roles: mapGroupsToRoles(groups, this.config.groupRoleMap),
      ...(tenantCode !== undefined && { tenantCode }),
    };
  }
}
