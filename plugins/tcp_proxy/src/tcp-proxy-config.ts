import * as net from 'node:net';
import { ConfigError, parseDuration } from 'mosn-plugin-sdk';
import type { ClusterManager } from 'mosn-plugin-sdk';

/** The tcp_proxy config block as users write it (MOSN's fields plus Envoy's weighted_clusters). */
export interface TcpProxyConfigInput {
  stat_prefix?: string;
  cluster?: string;
  weighted_clusters?: { clusters: { name: string; weight: number }[] };
  routes?: { cluster: string; source_addrs?: CidrInput[]; destination_addrs?: CidrInput[] }[];
  idle_timeout?: string;
  max_connect_attempts?: number;
}

interface CidrInput {
  address: string;
  length?: number;
}

interface Route {
  cluster: string;
  sources: net.BlockList | undefined;
  destinations: net.BlockList | undefined;
}

/** Validated once per listener; chooses the cluster for each downstream connection. */
export class TcpProxyConfig {
  readonly idleTimeoutMs: number;
  readonly maxConnectAttempts: number;
  private readonly routes: Route[];
  private readonly weighted: { name: string; cumulative: number }[];
  private readonly totalWeight: number;
  private readonly defaultCluster: string | undefined;

  constructor(input: TcpProxyConfigInput, clusters: ClusterManager) {
    const idle = input.idle_timeout === undefined ? 0 : parseDuration(input.idle_timeout);
    if (idle === undefined) throw new ConfigError('idle_timeout', `${JSON.stringify(input.idle_timeout)} is not a valid duration`);
    this.idleTimeoutMs = idle;
    this.maxConnectAttempts = input.max_connect_attempts ?? 1;
    const known = (name: string, path: string): string => {
      if (!clusters.getCluster(name)) throw new ConfigError(path, `cluster ${JSON.stringify(name)} is not defined in cluster_manager.clusters`);
      return name;
    };
    if (input.cluster !== undefined) known(input.cluster, 'cluster');
    this.routes = (input.routes ?? []).map((r, i) => ({
      cluster: known(r.cluster, `routes[${i}].cluster`),
      sources: blockList(r.source_addrs, `routes[${i}].source_addrs`),
      destinations: blockList(r.destination_addrs, `routes[${i}].destination_addrs`),
    }));
    let sum = 0;
    this.weighted = (input.weighted_clusters?.clusters ?? []).map((c, i) => ({
      name: known(c.name, `weighted_clusters.clusters[${i}].name`),
      cumulative: (sum += c.weight),
    }));
    this.totalWeight = sum;
    this.defaultCluster = input.cluster;
  }

  /**
   * The cluster for a connection: the first route whose source and destination ranges match,
   * else a weighted pick, else `cluster`.
   */
  clusterFor(remoteIp: string, localIp: string): string | undefined {
    for (const r of this.routes) {
      if (r.sources && !matches(r.sources, remoteIp)) continue;
      if (r.destinations && !matches(r.destinations, localIp)) continue;
      return r.cluster;
    }
    if (this.weighted.length > 0) {
      const target = Math.random() * this.totalWeight;
      for (const w of this.weighted) if (target < w.cumulative) return w.name;
      return this.weighted[this.weighted.length - 1].name;
    }
    return this.defaultCluster;
  }
}

function blockList(cidrs: CidrInput[] | undefined, path: string): net.BlockList | undefined {
  if (!cidrs || cidrs.length === 0) return undefined;
  const list = new net.BlockList();
  cidrs.forEach((c, i) => {
    const family = net.isIPv6(c.address) ? 'ipv6' : net.isIPv4(c.address) ? 'ipv4' : undefined;
    if (!family) throw new ConfigError(`${path}[${i}].address`, `${JSON.stringify(c.address)} is not an IP address`);
    list.addSubnet(c.address, c.length ?? (family === 'ipv4' ? 32 : 128), family);
  });
  return list;
}

function matches(list: net.BlockList, ip: string): boolean {
  if (!ip) return false;
  return list.check(ip, net.isIPv6(ip) ? 'ipv6' : 'ipv4');
}
