import type { Cluster, LoadBalancerContext } from '../../plugin-sdk';
import type { HostSet } from './host-set';
import type { LoadBalancer } from './lb/load-balancer';
import { ResourceManager } from './resource-manager';
import type { UpstreamHost } from './upstream-host';

/** A cluster: its host set, the balancer over it, and its circuit breakers. */
export class SimpleCluster implements Cluster {
  constructor(
    readonly name: string,
    /** SIMPLE (static hosts) or STRICT_DNS. */
    readonly type: string,
    readonly lbType: string,
    readonly connectTimeoutMs: number,
    readonly hostSet: HostSet,
    private readonly balancer: LoadBalancer,
    /** The cluster's circuit breakers; the proxy takes `retries` from it. */
    readonly resourceManager: ResourceManager = new ResourceManager(),
  ) {}

  get hosts(): readonly UpstreamHost[] {
    return this.hostSet.hosts;
  }

  chooseHost(context?: LoadBalancerContext): UpstreamHost | undefined {
    return this.balancer.chooseHost(context);
  }
}
