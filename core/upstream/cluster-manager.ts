import type { ClientConnection, ClusterManager, LoadBalancerContext, Logger } from '../../plugin-sdk';
import { parseDuration } from '../../plugin-sdk';
import { parseAddress } from '../config/address';
import type { ClusterConfig } from '../config/config-types';
import type { Counter, MetricsRegistry } from '../metrics/metrics-registry';
import { UPSTREAM, UpstreamKeys } from '../metrics/metric-names';
import { OutboundConnection } from '../network/client-connection';
import type { ConnectionMetrics } from '../network/connection-metrics';
import { DEFAULT_LB_TYPE, LOAD_BALANCER_TYPES } from './load-balancer-types';
import { SimpleCluster } from './simple-cluster';
import { UpstreamHost } from './upstream-host';

const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
const DEFAULT_CONN_BUFFER_LIMIT = 1 << 20;
const SUPPORTED_CLUSTER_TYPES = new Set(['SIMPLE']);

interface ClusterEntry {
  cluster: SimpleCluster;
  bufferLimit: number;
  metrics: ConnectionMetrics;
  connectFailures: Counter;
}

/** The `cluster_manager` section: clusters by name, and upstream connections to their hosts. */
export class ClusterManagerImpl implements ClusterManager {
  private readonly clusters = new Map<string, ClusterEntry>();

  private constructor(
    private readonly registry: MetricsRegistry,
    private readonly logger: Logger,
  ) {}

  /**
   * Builds every cluster; problems (JSON path: reason) are appended to `problems` and the faulty
   * cluster is left out, so the caller can refuse the whole config with every reason at once.
   */
  static fromConfig(configs: readonly ClusterConfig[], registry: MetricsRegistry, logger: Logger, problems: string[]): ClusterManagerImpl {
    const manager = new ClusterManagerImpl(registry, logger);
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
    return new OutboundConnection({
      address: host.parsedAddress,
      hostAddress: host.address,
      clusterName,
      connectTimeoutMs: entry.cluster.connectTimeoutMs,
      bufferLimit: entry.bufferLimit,
      idleTimeoutMs: 0,
      metrics: entry.metrics,
      connectFailures: entry.connectFailures,
      logger: this.logger,
    });
  }

  private addCluster(config: ClusterConfig, path: string, problems: string[]): void {
    const type = config.type ?? 'SIMPLE';
    const before = problems.length;
    if (!SUPPORTED_CLUSTER_TYPES.has(type)) {
      problems.push(`${path}.type: cluster type ${JSON.stringify(type)} is not supported (supported: ${[...SUPPORTED_CLUSTER_TYPES].join(', ')})`);
    }
    const lbType = config.lb_type ?? DEFAULT_LB_TYPE;
    const lbFactory = LOAD_BALANCER_TYPES.get(lbType);
    if (!lbFactory) {
      problems.push(`${path}.lb_type: ${JSON.stringify(lbType)} is not supported (supported: ${[...LOAD_BALANCER_TYPES.keys()].join(', ')})`);
    }
    const connectTimeoutMs = config.connect_timeout === undefined ? DEFAULT_CONNECT_TIMEOUT_MS : parseDuration(config.connect_timeout);
    if (connectTimeoutMs === undefined) problems.push(`${path}.connect_timeout: ${JSON.stringify(config.connect_timeout)} is not a valid duration`);
    const hosts: UpstreamHost[] = [];
    (config.hosts ?? []).forEach((h, j) => {
      const parsed = parseAddress(h.address);
      if (!parsed) problems.push(`${path}.hosts[${j}].address: ${JSON.stringify(h.address)} is not a valid address`);
      else hosts.push(new UpstreamHost(h.address, parsed, h.weight ?? 1, h.hostname ?? '', config.name));
    });
    if (problems.length > before || !lbFactory || connectTimeoutMs === undefined) return;
    const set = this.registry.metrics(UPSTREAM, { cluster: config.name });
    this.clusters.set(config.name, {
      cluster: new SimpleCluster(config.name, lbType, connectTimeoutMs, hosts, lbFactory(hosts)),
      bufferLimit: config.conn_buffer_limit_bytes ?? DEFAULT_CONN_BUFFER_LIMIT,
      metrics: {
        total: set.counter(UpstreamKeys.ConnectionTotal),
        active: set.gauge(UpstreamKeys.ConnectionActive),
        closed: set.counter(UpstreamKeys.ConnectionClose),
        bytesRead: set.counter(UpstreamKeys.BytesReadTotal),
        bytesWritten: set.counter(UpstreamKeys.BytesWriteTotal),
      },
      connectFailures: set.counter(UpstreamKeys.ConnectionConFail),
    });
  }
}
