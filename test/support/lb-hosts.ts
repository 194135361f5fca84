import type { LoadBalancerContext } from '../../plugin-sdk';
import type { ClusterConfig } from '../../core/config/config-types';
import { BUILTIN_LOAD_BALANCERS } from '../../core/upstream/lb/builtin-balancers';
import type { LoadBalancer } from '../../core/upstream/lb/load-balancer';
import { HostSet } from '../../core/upstream/host-set';
import { UpstreamHost } from '../../core/upstream/upstream-host';

/** Hosts 10.0.0.1:80, 10.0.0.2:80, … with the given weights, in one host set. */
export function hostSetOf(weights: number[], cluster = 'c'): HostSet {
  return new HostSet(weights.map((w, i) => new UpstreamHost(`10.0.0.${i + 1}:80`, { kind: 'tcp', host: `10.0.0.${i + 1}`, port: 80 }, w, '', cluster)));
}

/** A built-in balancer by lb_type over `hostSet` (with an optional `lbconfig`). */
export function balancerOf(lbType: string, hostSet: HostSet, lbconfig?: ClusterConfig['lbconfig']): LoadBalancer {
  const make = BUILTIN_LOAD_BALANCERS.get(lbType);
  if (!make) throw new Error(`no built-in ${lbType}`);
  return make(hostSet, { name: 'c', lb_type: lbType, lbconfig });
}

/** Picks `n` times; returns address → count. */
export function countPicks(lb: LoadBalancer, n: number, context?: () => LoadBalancerContext | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const h = lb.chooseHost(context?.());
    if (!h) throw new Error('no host chosen');
    counts.set(h.address, (counts.get(h.address) ?? 0) + 1);
  }
  return counts;
}

/** A context whose hashKey() is `key`. */
export function keyContext(key: string | undefined, remoteAddress = '192.0.2.1:5555'): LoadBalancerContext {
  return { hashKey: () => key, downstreamConnection: { remoteAddress } as LoadBalancerContext['downstreamConnection'] };
}
