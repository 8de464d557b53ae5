/**
 * The contract every Kubernetes response action follows, and the error/HTTP helpers they share.
 * Actions are stateless: everything revert() needs travels in `undo`, as plain JSON the engine persists.
 */
import { ApiException, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';

export interface ActionContext {
  kc: KubeConfig;
  runId: string;
  dryRun?: boolean;
}

export interface ActionOutcome<U> {
  changed: boolean;
  summary: string;
  evidence?: unknown;
  /** What revert() needs; absent when there is nothing this run could undo. */
  undo?: U;
}

export interface KubeAction<P, U> {
  name: string;
  params: z.ZodType<P>;
  apply(ctx: ActionContext, params: P): Promise<ActionOutcome<U>>;
  verify(ctx: ActionContext, params: P): Promise<boolean>;
  revert?(ctx: ActionContext, undo: U): Promise<void>;
}

export class ActionError extends Error {
  readonly statusCode?: number;
  readonly reason?: string;

  constructor(message: string, opts: { statusCode?: number; reason?: string; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'ActionError';
    this.statusCode = opts.statusCode;
    this.reason = opts.reason;
  }
}

export const FIELD_MANAGER = 'yunshu-soar';

/** The client sends JSON Patch by default; our patches are merge patches (null deletes a key). */
export const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The API's server-side dry run: admission and validation run, nothing is persisted. */
export const dryRunOf = (ctx: ActionContext): 'All' | undefined => (ctx.dryRun ? 'All' : undefined);

/** The same, in the list form DeleteOptions bodies take. */
export const dryRunList = (ctx: ActionContext): ['All'] | undefined => (ctx.dryRun ? ['All'] : undefined);

export function parseParams<P>(schema: z.ZodType<P>, action: string, params: unknown): P {
  const result = schema.safeParse(params);
  if (!result.success) {
    throw new ActionError(`${action}: invalid parameters: ${z.prettifyError(result.error)}`, {
      statusCode: 400,
      reason: 'Invalid',
    });
  }
  return result.data;
}

interface Status {
  message?: string;
  reason?: string;
}

// The generated client keeps the API server's Status either parsed or as the raw response text.
function statusOf(body: unknown): Status {
  if (typeof body === 'string') {
    try {
      return statusOf(JSON.parse(body));
    } catch {
      return { message: body };
    }
  }
  return body && typeof body === 'object' ? (body as Status) : {};
}

/**
 * Runs one API call; failures become ActionErrors carrying the HTTP status and the API server's
 * reason and message (for RBAC: `... cannot patch resource "nodes" ...`), prefixed with `what`.
 */
export async function kube<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ApiException) {
      const status = statusOf(err.body);
      throw new ActionError(`${what}: ${status.message ?? `HTTP ${err.code}`}`, {
        statusCode: err.code,
        reason: status.reason,
        cause: err,
      });
    }
    throw new ActionError(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** Like kube(), but a 404 yields null: absence is an answer, not a failure, for idempotent actions. */
export async function kubeOrNull<T>(what: string, call: () => Promise<T>): Promise<T | null> {
  try {
    return await kube(what, call);
  } catch (err) {
    if (err instanceof ActionError && err.statusCode === 404) return null;
    throw err;
  }
}
