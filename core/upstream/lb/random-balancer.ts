import type { UpstreamHost } from '../upstream-host';
import { HostSetBalancer, hasUnequalWeights, randomIndex } from './load-balancer';

/** LB_RANDOM: uniform when weights are equal, otherwise proportional to weight. */
export class RandomBalancer extends HostSetBalancer {
  /** Cumulative weights, only when weights differ. */
  private cumulative: number[] | undefined;
  private totalWeight = 0;

  protected rebuild(hosts: readonly UpstreamHost[]): void {
    let sum = 0;
    this.cumulative = hasUnequalWeights(hosts) ? hosts.map((h) => (sum += h.weight)) : undefined;
    this.totalWeight = sum;
  }

  protected pick(hosts: readonly UpstreamHost[]): UpstreamHost {
    const cumulative = this.cumulative;
    if (!cumulative) return hosts[randomIndex(hosts.length)];
    const target = Math.random() * this.totalWeight;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return hosts[lo];
  }
}
