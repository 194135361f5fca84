import type { UpstreamHost } from '../upstream-host';
import { HostSetBalancer, randomIndex } from './load-balancer';

/**
 * LB_REQUEST_ROUNDROBIN: each choice takes the next host in turn, ignoring weights, from a random
 * starting point.
 */
export class RequestRoundRobinBalancer extends HostSetBalancer {
  private next = 0;

  protected rebuild(hosts: readonly UpstreamHost[]): void {
    this.next = hosts.length > 0 ? randomIndex(hosts.length) : 0;
  }

  protected pick(hosts: readonly UpstreamHost[]): UpstreamHost {
    if (this.next >= hosts.length) this.next = 0;
    return hosts[this.next++];
  }
}
