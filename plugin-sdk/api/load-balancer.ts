import type { Host, LoadBalancerContext } from './upstream';

/**
 * A host as a load balancer sees it: who it is ({@link Host}) and its live state. The kernel keeps
 * these fields current; a balancer only reads them.
 */
export interface LoadBalancerHost extends Host {
  /** False while active health checking holds the host failed. */
  readonly healthy: boolean;
  /** Upstream requests (tries) in flight to this host, counted by the proxy. */
  readonly activeRequests: number;
  /** Open (or opening) upstream connections to this host, counted by the connection pools. */
  readonly activeConnections: number;
}

/**
 * The hosts of one cluster, live: the object stays the same for the cluster's life while its
 * contents change (health checks flip hosts, DNS replaces the list). Read it on every choice, or
 * cache what you derive from it and rebuild when {@link version} changes.
 */
export interface LoadBalancerHosts {
  /** Every host of the cluster, healthy or not, in config (or resolution) order. */
  readonly hosts: readonly LoadBalancerHost[];
  /**
   * The hosts to choose from: the healthy ones, or every host when none is healthy (panic mode:
   * sending somewhere beats refusing everything when the checks themselves fail). Choose from
   * this list, not from {@link hosts}.
   */
  readonly healthyHosts: readonly LoadBalancerHost[];
  /** Grows on every change of the list or of a host's health. */
  readonly version: number;
}

/**
 * One cluster's balancer. `chooseHost` runs on the request path for every try (retries call it
 * again): keep it fast and synchronous. Return one of the hosts of the {@link LoadBalancerHosts}
 * the factory was given (the very object), or undefined when there is none to choose; the kernel
 * answers the request with 503 then. A throw, or a host that is not one of the cluster's, is
 * logged by the kernel and the request falls back to a random healthy host.
 */
export interface LoadBalancer {
  chooseHost(context?: LoadBalancerContext): LoadBalancerHost | undefined;
}

/** What a load balancer factory is told about the cluster it serves. */
export interface LoadBalancerFactoryContext<Config = unknown> {
  readonly clusterName: string;
  /** The cluster's `lb_type`, i.e. the name the factory was registered under. */
  readonly lbType: string;
  /**
   * The cluster's `lbconfig` block (MOSN's field; `{}` when absent), already validated against
   * the configSchema the plugin declared for this load_balancer in plugin.json.
   */
  readonly config: Config;
  /** The whole cluster config block as written, read-only, for anything else the balancer needs. */
  readonly cluster: Readonly<Record<string, unknown>>;
}

/**
 * Makes the balancer of a cluster whose `lb_type` names this factory; registered with
 * `PluginContext.registerLoadBalancer(type, factory)`. Called once per such cluster when the
 * cluster manager builds it (at start, after plugins have loaded). Throw a `ConfigError` to refuse
 * the cluster's config with a path under `lbconfig`.
 *
 * Built-in lb_types (LB_RANDOM, LB_ROUNDROBIN, LB_WEIGHTED_ROUNDROBIN, LB_LEAST_REQUEST,
 * LB_LEAST_CONNECTION, LB_MAGLEV, RING_HASH, LB_PEAK_EWMA, LB_REQUEST_ROUNDROBIN, LB_ORIGINAL_DST)
 * belong to the kernel; registering one of those names is refused.
 */
export interface LoadBalancerFactory<Config = unknown> {
  createLoadBalancer(hosts: LoadBalancerHosts, context: LoadBalancerFactoryContext<Config>): LoadBalancer;
}
