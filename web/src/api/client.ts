/** Talks to the Yunshu API with the console's session cookie; unsafe requests carry the CSRF token. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const SAFE = new Set(['GET', 'HEAD']);

/** The CSRF token the server set in a readable cookie at login. */
function csrfToken(): string | undefined {
  return document.cookie
    .split('; ')
    .find((c) => c.startsWith('yunshu_csrf='))
    ?.slice('yunshu_csrf='.length);
}

/** Any answer, with its status: for health probes, where non-2xx is information, not failure. */
export async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  return { status: res.status, body: (await res.json().catch(() => null)) as T };
}

/** A JSON API call; a non-2xx answer throws ApiError with the server's message. */
export async function api<T>(path: string, options: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const token = SAFE.has(method) ? undefined : csrfToken();
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { 'x-csrf-token': token } : {}),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const body = (await res.json().catch(() => undefined)) as { error?: string } | undefined;
  if (!res.ok) throw new ApiError(res.status, body?.error ?? res.statusText);
  return body as T;
}
