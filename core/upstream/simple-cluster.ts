import type { Cluster, LoadBalancerContext } from '../../plugin-sdk';
import type { LoadBalancer } from './load-balancer';
import type { UpstreamHost } from './upstream-host';

/** A SIMPLE cluster: a static host list and its balancer. */
export class SimpleCluster implements Cluster {
  readonly type = 'SIMPLE';

  constructor(
    readonly name: string,
    readonly lbType: string,
    readonly connectTimeoutMs: number,
    readonly hosts: readonly UpstreamHost[],
    private readonly balancer: LoadBalancer,
  ) {}

  chooseHost(context?: LoadBalancerContext): UpstreamHost | undefined {
    return this.balancer.chooseHost(context);
  }
}
