import type { MosnConfig } from '../../core/config/config-types';
import { cluster, startMosn, type RunningMosn } from '../support/mosn-harness';

/** A route on bolt's `service` header to a cluster. */
export function serviceRoute(service: string, clusterName: string, extra: Record<string, unknown> = {}) {
  return { match: { headers: [{ name: 'service', value: service }] }, route: { cluster_name: clusterName, ...extra } };
}

/** A listener whose proxy speaks `downstream`/`upstream` with router `bolt_router`. */
export function proxyListener(name: string, downstream: string, upstream?: string) {
  return {
    name,
    address: '127.0.0.1:0',
    filter_chains: [
      {
        filters: [
          {
            type: 'proxy',
            config: { downstream_protocol: downstream, ...(upstream ? { upstream_protocol: upstream } : {}), router_config_name: 'bolt_router' },
          },
        ],
      },
    ],
  };
}

/**
 * Starts mosn-ts with bolt listeners and routes. `routes` are `bolt_router`'s routes in order;
 * `clusters` maps cluster name → host addresses.
 */
export function startBoltMosn(opts: {
  listeners: Record<string, unknown>[];
  routes: Record<string, unknown>[];
  clusters: Record<string, string[]>;
  clusterExtra?: Record<string, unknown>;
}): Promise<RunningMosn> {
  const config: MosnConfig = {
    servers: [
      {
        routers: [{ router_config_name: 'bolt_router', virtual_hosts: [{ name: 'rpc', domains: ['*'], routers: opts.routes }] }],
        listeners: opts.listeners,
      },
    ],
    cluster_manager: { clusters: Object.entries(opts.clusters).map(([n, hosts]) => cluster(n, hosts, opts.clusterExtra)) },
  } as MosnConfig;
  return startMosn(config);
}

/** Log lines whose message contains `text`. */
export function logLinesWith(mosn: RunningMosn, text: string): Record<string, unknown>[] {
  return mosn.logLines().filter((l) => typeof l.msg === 'string' && l.msg.includes(text));
}
