import type { ClientConnection, ClusterManager, CodecOptions, LoadBalancerContext, Logger, ProtocolFactory } from '../../plugin-sdk';
import { ConfigError, parseDuration } from '../../plugin-sdk';
import { parseAddress } from '../config/address';
import type { ClusterConfig } from '../config/config-types';
import type { Counter, MetricsRegistry } from '../metrics/metrics-registry';
import { UPSTREAM, UpstreamKeys } from '../metrics/metric-names';
import { OutboundConnection } from '../network/client-connection';
import type { ConnectionMetrics } from '../network/connection-metrics';
import { buildClusterTls, type ClusterTls } from '../network/tls/cluster-tls';
import { TlsStatKeys } from '../network/tls/tls-stats';
import { ClusterStats } from './cluster-stats';
import { ClusterUpkeep, planClusterUpkeep } from './cluster-upkeep';
import { HostSet } from './host-set';
import type { FactoryRegistryView } from '../host/factory-registry';
import { findLoadBalancer } from './lb/balancer-resolver';
import { DEFAULT_LB_TYPE } from './lb/builtin-balancers';
import type { LoadBalancer } from './lb/load-balancer';
import type { ConnectionPool, PoolClusterContext } from './pool/connection-pool';
import { MultiplexPool } from './pool/multiplex-pool';
import { PingPongPool } from './pool/ping-pong-pool';
import { ResourceManager, parseCircuitBreakers } from './resource-manager';
import { SimpleCluster } from './simple-cluster';
import { UpstreamHost } from './upstream-host';

const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
/** Upstream keep-alive connections close after this long idle (MOSN's default connection idle timeout). */
export const DEFAULT_UPSTREAM_IDLE_TIMEOUT_MS = 90_000;
const DEFAULT_CONN_BUFFER_LIMIT = 1 << 20;
/** Client codec limits when the caller gives none. */
export const DEFAULT_MAX_HEADER_BYTES = 64 * 1024;
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
const SUPPORTED_CLUSTER_TYPES = new Set(['SIMPLE', 'STRICT_DNS']);

export interface ClusterManagerOptions {
  /** Limits of the upstream (client) codecs; the logger defaults to the cluster manager's. */
  codecOptions?: Partial<CodecOptions>;
  /**
   * Where lb_types other than the kernel's are looked up (kind `load_balancer`): the plugin host's
   * factory registry, filled before clusters are built.
   */
  loadBalancers?: FactoryRegistryView;
}

/** One cluster with what its pools share. */
class ClusterEntry implements PoolClusterContext {
  /** protocol name → host → pool. */
  readonly pools = new Map<string, Map<UpstreamHost, ConnectionPool>>();
  /** DNS re-resolution and health checking, when configured. */
  upkeep: ClusterUpkeep | undefined;

  constructor(
    readonly cluster: SimpleCluster,
    readonly stats: ClusterStats,
    readonly idleTimeoutMs: number,
    readonly maxRequestsPerConnection: number,
    readonly maxConcurrentStreams: number,
    readonly codecOptions: CodecOptions,
    readonly logger: Logger,
    private readonly bufferLimit: number,
    private readonly metrics: ConnectionMetrics,
    private readonly connectFailures: Counter,
    /** The cluster's tls_context toward its hosts; undefined for plaintext. */
    private readonly tls?: ClusterTls,
  ) {}

  get name(): string {
    return this.cluster.name;
  }

  get resources(): ResourceManager {
    return this.cluster.resourceManager;
  }

  /** Hosts left the cluster (DNS): their pools finish what they carry and close; nothing new goes there. */
  releaseHosts(removed: readonly UpstreamHost[]): void {
    for (const byHost of this.pools.values()) {
      for (const host of removed) {
        byHost.get(host)?.drain();
        byHost.delete(host);
      }
    }
  }

  createConnection(host: UpstreamHost): OutboundConnection {
    return new OutboundConnection({
      address: host.parsedAddress,
      hostAddress: host.address,
      clusterName: this.cluster.name,
      connectTimeoutMs: this.cluster.connectTimeoutMs,
      bufferLimit: this.bufferLimit,
      idleTimeoutMs: 0,
      metrics: this.metrics,
      connectFailures: this.connectFailures,
      logger: this.logger,
      tls: this.tls?.optionsFor(host.address, host.parsedAddress.kind === 'tcp' ? host.parsedAddress.host : undefined),
    });
  }
}

