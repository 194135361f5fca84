import type { UpstreamHost } from '../upstream-host';
import { LeastLoadBalancer } from './least-load-balancer';

/** LB_LEAST_REQUEST: prefers the host with the fewest requests (tries) in flight. */
export class LeastRequestBalancer extends LeastLoadBalancer {
  protected loadOf(host: UpstreamHost): number {
    return host.activeRequests;
  }
}
