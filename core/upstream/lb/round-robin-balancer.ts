import type { UpstreamHost } from '../upstream-host';
import { HostSetBalancer, hasUnequalWeights, randomIndex } from './load-balancer';

/**
 * LB_ROUNDROBIN: in turn, starting at a random host (so many processes do not all start on the
 * first one). With unequal weights it uses smooth weighted round robin (as nginx does), which
 * spreads a heavy host's turns instead of sending them in a burst.
 */
export class RoundRobinBalancer extends HostSetBalancer {
  private next = 0;
  private current: number[] | undefined;
  private totalWeight = 0;

  protected rebuild(hosts: readonly UpstreamHost[]): void {
    this.next = hosts.length > 0 ? randomIndex(hosts.length) : 0;
    this.current = hasUnequalWeights(hosts) ? hosts.map(() => 0) : undefined;
    this.totalWeight = hosts.reduce((s, h) => s + h.weight, 0);
  }

  protected pick(hosts: readonly UpstreamHost[]): UpstreamHost {
    const current = this.current;
    if (!current) {
      const host = hosts[this.next];
      this.next = (this.next + 1) % hosts.length;
      return host;
    }
    let best = 0;
    for (let i = 0; i < hosts.length; i++) {
      current[i] += hosts[i].weight;
      if (current[i] > current[best]) best = i;
    }
    current[best] -= this.totalWeight;
    return hosts[best];
  }
}
