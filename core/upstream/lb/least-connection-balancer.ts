import type { UpstreamHost } from '../upstream-host';
import { LeastLoadBalancer } from './least-load-balancer';

/** LB_LEAST_CONNECTION: prefers the host with the fewest open upstream connections. */
export class LeastConnectionBalancer extends LeastLoadBalancer {
  protected loadOf(host: UpstreamHost): number {
    return host.activeConnections;
  }
}
