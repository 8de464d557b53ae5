/** Event-to-alert latencies, the most recent samples in a ring, for p50 / p99 figures. */
export class LatencyRecorder {
  private readonly samples: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(capacity = 100_000) {
    this.samples = new Float64Array(capacity);
  }

  record(ms: number): void {
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.samples.length;
    this.filled = Math.min(this.filled + 1, this.samples.length);
  }

  get count(): number {
    return this.filled;
  }

  /** Nearest-rank percentile of the kept samples (q in 0..1), undefined when empty. */
  percentile(q: number): number | undefined {
    if (this.filled === 0) return undefined;
    const sorted = this.samples.slice(0, this.filled).sort();
    return sorted[Math.min(this.filled - 1, Math.max(0, Math.ceil(q * this.filled) - 1))];
  }

  reset(): void {
    this.next = 0;
    this.filled = 0;
  }
}
