import { ConfigError } from '../../plugin-sdk';
import type { FilterFactoryContext, NetworkFilterChainFactory, NetworkFilterFactory } from '../../plugin-sdk';
import type { AccessLog } from '../accesslog/access-log';
import type { FactoryRegistry } from '../host/factory-registry';
import { DOWNSTREAM } from '../metrics/metric-names';
import type { MetricsRegistry } from '../metrics/metrics-registry';
import type { RouterTable } from '../router/router-table';
import type { ClusterManagerImpl } from '../upstream/cluster-manager';
import { DownstreamRequestStats } from './downstream-request-stats';
import type { ProxyContext } from './proxy-context';
import { resolveProtocol, type ProxyConfigInput } from './proxy-config';
import { ProxyFilter } from './proxy-filter';
import { ListenerStreamFilters } from './stream-filter-set';
import { isXProtocolFactory } from '../stream/xprotocol/xprotocol-factory';

/** The kernel gives its own filters more than plugins get: the listener's L7 parts. */
export interface KernelFilterFactoryContext extends FilterFactoryContext {
  readonly clusterManager: ClusterManagerImpl;
  /** The listener's stream filters, replaced as a whole when a plugin swap rebuilds the listener. */
  readonly streamFilters: ListenerStreamFilters;
  readonly accessLogs: readonly AccessLog[];
}

export interface ProxyFilterDeps {
  readonly registry: FactoryRegistry;
  readonly routers: RouterTable;
  readonly metrics: MetricsRegistry;
}

const DEFAULT_MAX_HEADER_BYTES = 64 * 1024;
const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** The `proxy` network filter (MOSN's L7 proxy), built into the kernel. */
export function createProxyFilterFactory(deps: ProxyFilterDeps): NetworkFilterFactory<ProxyConfigInput> {
  return {
    createFilterChainFactory(config, context): NetworkFilterChainFactory {
      const kernel = context as KernelFilterFactoryContext;
      const sub = config.extend_config?.sub_protocol;
      const downstream = resolveProtocol(deps.registry, config.downstream_protocol ?? 'Http1', sub, 'downstream_protocol');
      const upstream = resolveProtocol(deps.registry, config.upstream_protocol ?? downstream.name, sub, 'upstream_protocol');
      const routerName = config.router_config_name!;
      const router = deps.routers.get(routerName);
      if (!router) throw new ConfigError('router_config_name', `router ${JSON.stringify(routerName)} is not defined in routers (defined: ${deps.routers.names().join(', ') || 'none'})`);
      const accessLogs = kernel.accessLogs ?? [];
      const ctx: ProxyContext = {
        listenerName: context.listenerName,
        downstreamProtocol: downstream,
        upstreamProtocol: upstream,
        router,
        clusterManager: kernel.clusterManager,
        streamFilters: kernel.streamFilters ?? new ListenerStreamFilters(),
        accessLogs,
        stats: new DownstreamRequestStats(deps.metrics.metrics(DOWNSTREAM, { listener: context.listenerName })),
        logger: context.logger,
        isHttp: /^http/i.test(downstream.name),
        forwardsFrames: isXProtocolFactory(downstream.factory) && isXProtocolFactory(upstream.factory) && accessLogs.length === 0,
        maxHeaderBytes: DEFAULT_MAX_HEADER_BYTES,
        maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
      };
      return {
        createFilterChain(_connection, manager) {
          manager.addReadFilter(new ProxyFilter(ctx));
        },
      };
    },
  };
}
