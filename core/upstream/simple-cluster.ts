import type { Cluster, LoadBalancerContext } from '../../plugin-sdk';
import type { LoadBalancer } from './load-balancer';
import { ResourceManager } from './resource-manager';
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
    /** The cluster's circuit breakers; the proxy takes `retries` from it. */
    readonly resourceManager: ResourceManager = new ResourceManager(),
  ) {}

  chooseHost(context?: LoadBalancerContext): UpstreamHost | undefined {
    return this.balancer.chooseHost(context);
  }
}
