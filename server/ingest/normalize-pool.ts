/**
 * Normalisation off the main thread. Parsing and validating JSON is most of what ingest costs per
 * event, and the main thread also stores and detects; worker threads (piscina) let a multi-core
 * machine do both at once. The pool needs the compiled worker (`dist/`); run from TypeScript
 * sources (tests), `create` answers undefined and the pipeline normalises in-process.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { NormalizeResult } from './normalize/index.js';
import type { NormalizeTask } from './normalize-worker.js';

const WORKER = new URL('./normalize-worker.js', import.meta.url);

export class NormalizePool {
  private constructor(private readonly pool: Piscina<NormalizeTask, NormalizeResult>) {}

  /** A pool of `threads` workers (default: one per core but one, at least one), or undefined when none can run. */
  static create(threads = Math.max(1, availableParallelism() - 1)): NormalizePool | undefined {
    const file = fileURLToPath(WORKER);
    if (threads < 1 || !existsSync(file)) return undefined;
    return new NormalizePool(new Piscina({ filename: file, minThreads: threads, maxThreads: threads }));
  }

  get threads(): number {
    return this.pool.threads.length;
  }

  run(task: NormalizeTask): Promise<NormalizeResult> {
    return this.pool.run(task);
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
