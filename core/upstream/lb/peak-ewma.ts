/** How fast a host's latency estimate forgets (Finagle's and linkerd's default decay time). */
export const DEFAULT_EWMA_DECAY_MS = 10_000;

/**
 * A peak-sensitive exponentially weighted moving average of one host's latency (Finagle's
 * PeakEwma): a sample above the estimate replaces it at once, a sample below is blended in by
 * the time since the previous one, and between samples the estimate decays toward zero, so a host
 * that was slow and then left alone is tried again after a while instead of never.
 * Times are in milliseconds on one monotonic clock (performance.now()).
 */
export class PeakEwma {
  private value = 0;
  private stamp = 0;
  constructor(private readonly decayMs = DEFAULT_EWMA_DECAY_MS) {}

  /** The estimate at `now` (decayed since the last sample). */
  cost(now: number): number {
    if (this.value === 0) return 0;
    const elapsed = now - this.stamp;
    return elapsed > 0 ? this.value * Math.exp(-elapsed / this.decayMs) : this.value;
  }

  /** Adds one latency sample taken at `now`. */
  observe(sampleMs: number, now: number): void {
    const current = this.cost(now);
    if (sampleMs > current) {
      this.value = sampleMs;
    } else {
      const w = Math.exp(-Math.max(0, now - this.stamp) / this.decayMs);
      this.value = current * w + sampleMs * (1 - w);
    }
    this.stamp = now;
  }
}
