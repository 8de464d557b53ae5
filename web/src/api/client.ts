/** Fetches JSON from the Yunshu API; non-2xx answers become errors carrying the API's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

export async function getJson<T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await fetch(path, {
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
    ...init,
  });
  const body = (await res.json().catch(() => null)) as T;
  return { status: res.status, body };
}
