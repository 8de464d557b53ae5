/**
 * A lean list+watch loop (what client-go calls a reflector) for one resource of one cluster.
 *
 * client-node's ListWatch keeps every full object in memory and stops for good on the first
 * non-410 error; at 100k pods that is gigabytes, and a collector must never stop. This loop keeps no
 * objects at all: it lists in pages (handing each page on), watches from the list's resourceVersion
 * with bookmarks, relists on 410 Gone, and restarts after any error with jittered exponential back-off.
 * Watch streams use client-node's Watch (its auth, TLS and inactivity timeout).
 */
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { getJson, KubeApiError } from './kube-request.js';

export interface RawObject {
  metadata?: { uid?: string; name?: string; namespace?: string; resourceVersion?: string };
  [key: string]: unknown;
}

interface RawList {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: RawObject[];
}

export type ListWatchState =
  | { phase: 'listing' }
  | { phase: 'watching'; resourceVersion: string }
  | { phase: 'error'; error: Error; retryInMs: number };

export interface ListWatchHandler {
  /** One page of a (re)list. */
  page(items: RawObject[]): Promise<void>;
  /** A (re)list finished: exactly the objects with these uids exist now; forget the others. */
  listed(uids: ReadonlySet<string>): Promise<void>;
  upserted(object: RawObject): Promise<void>;
  deleted(object: RawObject): Promise<void>;
  state(state: ListWatchState): void;
}

export interface ListWatchOptions {
  /** API path of the collection, e.g. `/api/v1/pods`. */
  path: string;
  fieldSelector?: string;
  pageSize?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Server-side watch timeout range; each watch picks a random value in it, as client-go does. */
  watchTimeoutSeconds?: [number, number];
  /** Client-side inactivity timeout of a watch stream. */
  inactivityTimeoutMs?: number;
  random?: () => number;
}

const isGone = (error: unknown): boolean =>
  (error as { statusCode?: unknown })?.statusCode === 410 || (error as { code?: unknown })?.code === 410;

export class ListWatch {
  private readonly options: Required<Omit<ListWatchOptions, 'fieldSelector'>> & { fieldSelector?: string };
  private readonly watcher: Watch;
  private resourceVersion = '';
  private stopped = true;
  private failures = 0;
  private abort: AbortController | undefined;
  private wake: (() => void) | undefined;
  /** Serializes handler calls: events of one resource are applied in order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly kc: KubeConfig,
    private readonly handler: ListWatchHandler,
    options: ListWatchOptions,
  ) {
    this.options = {
      pageSize: 500,
      backoffBaseMs: 500,
      backoffMaxMs: 30_000,
      watchTimeoutSeconds: [240, 360],
      inactivityTimeoutMs: 60_000,
      random: Math.random,
      ...options,
    };
    this.watcher = new Watch(kc);
    // The field is private in the typings but is the documented knob for the inactivity timeout.
    (this.watcher as unknown as { requestTimeoutMs: number }).requestTimeoutMs =
      this.options.inactivityTimeoutMs;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.resourceVersion = '';
    void this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.abort?.abort();
    await this.queue;
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(work, work);
    return this.queue;
  }

  /** A back-off pause that stop() cuts short. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) await this.list();
        await this.watch();
        await this.queue;
      } catch (error) {
        if (this.stopped) return;
        if (isGone(error)) {
          this.resourceVersion = '';
          continue;
        }
        const ceiling = Math.min(this.options.backoffMaxMs, this.options.backoffBaseMs * 2 ** this.failures);
        const retryInMs = Math.round(ceiling * (0.5 + this.options.random()));
        this.failures++;
        this.handler.state({ phase: 'error', error: error as Error, retryInMs });
        await this.pause(retryInMs);
      }
    }
  }

  private async list(): Promise<void> {
    this.handler.state({ phase: 'listing' });
    const uids = new Set<string>();
    let token: string | undefined;
    let resourceVersion = '';
    do {
      const page = await getJson<RawList>(this.kc, this.options.path, {
        limit: this.options.pageSize,
        continue: token,
        fieldSelector: this.options.fieldSelector,
      });
      const items = page.items ?? [];
      for (const item of items) if (item.metadata?.uid) uids.add(item.metadata.uid);
      await this.enqueue(() => this.handler.page(items));
      token = page.metadata?.continue || undefined;
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      if (this.stopped) return;
    } while (token);
    await this.enqueue(() => this.handler.listed(uids));
    this.resourceVersion = resourceVersion;
    this.failures = 0;
  }

  /** Resolves when the stream ends normally (timeout, server close); rejects on errors and 410. */
  private watch(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const [low, high] = this.options.watchTimeoutSeconds;
      let gone = false;
      let failure: Error | undefined;
      this.handler.state({ phase: 'watching', resourceVersion: this.resourceVersion });
      this.watcher
        .watch(
          this.options.path,
          {
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: Math.round(low + (high - low) * this.options.random()),
            fieldSelector: this.options.fieldSelector,
          },
          (phase: string, object: RawObject & { code?: number; message?: string }) => {
            const version = object?.metadata?.resourceVersion;
            switch (phase) {
              case 'ADDED':
              case 'MODIFIED':
                void this.enqueue(() => this.handler.upserted(object));
                break;
              case 'DELETED':
                void this.enqueue(() => this.handler.deleted(object));
                break;
              case 'BOOKMARK':
                break;
              case 'ERROR':
                if (object.code === 410) gone = true;
                else failure = new KubeApiError(object.code ?? 500, object.message ?? 'watch error');
                return;
            }
            if (version) this.resourceVersion = version;
          },
          (error: unknown) => {
            this.abort = undefined;
            if (gone || isGone(error)) return reject(new KubeApiError(410, 'resource version expired'));
            if (failure) return reject(failure);
            // An inactivity timeout just means a quiet resource: watch again from where we are.
            if (error && (error as Error).name !== 'TimeoutError' && !this.stopped)
              return reject(error as Error);
            resolve();
          },
        )
        .then((controller) => {
          this.abort = controller;
          if (this.stopped) controller.abort();
        }, reject);
    });
  }
}
