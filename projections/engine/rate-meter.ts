/** Events per second over a sliding window, so a burst or a pause shows within seconds. */
export class RateMeter {
  // Starts with an empty sample: the first batch's events were read since the meter started.
  private readonly samples: Array<{ at: number; count: number }>;

  constructor(
    private readonly windowMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {
    this.samples = [{ at: now(), count: 0 }];
  }

  record(count: number): void {
    this.samples.push({ at: this.now(), count });
    this.trim();
  }

  /** The rate with `pending` events counted as done now: a batch about to commit reports a rate that includes itself. */
  perSecond(pending = 0): number {
    this.trim();
    const samples = pending > 0 ? [...this.samples, { at: this.now(), count: pending }] : this.samples;
    const first = samples[0];
    if (!first || samples.length === 1) return 0;
    // The first sample's events were processed before its timestamp: count time from the window's start.
    const total = samples.reduce((sum, sample) => sum + sample.count, 0) - first.count;
    const elapsedMs = Math.max(this.now() - first.at, 1);
    return Math.round((total * 1000) / elapsedMs);
  }

  private trim(): void {
    const cutoff = this.now() - this.windowMs;
    while (this.samples.length > 1 && this.samples[0]!.at < cutoff) this.samples.shift();
  }
}
