import type { Connection, LoadBalancerContext } from '../../../plugin-sdk';
import type { UpstreamHost } from '../upstream-host';
import { HostSetBalancer, randomIndex } from './load-balancer';
import { MaglevTable } from './maglev-table';
import { hash64 } from './stable-hash';

/**
 * LB_MAGLEV (and RING_HASH, which MOSN maps to it): consistent hashing of the request's hash key
 * (the route's hash_policy: header, cookie or source_ip) over the healthy hosts. Without a hash
 * policy, or when its input is absent from the request, the client's source IP is hashed, as MOSN
 * does; without even that (no downstream connection), a random host serves. The table is rebuilt
 * when the healthy host list changes, so an unhealthy host's keys spread over the others and come
 * back to it when it recovers, while other keys stay where they were.
 */
export class MaglevBalancer extends HostSetBalancer {
  private table: MaglevTable | undefined;

  protected rebuild(hosts: readonly UpstreamHost[]): void {
    this.table = hosts.length > 1 ? new MaglevTable(hosts) : undefined;
  }

  protected pick(hosts: readonly UpstreamHost[], context: LoadBalancerContext | undefined): UpstreamHost {
    const key = context?.hashKey?.() ?? clientIpOf(context?.downstreamConnection);
    if (key === undefined || !this.table) return hosts[randomIndex(hosts.length)];
    return hosts[this.table.lookup(hash64(key))];
  }
}

/** The IP part of a downstream connection's remote address; undefined for none or a unix socket. */
function clientIpOf(connection: Connection | undefined): string | undefined {
  const address = connection?.remoteAddress;
  if (!address || address.startsWith('unix:')) return undefined;
  if (address.startsWith('[')) return address.slice(1, address.indexOf(']'));
  const colon = address.lastIndexOf(':');
  return colon > 0 ? address.slice(0, colon) : address;
}
