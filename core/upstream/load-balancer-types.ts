import type { LoadBalancerFactory } from './load-balancer';
import { RandomBalancer } from './random-balancer';
import { RoundRobinBalancer } from './round-robin-balancer';

/** lb_type name → balancer. MOSN's default is LB_RANDOM. */
export const LOAD_BALANCER_TYPES: ReadonlyMap<string, LoadBalancerFactory> = new Map<string, LoadBalancerFactory>([
  ['LB_RANDOM', (hostSet) => new RandomBalancer(hostSet)],
  ['LB_ROUNDROBIN', (hostSet) => new RoundRobinBalancer(hostSet)],
]);

export const DEFAULT_LB_TYPE = 'LB_RANDOM';
