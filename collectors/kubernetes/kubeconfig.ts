/**
 * Kubeconfigs as users paste them: parsed, checked and turned into one KubeConfig per cluster
 * (never a shared one with switched contexts). Problems are reported with where they are.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { parseDocument } from 'yaml';

export class KubeconfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

interface RawKubeconfig {
  clusters?: Array<{ name?: string; cluster?: { server?: string } }>;
  contexts?: Array<{ name?: string; context?: { cluster?: string; user?: string } }>;
  users?: Array<{ name?: string }>;
  'current-context'?: string;
}

export interface LoadedKubeconfig {
  kc: KubeConfig;
  context: string;
  server: string;
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export function loadKubeconfig(text: string, context?: string): LoadedKubeconfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    const error = doc.errors[0]!;
    const at = error.linePos?.[0];
    throw new KubeconfigError(
      'kubeconfig',
      `not valid YAML${at ? ` (line ${at.line}, column ${at.col})` : ''}: ${error.message.split('\n')[0]}`,
    );
  }
  const raw = doc.toJS() as RawKubeconfig | null;
  if (!raw || typeof raw !== 'object') throw new KubeconfigError('kubeconfig', 'not a kubeconfig document');
  const contexts = list(raw.contexts) as NonNullable<RawKubeconfig['contexts']>;
  const clusters = list(raw.clusters) as NonNullable<RawKubeconfig['clusters']>;
  const users = list(raw.users) as NonNullable<RawKubeconfig['users']>;
  const chosen = context ?? raw['current-context'];
  if (!chosen)
    throw new KubeconfigError('context', 'the kubeconfig has no current-context; name the context to use');
  const ctx = contexts.find((c) => c?.name === chosen);
  if (!ctx)
    throw new KubeconfigError(
      context ? 'context' : 'kubeconfig',
      `unknown context ${JSON.stringify(chosen)}; the kubeconfig has: ${contexts.map((c) => c?.name).join(', ') || 'none'}`,
    );
  const cluster = clusters.find((c) => c?.name === ctx.context?.cluster);
  if (!cluster?.cluster?.server)
    throw new KubeconfigError(
      'kubeconfig',
      `context ${chosen} names cluster ${JSON.stringify(ctx.context?.cluster)}, which has no server`,
    );
  if (ctx.context?.user && !users.some((u) => u?.name === ctx.context?.user))
    throw new KubeconfigError(
      'kubeconfig',
      `context ${chosen} names user ${JSON.stringify(ctx.context.user)}, which is not defined`,
    );
  let server: URL;
  try {
    server = new URL(cluster.cluster.server);
  } catch {
    throw new KubeconfigError('kubeconfig', `cluster ${cluster.name} has an invalid server URL`);
  }
  if (server.protocol !== 'https:' && server.protocol !== 'http:')
    throw new KubeconfigError('kubeconfig', `cluster ${cluster.name}: server must be an http(s) URL`);
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
    kc.setCurrentContext(chosen);
  } catch (error) {
    throw new KubeconfigError('kubeconfig', `cannot be loaded: ${(error as Error).message}`);
  }
  return { kc, context: chosen, server: server.toString().replace(/\/$/, '') };
}
