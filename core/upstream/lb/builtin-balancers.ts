import type { LoadBalancerFactory } from './load-balancer';
import { lbOptionsOf } from './lb-options';
import { LeastConnectionBalancer } from './least-connection-balancer';
import { LeastRequestBalancer } from './least-request-balancer';
import { MaglevBalancer } from './maglev-balancer';
import { PeakEwmaBalancer } from './peak-ewma-balancer';
import { RandomBalancer } from './random-balancer';
import { RequestRoundRobinBalancer } from './request-round-robin-balancer';
import { RoundRobinBalancer } from './round-robin-balancer';
import { WeightedRoundRobinBalancer } from './weighted-round-robin-balancer';

/** MOSN's default lb_type. */
export const DEFAULT_LB_TYPE = 'LB_RANDOM';

/** The kernel's lb_types. Plugins cannot register these names. */
export const BUILTIN_LOAD_BALANCERS: ReadonlyMap<string, LoadBalancerFactory> = new Map<string, LoadBalancerFactory>([
  ['LB_RANDOM', (hostSet) => new RandomBalancer(hostSet)],
  ['LB_ROUNDROBIN', (hostSet) => new RoundRobinBalancer(hostSet)],
  ['LB_WEIGHTED_ROUNDROBIN', (hostSet) => new WeightedRoundRobinBalancer(hostSet)],
  ['LB_LEAST_REQUEST', (hostSet, config) => new LeastRequestBalancer(hostSet, lbOptionsOf(config))],
  ['LB_LEAST_CONNECTION', (hostSet, config) => new LeastConnectionBalancer(hostSet, lbOptionsOf(config))],
  ['LB_MAGLEV', (hostSet) => new MaglevBalancer(hostSet)],
  // MOSN builds a maglev balancer for Envoy's RING_HASH.
  ['RING_HASH', (hostSet) => new MaglevBalancer(hostSet)],
  ['LB_PEAK_EWMA', (hostSet, config) => new PeakEwmaBalancer(hostSet, lbOptionsOf(config))],
  ['LB_REQUEST_ROUNDROBIN', (hostSet) => new RequestRoundRobinBalancer(hostSet)],
]);

/** MOSN lb_types the kernel knows but refuses, with the reason (also reserved from plugins). */
export const REFUSED_LOAD_BALANCERS: ReadonlyMap<string, string> = new Map([
  ['LB_ORIGINAL_DST', 'needs ORIGINAL_DST clusters, which mosn-ts does not support yet'],
]);
