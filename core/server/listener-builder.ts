import { ConfigError, parseDuration } from '../../plugin-sdk';
import type {
  FactoryKind,
  ListenerFilter,
  ListenerFilterFactory,
  Logger,
  NetworkFilterChainFactory,
  NetworkFilterFactory,
  StreamFilterFactory,
} from '../../plugin-sdk';
import { AccessLog } from '../accesslog/access-log';
import type { KernelFilterFactoryContext } from '../proxy/proxy-filter-factory';
import type { NamedStreamFilterFactory } from '../proxy/stream-filter-chain';
import { ListenerStreamFilters, StreamFilterSet } from '../proxy/stream-filter-set';
import { GenerationSet } from '../host/generation-set';
import type { PluginCallRecorder } from '../host/plugin-health';
import { factoryOfUse, listenerFactoryUses } from '../host/running-config-check';
import type { FactoryRegistryView } from '../host/factory-registry';
import { guardNetworkFilter } from './guarded-network-filter';
import { joinPath } from '../../plugin-sdk/schema/schema-errors';
import { parseAddress } from '../config/address';
import type { FilterConfig, ListenerConfig, MosnConfig } from '../config/config-types';
import type { FactoryRegistry, RegisteredFactory } from '../host/factory-registry';
import { DOWNSTREAM, DownstreamKeys } from '../metrics/metric-names';
import type { MetricsRegistry } from '../metrics/metrics-registry';
import type { ListenerChains, ListenerOptions } from '../network/listener';
import { buildListenerTlsSettings } from '../network/tls/listener-tls-settings';
import type { ClusterManagerImpl } from '../upstream/cluster-manager';

/** MOSN's default idle timeout of downstream connections. */
export const DEFAULT_IDLE_TIMEOUT_MS = 90_000;
/** Envoy's and MOSN's default per-connection buffer limit. */
export const DEFAULT_BUFFER_LIMIT = 1 << 20;

export interface ListenerBuildContext {
  /** Every access log opened for listeners, so the server can close them. */
  openedAccessLogs: AccessLog[];
  registry: FactoryRegistry;
  clusterManager: ClusterManagerImpl;
  metrics: MetricsRegistry;
  logger: Logger;
  /** The call recorder of a plugin (the host's), for the failure isolation of its filters. */
  recorder(plugin: string): PluginCallRecorder;
}

/** What a rebuild keeps of the listener's first build: the stream filter slot and the access logs. */
export interface ListenerReuse {
  readonly streamFilters: ListenerStreamFilters;
  readonly accessLogs: readonly AccessLog[];
}

/** One build of a listener: the Listener's options and what the server swaps on a plugin reload. */
export interface BuiltListener {
  readonly options: ListenerOptions;
  /** Same as options.chains: what new connections are built from. */
  readonly chains: ListenerChains;
  /** The stream filters of this build (a rebuild puts it in `streamFilters.current` when it commits). */
  readonly streamFilterSet: StreamFilterSet;
  /** The slot every connection's proxy reads stream filters from. */
  readonly streamFilters: ListenerStreamFilters;
  readonly accessLogs: readonly AccessLog[];
  /** Every plugin generation the build uses: listener, network and stream filters, protocols. */
  readonly generations: GenerationSet;
}

/**
 * Turns one listener's config into what a Listener runs: filter factories from the plugin
 * registry, each config validated by its plugin's schema and then by its factory. Problems are
 * collected as `path: reason` lines; undefined is returned when there were any. A rebuild after a
 * plugin swap passes `reuse`, so the listener keeps its stream filter slot and access logs.
 */
