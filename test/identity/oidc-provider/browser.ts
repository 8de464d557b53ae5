/**
 * Just enough of a browser for an OIDC login: a cookie jar honouring paths, redirects followed by
 * hand, and submission of the OP's login and consent forms. A fresh instance is a fresh user agent.
 */
export interface LoginOptions {
  /** The account id typed into the login form. */
  account: string;
  /** The flow ends at the first redirect to this URL, which is returned with its query. */
  redirectUri: string;
  consent?: 'approve' | 'deny';
}

interface Cookie {
  name: string;
  value: string;
  path: string;
}

const MAX_STEPS = 20;

export class TestBrowser {
  readonly #cookies = new Map<string, Cookie>();

  async login(authorizationUrl: string, options: LoginOptions): Promise<URL> {
    let url = new URL(authorizationUrl);
    let form: URLSearchParams | undefined;
    for (let step = 0; step < MAX_STEPS; step++) {
      const response = await this.#request(url, form);
      const body = await response.text();
      const location = response.headers.get('location');
      if (location !== null) {
        url = new URL(location, url);
        form = undefined;
        if (url.href.startsWith(options.redirectUri)) return url;
        continue;
      }
      if (response.status !== 200) throw new Error(`${response.status} from ${url.href}: ${body}`);
      const actions = [...body.matchAll(/<form method="post" action="([^"]+)"/g)].map((match) => match[1]!);
      const login = actions.find((action) => action.endsWith('/login'));
      const decision = options.consent === 'deny' ? '/abort' : '/confirm';
      const next = login ?? actions.find((action) => action.endsWith(decision));
      if (next === undefined) throw new Error(`no form to submit at ${url.href}: ${body}`);
      url = new URL(next, url);
      form = new URLSearchParams(login ? { login: options.account } : {});
    }
    throw new Error(`no redirect to ${options.redirectUri} within ${MAX_STEPS} steps`);
  }

  async #request(url: URL, form: URLSearchParams | undefined): Promise<Response> {
    const cookie = [...this.#cookies.values()]
      .filter(
        ({ path }) =>
          url.pathname === path || url.pathname.startsWith(path.endsWith('/') ? path : `${path}/`),
      )
      .map(({ name, value }) => `${name}=${value}`)
      .join('; ');
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: cookie ? { cookie } : {},
      ...(form && { body: form }),
    });
    for (const header of response.headers.getSetCookie()) this.#store(header);
    return response;
  }

  #store(header: string): void {
    const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    let path = '/';
    let expired = value === '';
    for (const attribute of attributes) {
      const [key = '', val = ''] = attribute.split('=');
      if (key.toLowerCase() === 'path') path = val;
      if (key.toLowerCase() === 'expires' && Date.parse(val) <= Date.now()) expired = true;
      if (key.toLowerCase() === 'max-age' && Number(val) <= 0) expired = true;
    }
    // Keyed by path too: the OP sets and clears same-named cookies on different interaction paths.
    const id = `${name};${path}`;
    if (expired) this.#cookies.delete(id);
    else this.#cookies.set(id, { name, value, path });
  }
}
