import { hasUnequalWeights, type LoadBalancer } from './load-balancer';
import type { UpstreamHost } from './upstream-host';

/** LB_RANDOM: uniform when weights are equal, otherwise proportional to weight. */
export class RandomBalancer implements LoadBalancer {
  /** Cumulative weights, only when weights differ. */
  private readonly cumulative: number[] | undefined;
  private readonly totalWeight: number;

  constructor(private readonly hosts: readonly UpstreamHost[]) {
    let sum = 0;
    this.cumulative = hasUnequalWeights(hosts) ? hosts.map((h) => (sum += h.weight)) : undefined;
    this.totalWeight = sum;
  }

  chooseHost(): UpstreamHost | undefined {
    const hosts = this.hosts;
    if (hosts.length === 0) return undefined;
    const cumulative = this.cumulative;
    if (!cumulative) return hosts[Math.floor(Math.random() * hosts.length)];
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