export function buildListener(config: ListenerConfig, path: string, ctx: ListenerBuildContext, problems: string[], reuse?: ListenerReuse): BuiltListener | undefined {
  const before = problems.length;
  const name = config.name ?? config.address;
  const address = parseListenAddress(config);
  if (!address) problems.push(`${path}.address: ${JSON.stringify(config.address)} is not a valid address`);
  const idleTimeoutMs = config.connection_idle_timeout === undefined ? DEFAULT_IDLE_TIMEOUT_MS : parseDuration(config.connection_idle_timeout);
  if (idleTimeoutMs === undefined) problems.push(`${path}.connection_idle_timeout: ${JSON.stringify(config.connection_idle_timeout)} is not a valid duration`);

  const logger = ctx.logger.child({ listener: name });
  const listenerFilters = (config.listener_filters ?? []).map((f, i) =>
    buildListenerFilter(f, `${path}.listener_filters[${i}]`, ctx, problems),
  );
  const chains = config.filter_chains ?? [];
  if (chains.length > 1 && !reuse) logger.warn({ listener: name }, 'only the first filter chain is used (as in MOSN)');
  const filters = chains[0]?.filters ?? [];
  if (filters.length === 0) problems.push(`${path}.filter_chains[0].filters: a listener needs at least one network filter`);
  const streamFilters = (config.stream_filters ?? []).map((f, i) => buildStreamFilter(f, `${path}.stream_filters[${i}]`, name, logger, ctx, problems));
  const streamFilterSet = new StreamFilterSet(
    streamFilters.filter((f): f is NamedStreamFilterFactory => f !== undefined),
    GenerationSet.of((config.stream_filters ?? []).map((f) => ctx.registry.get('stream_filter', f.type))),
  );
  const accessLogs = reuse?.accessLogs ?? (config.access_logs ?? []).map((a, i) => AccessLog.create(a, `${path}.access_logs[${i}]`, problems)).filter((a): a is AccessLog => a !== undefined);
  const slot = reuse?.streamFilters ?? new ListenerStreamFilters(streamFilterSet);
  const kernelContext = {
    listenerName: name,
    clusterManager: ctx.clusterManager,
    logger,
    streamFilters: slot,
    accessLogs,
  };
  if (!reuse) ctx.openedAccessLogs.push(...accessLogs);
  const filterChainFactories = filters.map((f, i) =>
    buildNetworkFilter(f, `${path}.filter_chains[0].filters[${i}]`, kernelContext, ctx, problems),
  );
  const set = ctx.metrics.metrics(DOWNSTREAM, { listener: name });
  const tls = buildListenerTlsSettings(config, path, set, logger, problems);
  if (problems.length > before || !address || idleTimeoutMs === undefined) return undefined;

  // A connection pins what it runs on for its life; its streams pin their stream filters themselves.
  const uses = listenerFactoryUses(config, path);
  const connectionEntries = uses.filter((u) => u.kind !== 'stream_filter').map((u) => factoryOfUse(ctx.registry, u));
  const chainsBuilt: ListenerChains = {
    listenerFilters: listenerFilters as (() => ListenerFilter)[],
    filterChainFactories: filterChainFactories as NetworkFilterChainFactory[],
    pins: GenerationSet.of(connectionEntries),
  };
  const options: ListenerOptions = {
    name,
    address,
    chains: chainsBuilt,
    idleTimeoutMs,
    bufferLimit: config.per_connection_buffer_limit_bytes ?? DEFAULT_BUFFER_LIMIT,
    metrics: {
      total: set.counter(DownstreamKeys.ConnectionTotal),
      active: set.gauge(DownstreamKeys.ConnectionActive),
      closed: set.counter(DownstreamKeys.ConnectionDestroy),
      bytesRead: set.counter(DownstreamKeys.BytesReadTotal),
      bytesWritten: set.counter(DownstreamKeys.BytesWriteTotal),
    },
    logger,
    tls,
  };
  return {
    options,
    chains: chainsBuilt,
    streamFilterSet,
    streamFilters: slot,
    accessLogs,
    generations: GenerationSet.of(uses.map((u) => factoryOfUse(ctx.registry, u))),
  };
}

/**
 * What a plugin reload would break in the running listeners beyond the schemas: each filter
 * factory of `view` that is not the running one (a new generation) is asked to build from every
 * config block that names it, as a rebuild after the commit will. A factory that throws refuses the
 * reload, so a committed swap never leaves a listener on the old filters.
 */
export function trialBuildProblems(view: FactoryRegistryView, config: MosnConfig, ctx: ListenerBuildContext): string[] {
  const problems: string[] = [];
  (config.servers ?? []).forEach((server, i) => {
    (server.listeners ?? []).forEach((listener, j) => {
      const listenerName = listener.name ?? listener.address;
      const logger = ctx.logger.child({ listener: listenerName, trial: true });
      for (const use of listenerFactoryUses(listener, `servers[${i}].listeners[${j}]`)) {
        if (use.kind === 'protocol') continue;
        const entry = view.get(use.kind, use.name);
        if (!entry || entry === ctx.registry.get(use.kind, use.name)) continue;
        const config = use.config;
        createWithPlugin(entry.pluginName, `${use.path}.config`, problems, () => {
          if (use.kind === 'stream_filter') return (entry.factory as StreamFilterFactory).createFilterChainFactory(config, { listenerName, logger });
          if (use.kind === 'network_filter') return (entry.factory as NetworkFilterFactory).createFilterChainFactory(config, { listenerName, clusterManager: ctx.clusterManager, logger });
          return (entry.factory as ListenerFilterFactory).createListenerFilterFactory(config);
        });
      }
    });
  });
  return problems;
}

