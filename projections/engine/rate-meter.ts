/** Events per second over a sliding window, so a burst or a pause shows within seconds. */
export class RateMeter {
  private readonly samples: Array<{ at: number; count: number }> = [];

  constructor(
    private readonly windowMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  record(count: number): void {
    this.samples.push({ at: this.now(), count });
    this.trim();
  }

  perSecond(): number {
    this.trim();
    const first = this.samples[0];
    if (!first) return 0;
    const total = this.samples.reduce((sum, sample) => sum + sample.count, 0);
    // The first sample's events were processed before its timestamp: count time from the window's start.
    const elapsedMs = Math.max(this.now() - first.at, 1);
    const withoutFirst = total - first.count;
    if (this.samples.length === 1) return 0;
    return Math.round((withoutFirst * 1000) / elapsedMs);
  }

  private trim(): void {
    const cutoff = this.now() - this.windowMs;
    while (this.samples.length > 1 && this.samples[0]!.at < cutoff) this.samples.shift();
  }
}
