/**
 * A real OpenID Provider (panva's oidc-provider) on a loopback port, configured to stay silent: its own
 * signing key, adapter, TTLs and interaction endpoints instead of the development defaults, which each
 * print a warning. The interaction endpoints serve minimal HTML forms a test browser can submit.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Provider } from 'oidc-provider';
import type { Adapter, AdapterPayload } from 'oidc-provider';

export interface TestAccount {
  sub: string;
  claims: Record<string, unknown>;
  /** Claims left out of the ID token, like an IdP mapper with "add to ID token" switched off. */
  userinfoOnly?: string[];
}

export interface TestOp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** How many times the userinfo endpoint released claims. */
  readonly userinfoRequests: number;
  /** Errors the OP answered with server_error; a test expects none. */
  readonly serverErrors: Error[];
  close(): Promise<void>;
}

// Registered at the OP but never served: the test browser stops at the redirect to it.
const REDIRECT_URI = 'http://127.0.0.1/api/v1/auth/oidc/callback';

/** Expiry is left to the OP, which checks it on every lookup; nothing here lives long enough to matter. */
function memoryAdapter(): (model: string) => Adapter {
  const store = new Map<string, AdapterPayload>();
  return (model) => {
    const key = (id: string) => `${model}:${id}`;
    const ofModel = () => [...store].filter(([k]) => k.startsWith(`${model}:`));
    return {
      upsert: async (id, payload) => {
        store.set(key(id), payload);
      },
      find: async (id) => store.get(key(id)),
      findByUid: async (uid) => ofModel().find(([, payload]) => payload.uid === uid)?.[1],
      consume: async (id) => {
        const payload = store.get(key(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id) => {
        store.delete(key(id));
      },
      revokeByGrantId: async (grantId) => {
        for (const [k, payload] of ofModel()) if (payload.grantId === grantId) store.delete(k);
      },
    };
  };
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return new URLSearchParams(body);
}

function html(res: ServerResponse, body: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><body>${body}</body></html>`);
}

async function interaction(provider: Provider, req: IncomingMessage, res: ServerResponse, action?: string) {
  const details = await provider.interactionDetails(req, res);
  const base = `/interaction/${details.uid}`;
  if (req.method === 'GET' && action === undefined) {
    if (details.prompt.name === 'login')
      return html(
        res,
        `<form method="post" action="${base}/login"><input name="login"><button>登录</button></form>`,
      );
    return html(
      res,
      `<form method="post" action="${base}/confirm"><button>同意</button></form>` +
        `<form method="post" action="${base}/abort"><button>拒绝</button></form>`,
    );
  }
  if (req.method !== 'POST') throw new Error(`unexpected ${req.method} ${req.url}`);
  if (action === 'login') {
    const accountId = (await readForm(req)).get('login') ?? '';
    return provider.interactionFinished(
      req,
      res,
      { login: { accountId } },
      { mergeWithLastSubmission: false },
    );
  }
  if (action === 'abort') {
    const result = { error: 'access_denied', error_description: 'End-User aborted interaction' };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }
  // Consent: grant whatever the OP reports missing, as the oidc-provider example does.
  const { prompt, params, session } = details;
  if (!session) throw new Error('consent without a login session');
  const grant = new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

export async function startTestOp(accounts: readonly TestAccount[]): Promise<TestOp> {
  const bySub = new Map(accounts.map((account) => [account.sub, account]));
  const serverErrors: Error[] = [];
  let userinfoRequests = 0;
  // Listening first: the issuer URL, which the Provider needs, includes the port.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    adapter: memoryAdapter(),
    jwks: { keys: [{ ...jwk, kid: 'test-rs256', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: ['yunshu-oidc-test-cookie-key'] },
    clients: [
      {
        client_id: 'yunshu-console',
        client_secret: 'yunshu-console-secret',
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
      groups: ['groups', 'tenant_code'],
    },
    // Scope claims go into the ID token too (the default keeps them to userinfo for the code flow), so
    // that userinfoOnly decides per account which path the relying party has to take.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
      Grant: 600,
    },
    renderError: async (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
    findAccount: async (_ctx, sub) => {
      const account = bySub.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async (use) => {
          if (use === 'userinfo') {
            userinfoRequests += 1;
            return { ...account.claims };
          }
          const released = { ...account.claims };
          for (const name of account.userinfoOnly ?? []) delete released[name];
          return released;
        },
      };
    },
  });
  provider.on('server_error', (_ctx, error) => serverErrors.push(error));

  const callback = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/interaction\/[^/?]+(?:\/(login|confirm|abort))?(?:\?|$)/.exec(req.url ?? '');
    if (!match) return callback(req, res);
    interaction(provider, req, res, match[1]).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`interaction failed: ${String(error)}`);
    });
  });

  return {
    issuer,
    clientId: 'yunshu-console',
    clientSecret: 'yunshu-console-secret',
    redirectUri: REDIRECT_URI,
    get userinfoRequests() {
      return userinfoRequests;
    },
    serverErrors,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