/**
 * The `cluster_manager` section: clusters by name, upstream connections to their hosts, and the
 * connection pools (one per host and protocol) the L7 proxy takes streams from.
 */
export class ClusterManagerImpl implements ClusterManager {
  private readonly clusters = new Map<string, ClusterEntry>();
  private readonly codecOptions: CodecOptions;
  private readonly loadBalancers: FactoryRegistryView | undefined;
  private closed = false;

  private constructor(
    private readonly registry: MetricsRegistry,
    private readonly logger: Logger,
    options: ClusterManagerOptions = {},
  ) {
    this.loadBalancers = options.loadBalancers;
    this.codecOptions = {
      maxHeaderBytes: options.codecOptions?.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES,
      maxFrameBytes: options.codecOptions?.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      logger: options.codecOptions?.logger ?? logger,
    };
  }

  /**
   * Builds every cluster; problems (JSON path: reason) are appended to `problems` and the faulty
   * cluster is left out, so the caller can refuse the whole config with every reason at once.
   */
  static fromConfig(
    configs: readonly ClusterConfig[],
    registry: MetricsRegistry,
    logger: Logger,
    problems: string[],
    options?: ClusterManagerOptions,
  ): ClusterManagerImpl {
    const manager = new ClusterManagerImpl(registry, logger, options);
    configs.forEach((c, i) => manager.addCluster(c, `cluster_manager.clusters[${i}]`, problems));
    return manager;
  }

  getCluster(name: string): SimpleCluster | undefined {
    return this.clusters.get(name)?.cluster;
  }

  names(): string[] {
    return [...this.clusters.keys()];
  }

  createConnection(clusterName: string, context?: LoadBalancerContext): ClientConnection | undefined {
    const entry = this.clusters.get(clusterName);
    if (!entry) return undefined;
    const host = entry.cluster.chooseHost(context);
    if (!host) return undefined;
    return entry.createConnection(host);
  }

  /**
   * Chooses a host of `clusterName` with its load balancer and returns the pool of upstream
   * connections to it for `protocolName` (created on first use, then kept). Undefined when the
   * cluster is unknown, has no host, or the manager is closed. When `protocol` is another instance
   * than the pool's (a reloaded plugin generation), the old pool is drained and a new one serves.
   */
  getConnPool(clusterName: string, protocolName: string, protocol: ProtocolFactory, context?: LoadBalancerContext): ConnectionPool | undefined {
    if (this.closed) return undefined;
    const entry = this.clusters.get(clusterName);
    if (!entry) return undefined;
    const host = entry.cluster.chooseHost(context);
    if (!host) return undefined;
    let byHost = entry.pools.get(protocolName);
    if (!byHost) entry.pools.set(protocolName, (byHost = new Map()));
    let pool = byHost.get(host);
    if (pool && pool.factory === protocol) return pool;
    if (pool) pool.drain();
    pool = protocol.poolMode === 'multiplex' ? new MultiplexPool(host, protocolName, protocol, entry) : new PingPongPool(host, protocolName, protocol, entry);
    byHost.set(host, pool);
    return pool;
  }

  /** The cluster's upstream request metrics (a detached set for an unknown name). */
  clusterStats(name: string): ClusterStats {
    return this.clusters.get(name)?.stats ?? ClusterStats.detached(name);
  }

  /** Takes one retry from the cluster's `max_retries` breaker; false when it is exhausted (or no such cluster). */
  tryAcquireRetry(clusterName: string): boolean {
    return this.clusters.get(clusterName)?.cluster.resourceManager.retries.tryAcquire() ?? false;
  }

  /** Gives back a retry taken with {@link tryAcquireRetry} once that retry is under way or over. */
  releaseRetry(clusterName: string): void {
    this.clusters.get(clusterName)?.cluster.resourceManager.retries.dec();
  }

  /** Every pool made so far (for admin and tests). */
  pools(clusterName?: string): ConnectionPool[] {
    const out: ConnectionPool[] = [];
    for (const [name, entry] of this.clusters) {
      if (clusterName !== undefined && name !== clusterName) continue;
      for (const byHost of entry.pools.values()) for (const pool of byHost.values()) out.push(pool);
    }
    return out;
  }

