import type { MosnConfig } from '../../core/config/config-types';
import { cluster, startMosn, type RunningMosn } from '../support/mosn-harness';

/** A route on dubbo's `service` header (and more header matchers) to a cluster. */
export function serviceRoute(service: string, clusterName: string, more: { name: string; value: string }[] = []) {
  return { match: { headers: [{ name: 'service', value: service }, ...more] }, route: { cluster_name: clusterName } };
}

/** A listener whose proxy speaks `downstream`/`upstream` with router `dubbo_router`. */
export function proxyListener(name: string, downstream: string, upstream?: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    address: '127.0.0.1:0',
    filter_chains: [
      {
        filters: [
          {
            type: 'proxy',
            config: { downstream_protocol: downstream, ...(upstream ? { upstream_protocol: upstream } : {}), router_config_name: 'dubbo_router', ...extra },
          },
        ],
      },
    ],
  };
}

/** Starts mosn-ts with the listeners, `dubbo_router`'s routes in order and clusters (name → hosts). */
export function startDubboMosn(opts: {
  listeners: Record<string, unknown>[];
  routes: Record<string, unknown>[];
  clusters: Record<string, string[]>;
  clusterExtra?: Record<string, unknown>;
}): Promise<RunningMosn> {
  const config = {
    servers: [
      {
        routers: [{ router_config_name: 'dubbo_router', virtual_hosts: [{ name: 'rpc', domains: ['*'], routers: opts.routes }] }],
        listeners: opts.listeners,
      },
    ],
    cluster_manager: { clusters: Object.entries(opts.clusters).map(([n, hosts]) => cluster(n, hosts, opts.clusterExtra)) },
  } as MosnConfig;
  return startMosn(config);
}
