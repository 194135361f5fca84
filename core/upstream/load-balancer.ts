import type { LoadBalancerContext } from '../../plugin-sdk';
import type { ClusterConfig } from '../config/config-types';
import type { HostSet } from './host-set';
import type { UpstreamHost } from './upstream-host';

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
