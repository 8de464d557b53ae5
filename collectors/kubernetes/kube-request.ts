/**
 * Raw JSON requests to a cluster's API server with the cluster's own KubeConfig credentials.
 * The generated client deserializes into class instances (Date objects, camelCase copies), which costs
 * time and memory at 100k pods; lists and watches here stay plain JSON, as the API server sent them.
 */
import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { fetch } from 'undici';

export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export async function getJson<T>(
  kc: KubeConfig,
  path: string,
  query: Record<string, string | number | undefined> = {},
  timeoutMs = 30_000,
): Promise<T> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/$/, '') + path);
  for (const [key, value] of Object.entries(query))
    if (value !== undefined) url.searchParams.set(key, String(value));
  const ctx = new RequestContext(url.toString(), HttpMethod.GET);
  await kc.applySecurityAuthentication(ctx);
  const response = await fetch(url, {
    headers: { ...ctx.getHeaders(), accept: 'application/json' },
    dispatcher: ctx.getDispatcher(),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await response.text();
  if (!response.ok) {
    let status: { message?: string; reason?: string } = {};
    try {
      status = JSON.parse(body) as typeof status;
    } catch {
      // not a Status object: keep the HTTP status alone
    }
    throw new KubeApiError(
      response.status,
      status.message ?? `HTTP ${response.status} from ${path}`,
      status.reason,
    );
  }
  return JSON.parse(body) as T;
}