/** `unix:/path`, or a plain path when the listener says `network: "unix"`. */
function parseListenAddress(config: ListenerConfig) {
  if (config.network === 'unix' && !config.address.startsWith('unix:')) return parseAddress(`unix:${config.address}`);
  return parseAddress(config.address);
}

function buildNetworkFilter(
  filter: FilterConfig,
  path: string,
  kernelContext: KernelFilterFactoryContext,
  ctx: ListenerBuildContext,
  problems: string[],
): NetworkFilterChainFactory | undefined {
  const found = lookUpFactory('network_filter', 'network filter', filter, path, ctx, problems);
  if (!found) return undefined;
  const { entry, config } = found;
  const logger = kernelContext.logger.child({ filter: filter.type });
  const factory = createWithPlugin(entry.pluginName, `${path}.config`, problems, () =>
    (entry.factory as NetworkFilterFactory).createFilterChainFactory(config, { ...kernelContext, logger }),
  );
  // The kernel's own filters (proxy) run bare; a plugin's calls are counted and isolated.
  if (!factory || !entry.generation) return factory;
  return guardNetworkFilter(factory, { name: filter.type, recorder: ctx.recorder(entry.pluginName), failOpen: filter.failure_policy === 'fail_open', logger });
}

function buildStreamFilter(
  filter: FilterConfig,
  path: string,
  listenerName: string,
  logger: Logger,
  ctx: ListenerBuildContext,
  problems: string[],
): NamedStreamFilterFactory | undefined {
  const found = lookUpFactory('stream_filter', 'stream filter', filter, path, ctx, problems);
  if (!found) return undefined;
  const { entry, config } = found;
  const factory = createWithPlugin(entry.pluginName, `${path}.config`, problems, () =>
    (entry.factory as StreamFilterFactory).createFilterChainFactory(config, { listenerName, logger: logger.child({ filter: filter.type }) }),
  );
  if (!factory) return undefined;
  return {
    name: filter.type,
    pluginName: entry.pluginName,
    factory,
    ...(entry.generation ? { recorder: ctx.recorder(entry.pluginName) } : {}),
    failOpen: filter.failure_policy === 'fail_open',
  };
}

function buildListenerFilter(filter: FilterConfig, path: string, ctx: ListenerBuildContext, problems: string[]): (() => ListenerFilter) | undefined {
  const found = lookUpFactory('listener_filter', 'listener filter', filter, path, ctx, problems);
  if (!found) return undefined;
  const { entry, config } = found;
  return createWithPlugin(entry.pluginName, `${path}.config`, problems, () => (entry.factory as ListenerFilterFactory).createListenerFilterFactory(config));
}

/**
 * Finds the factory a config block names and checks the block against the plugin's schema;
 * undefined (with the problem recorded) when either fails.
 */
function lookUpFactory(
  kind: FactoryKind,
  what: string,
  filter: FilterConfig,
  path: string,
  ctx: ListenerBuildContext,
  problems: string[],
): { entry: RegisteredFactory; config: unknown } | undefined {
  const entry = ctx.registry.get(kind, filter.type);
  if (!entry) {
    problems.push(unknownType(`${path}.type`, what, filter.type, ctx.registry.names(kind)));
    return undefined;
  }
  const config = filter.config ?? {};
  const invalid = entry.validateConfig(config, `${path}.config`);
  if (invalid.length > 0) {
    problems.push(...invalid);
    return undefined;
  }
  return { entry, config };
}

/** Runs a plugin's factory; a ConfigError becomes a path line, any other throw names the plugin. */
function createWithPlugin<T>(pluginName: string, configPath: string, problems: string[], create: () => T): T | undefined {
  try {
    return create();
  } catch (err) {
    if (err instanceof ConfigError) problems.push(`${joinPath(configPath, err.path)}: ${err.reason}`);
    else problems.push(`${configPath}: plugin ${JSON.stringify(pluginName)} failed to build it: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

function unknownType(path: string, what: string, type: string, known: string[]): string {
  return `${path}: unknown ${what} ${JSON.stringify(type)} (registered: ${known.length > 0 ? known.join(', ') : 'none'})`;
}
