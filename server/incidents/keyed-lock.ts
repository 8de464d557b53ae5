/**
 * In-process serialisation by key: work holding a set of keys waits for every earlier holder of any
 * of them. Keys are taken in sorted order, so two holders of overlapping sets cannot deadlock.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async hold<R>(keys: readonly string[], work: () => Promise<R>): Promise<R> {
    const releases: (() => void)[] = [];
    try {
      for (const key of [...new Set(keys)].sort()) releases.push(await this.acquire(key));
      return await work();
    } finally {
      for (const release of releases) release();
    }
  }

  private async acquire(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    return () => {
      release();
      // The last holder removes the key, so the map only holds keys in use.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}