  /**
   * Starts the clusters' background work (health checks, DNS); resolves when STRICT_DNS clusters
   * have had their first lookup (bounded by the resolver's timeout).
   */
  async start(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.clusters.values()].map((entry) => entry.upkeep?.start()));
  }

  /** Shutdown: stops health checks and DNS, closes every pool (and its connections); later getConnPool calls return undefined. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const entry of this.clusters.values()) {
      entry.upkeep?.stop();
      for (const byHost of entry.pools.values()) for (const pool of byHost.values()) pool.close();
      entry.pools.clear();
    }
  }

  private addCluster(config: ClusterConfig, path: string, problems: string[]): void {
    const type = config.type ?? 'SIMPLE';
    const before = problems.length;
    if (!SUPPORTED_CLUSTER_TYPES.has(type)) {
      problems.push(`${path}.type: cluster type ${JSON.stringify(type)} is not supported (supported: ${[...SUPPORTED_CLUSTER_TYPES].join(', ')})`);
    }
    const lbType = config.lb_type ?? DEFAULT_LB_TYPE;
    const makeBalancer = findLoadBalancer(config, path, this.loadBalancers, this.logger, problems);
    const connectTimeoutMs = config.connect_timeout === undefined ? DEFAULT_CONNECT_TIMEOUT_MS : parseDuration(config.connect_timeout);
    if (connectTimeoutMs === undefined) problems.push(`${path}.connect_timeout: ${JSON.stringify(config.connect_timeout)} is not a valid duration`);
    const idleTimeoutMs = config.idle_timeout === undefined ? DEFAULT_UPSTREAM_IDLE_TIMEOUT_MS : parseDuration(config.idle_timeout);
    if (idleTimeoutMs === undefined) problems.push(`${path}.idle_timeout: ${JSON.stringify(config.idle_timeout)} is not a valid duration`);
    const maxRequestsPerConnection = config.max_request_per_conn ?? 0;
    const limits = parseCircuitBreakers(config.circuit_breakers, `${path}.circuit_breakers`, problems);
    const plan = planClusterUpkeep(config, type, path, problems);
    const hosts: UpstreamHost[] = [];
    // STRICT_DNS hosts are names to resolve (the plan checks them), not the cluster's hosts.
    (type === 'STRICT_DNS' ? [] : (config.hosts ?? [])).forEach((h, j) => {
      const parsed = parseAddress(h.address);
      if (!parsed) problems.push(`${path}.hosts[${j}].address: ${JSON.stringify(h.address)} is not a valid address`);
      else hosts.push(new UpstreamHost(h.address, parsed, h.weight ?? 1, h.hostname ?? '', config.name));
    });
    const set = this.registry.metrics(UPSTREAM, { cluster: config.name });
    const tls = buildClusterTls(config, path, set.counter(TlsStatKeys.HandshakeFailed), problems);
    if (problems.length > before || !makeBalancer || connectTimeoutMs === undefined || idleTimeoutMs === undefined) return;
    const hostSet = new HostSet(hosts);
    let balancer: LoadBalancer;
    try {
      balancer = makeBalancer(hostSet);
    } catch (err) {
      problems.push(err instanceof ConfigError ? `${err.path}: ${err.reason}` : `${path}.lb_type: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const cluster = new SimpleCluster(config.name, type, lbType, connectTimeoutMs, hostSet, balancer, new ResourceManager(limits));
    this.clusters.set(
      config.name,
      new ClusterEntry(
        cluster,
        new ClusterStats(set),
        idleTimeoutMs,
        maxRequestsPerConnection,
        config.max_concurrent_streams ?? 0,
        this.codecOptions,
        this.logger,
        config.conn_buffer_limit_bytes ?? DEFAULT_CONN_BUFFER_LIMIT,
        {
          total: set.counter(UpstreamKeys.ConnectionTotal),
          active: set.gauge(UpstreamKeys.ConnectionActive),
          closed: set.counter(UpstreamKeys.ConnectionClose),
          bytesRead: set.counter(UpstreamKeys.BytesReadTotal),
          bytesWritten: set.counter(UpstreamKeys.BytesWriteTotal),
        },
        set.counter(UpstreamKeys.ConnectionConFail),
        tls,
      ),
    );
    const entry = this.clusters.get(config.name)!;
    hostSet.onChange((_added, removed) => removed.length > 0 && entry.releaseHosts(removed));
    if (plan.dns || plan.health) entry.upkeep = new ClusterUpkeep(config.name, plan, hostSet, this.registry, this.logger);
  }
}
