import type { LoadBalancerContext } from '../../../plugin-sdk';
import type { ClusterConfig } from '../../config/config-types';
import type { HostSet } from '../host-set';
import type { UpstreamHost } from '../upstream-host';

/** Picks a host of a cluster. One instance per cluster; it reads the host set's healthy hosts. */
export interface LoadBalancer {
  chooseHost(context?: LoadBalancerContext): UpstreamHost | undefined;
}

/** Builds a balancer over a cluster's host set (the cluster config gives LB options). */
export type LoadBalancerFactory = (hostSet: HostSet, config: ClusterConfig) => LoadBalancer;

/** True when hosts differ in weight, so a balancer must honour weights. */
export function hasUnequalWeights(hosts: readonly UpstreamHost[]): boolean {
  for (let i = 1; i < hosts.length; i++) if (hosts[i].weight !== hosts[0].weight) return true;
  return false;
}

/**
 * The common shape of the built-in balancers: choose among `hostSet.healthyHosts` (which is every
 * host in panic mode), and rebuild derived state only when the host set's version moved.
 */
export abstract class HostSetBalancer implements LoadBalancer {
  private version = -1;
  protected hosts: readonly UpstreamHost[] = [];

  constructor(protected readonly hostSet: HostSet) {}

  chooseHost(context?: LoadBalancerContext): UpstreamHost | undefined {
    if (this.version !== this.hostSet.version) {
      this.version = this.hostSet.version;
      this.hosts = this.hostSet.healthyHosts;
      this.rebuild(this.hosts);
    }
    const hosts = this.hosts;
    if (hosts.length === 0) return undefined;
    if (hosts.length === 1) return hosts[0];
    return this.pick(hosts, context);
  }

  /** The healthy host list changed (also called before the first pick). */
  protected abstract rebuild(hosts: readonly UpstreamHost[]): void;

  /** Chooses among `hosts` (at least two). */
  protected abstract pick(hosts: readonly UpstreamHost[], context: LoadBalancerContext | undefined): UpstreamHost;
}

/** A uniformly random index below `n`. */
export function randomIndex(n: number): number {
  return Math.floor(Math.random() * n);
}
