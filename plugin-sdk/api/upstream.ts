import type { ClientConnection, Connection } from './connection';
import type { HeaderMap } from './header-map';

/** A host of an upstream cluster. */
export interface Host {
  /** `ip:port` or `unix:/path`. */
  readonly address: string;
  /** Relative weight (1..128 in MOSN configs; default 1). */
  readonly weight: number;
  /** Optional name for logs. */
  readonly hostname: string;
  readonly clusterName: string;
}

/** What a load balancer may use to choose. */
export interface LoadBalancerContext {
  /** The downstream connection the upstream request serves, if any. */
  readonly downstreamConnection?: Connection;
  /** The request's headers, when the upstream request carries a stream (L7). */
  readonly headers?: HeaderMap;
  /**
   * The request's hash for consistent-hash balancers (LB_MAGLEV), from the route's hash_policy
   * (header, cookie or source IP); undefined when the route has no hash policy or its input is
   * absent from the request.
   */
  hashKey?(): string | undefined;
}

/** A configured cluster: a set of hosts and the load balancer that picks among them. */
export interface Cluster {
  readonly name: string;
  /** `SIMPLE`, ... */
  readonly type: string;
  /** `LB_RANDOM`, `LB_ROUNDROBIN`, ... */
  readonly lbType: string;
  /** Connect timeout toward its hosts, in milliseconds. */
  readonly connectTimeoutMs: number;
  readonly hosts: readonly Host[];
  /** Chooses a host with the cluster's load balancer; undefined when there is none. */
  chooseHost(context?: LoadBalancerContext): Host | undefined;
}

/** The kernel's set of clusters (the `cluster_manager` config section). */
export interface ClusterManager {
  getCluster(name: string): Cluster | undefined;
  /**
   * Chooses a host of `clusterName` and returns a connection to it, not yet connected (wire
   * filters and listeners, then call `connect()`). Undefined when the cluster is unknown or has no
   * host. The kernel counts upstream metrics for it.
   */
  createConnection(clusterName: string, context?: LoadBalancerContext): ClientConnection | undefined;
}
