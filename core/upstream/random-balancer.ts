import type { HostSet } from './host-set';
import { hasUnequalWeights, type LoadBalancer } from './load-balancer';
import type { UpstreamHost } from './upstream-host';

/** LB_RANDOM: uniform when weights are equal, otherwise proportional to weight. */
export class RandomBalancer implements LoadBalancer {
  private version = -1;
  private hosts: readonly UpstreamHost[] = [];
  /** Cumulative weights, only when weights differ. */
  private cumulative: number[] | undefined;
  private totalWeight = 0;

  constructor(private readonly hostSet: HostSet) {}

  chooseHost(): UpstreamHost | undefined {
    if (this.version !== this.hostSet.version) this.rebuild();
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

  private rebuild(): void {
    this.version = this.hostSet.version;
    const hosts = this.hostSet.healthyHosts;
    let sum = 0;
    this.hosts = hosts;
    this.cumulative = hasUnequalWeights(hosts) ? hosts.map((h) => (sum += h.weight)) : undefined;
    this.totalWeight = sum;
  }
}
