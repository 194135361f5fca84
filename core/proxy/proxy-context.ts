import type { Connection, LoadBalancerContext, Logger } from '../../plugin-sdk';
import type { AccessLog } from '../accesslog/access-log';
import type { RouteMatcher } from '../router/route-matcher';
import type { ClusterManagerImpl } from '../upstream/cluster-manager';
import type { DownstreamRequestStats } from './downstream-request-stats';
import type { ResolvedProtocol } from './proxy-config';
import type { ListenerStreamFilters } from './stream-filter-set';

/** Everything a proxy filter instance shares with its streams; built once per listener. */
export interface ProxyContext {
  readonly listenerName: string;
  readonly downstreamProtocol: ResolvedProtocol;
  readonly upstreamProtocol: ResolvedProtocol;
  /** Undefined when router_config_name names no router: every request gets 404. */
  readonly router: RouteMatcher | undefined;
  readonly clusterManager: ClusterManagerImpl;
  /** The listener's stream filters; each stream takes `current` when it starts. */
  readonly streamFilters: ListenerStreamFilters;
  readonly accessLogs: readonly AccessLog[];
  readonly stats: DownstreamRequestStats;
  readonly logger: Logger;
  /** HTTP downstream: X-Forwarded-For/-Proto are set. */
  readonly isHttp: boolean;
  /**
   * Requests may take the fast path (PlainForwardStream) when no stream filter is configured:
   * both protocols carry whole frames (the xprotocol engine) and no access log wants a record.
   */
  readonly forwardsFrames: boolean;
  readonly maxHeaderBytes: number;
  readonly maxFrameBytes: number;
}

/** What every stream of one downstream connection needs to know about it; made once per connection. */
export interface DownstreamConnectionInfo {
  readonly connection: Connection;
  /** The client's IP for X-Forwarded-For ('' on a unix socket). */
  readonly clientIp: string;
  /** Given to the load balancer with each host choice. */
  readonly lbContext: LoadBalancerContext;
}

/** The IP part of an `ip:port` / `[ipv6]:port` address ('' for `unix:` addresses). */
export function ipOf(address: string): string {
  if (address.startsWith('unix:')) return '';
  if (address.startsWith('[')) return address.slice(1, address.indexOf(']'));
  const colon = address.lastIndexOf(':');
  return colon > 0 ? address.slice(0, colon) : address;
}
