import type { LoadBalancerContext } from '../../plugin-sdk';
import type { UpstreamHost } from './upstream-host';

/** Picks a host of a cluster. One instance per cluster (per host-set version). */
export interface LoadBalancer {
  chooseHost(context?: LoadBalancerContext): UpstreamHost | undefined;
}

/** Builds a balancer over a cluster's hosts. */
export type LoadBalancerFactory = (hosts: readonly UpstreamHost[]) => LoadBalancer;

/** True when hosts differ in weight, so a balancer must honour weights. */
export function hasUnequalWeights(hosts: readonly UpstreamHost[]): boolean {
  for (let i = 1; i < hosts.length; i++) if (hosts[i].weight !== hosts[0].weight) return true;
  return false;
}
