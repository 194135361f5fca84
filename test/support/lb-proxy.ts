import * as http from 'node:http';
import type { MosnConfig } from '../../core/config/config-types';
import { request } from './http-upstreams';

/**
 * A config with one HTTP/1.1 proxy listener `in` whose router sends every path to `routes`
 * (route entries as in MOSN: {match, route}), and the given clusters.
 */
export function httpProxyConfig(routes: unknown[], clusters: unknown[], plugins?: MosnConfig['plugins']): MosnConfig {
  return {
    ...(plugins ? { plugins } : {}),
    servers: [
      {
        routers: [{ router_config_name: 'r', virtual_hosts: [{ name: 'all', domains: ['*'], routers: routes }] }],
        listeners: [
          {
            name: 'in',
            address: '127.0.0.1:0',
            filter_chains: [{ filters: [{ type: 'proxy', config: { downstream_protocol: 'Http1', upstream_protocol: 'Http1', router_config_name: 'r' } }] }],
          },
        ],
      },
    ],
    cluster_manager: { clusters: clusters as NonNullable<MosnConfig['cluster_manager']>['clusters'] },
  } as MosnConfig;
}

/** GET through the proxy; resolves with the name of the upstream that answered (x-upstream). */
export async function servedBy(port: number, opts: Parameters<typeof request>[1] = {}): Promise<string> {
  const res = await request(port, opts);
  if (res.status !== 200) throw new Error(`status ${res.status}: ${res.body.toString()}`);
  return String(res.headers['x-upstream']);
}

/** A keep-alive agent without a socket limit (requests held upstream keep their sockets). */
export function unlimitedAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: Infinity });
}
