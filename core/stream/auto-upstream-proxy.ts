import { FilterStatus } from '../../plugin-sdk';
import type {
  Connection,
  FilterFactoryContext,
  FilterManager,
  IoBuffer,
  Logger,
  NetworkFilterChainFactory,
  NetworkFilterFactory,
  ProtocolFactory,
  ReadFilter,
  ReadFilterCallbacks,
} from '../../plugin-sdk';
import type { FactoryRegistry } from '../host/factory-registry';
import type { ProxyConfigInput } from '../proxy/proxy-config';
import { isAutoProtocol, sniffProtocol } from './protocol-sniffer';

/**
 * `upstream_protocol: "Auto"` as MOSN means it: each request goes upstream in the protocol its
 * downstream connection speaks. With a fixed downstream protocol that is simply that protocol. With
 * `Auto` on both sides (also the default upstream of an `Auto` downstream), every connection is
 * sniffed and then served by a proxy built for its protocol on both sides, so an HTTP/1 client is
 * proxied over HTTP/1 and a bolt client over bolt, each with its own upstream pools.
 *
 * Wraps the kernel's `proxy` filter factory; any other configuration passes through unchanged.
 */
export function withAutoUpstream(proxy: NetworkFilterFactory<ProxyConfigInput>, registry: FactoryRegistry): NetworkFilterFactory<ProxyConfigInput> {
  return {
    createFilterChainFactory(config, context) {
      const downstream = config.downstream_protocol ?? 'Http1';
      const upstream = config.upstream_protocol;
      const downstreamIsAuto = isAutoProtocol(downstream) || (downstream.toUpperCase() === 'X' && isAutoProtocol(config.extend_config?.sub_protocol));
      if (upstream !== undefined && isAutoProtocol(upstream) && !downstreamIsAuto) {
        return proxy.createFilterChainFactory({ ...config, upstream_protocol: downstream }, context);
      }
      if (!downstreamIsAuto || (upstream !== undefined && !isAutoProtocol(upstream))) return proxy.createFilterChainFactory(config, context);
      return new AutoUpstreamChainFactory(proxy, config, context, registry);
    },
  };
}

/** Per listener: one proxy chain factory per sniffed protocol (downstream = upstream = it). */
class AutoUpstreamChainFactory implements NetworkFilterChainFactory {
  private readonly byProtocol = new Map<string, NetworkFilterChainFactory>();
  readonly logger: Logger;

  constructor(
    private readonly proxy: NetworkFilterFactory<ProxyConfigInput>,
    private readonly config: ProxyConfigInput,
    private readonly context: FilterFactoryContext,
    readonly registry: FactoryRegistry,
  ) {
    this.logger = context.logger;
    // Built now so a config problem (an unknown router, ...) is reported when the listener is built.
    for (const name of registry.names('protocol')) {
      const factory = registry.get('protocol', name)!.factory as ProtocolFactory;
      if (!isAutoProtocol(name) && typeof factory.match === 'function') this.chainFor(name);
    }
  }

  createFilterChain(connection: Connection, manager: FilterManager): void {
    manager.addReadFilter(new AutoUpstreamFilter(this, connection, manager));
  }

  /** The proxy chain for connections that speak `protocol` (built on first use if loaded since). */
  chainFor(protocol: string): NetworkFilterChainFactory {
    let chain = this.byProtocol.get(protocol);
    if (!chain) {
      chain = this.proxy.createFilterChainFactory({ ...this.config, downstream_protocol: protocol, upstream_protocol: protocol, extend_config: undefined }, this.context);
      this.byProtocol.set(protocol, chain);
    }
    return chain;
  }
}

/**
 * The read filter of one `Auto`/`Auto` connection: sniffs the first bytes, then puts the proxy
 * filter built for that protocol in its own place in the chain and passes everything to it.
 */
class AutoUpstreamFilter implements ReadFilter {
  private callbacks: ReadFilterCallbacks | undefined;
  private inner: ReadFilter | undefined;

  constructor(
    private readonly owner: AutoUpstreamChainFactory,
    private readonly connection: Connection,
    private readonly manager: FilterManager,
  ) {}

  initializeReadFilterCallbacks(callbacks: ReadFilterCallbacks): void {
    this.callbacks = callbacks;
  }

  onDrain(): void {
    // Not sniffed yet: nothing to tell the peer in its protocol; the graceful timeout closes it.
    this.inner?.onDrain?.();
  }

  onData(buffer: IoBuffer, endStream: boolean): FilterStatus {
    if (this.inner) return this.inner.onData(buffer, endStream);
    if (this.connection.state === 'closed') return FilterStatus.Stop;
    const chosen = sniffProtocol(this.owner.registry, buffer, endStream, this.connection, this.owner.logger);
    if (!chosen) return FilterStatus.Stop;
    const readFilters: ReadFilter[] = [];
    this.owner.chainFor(chosen.name).createFilterChain(this.connection, {
      addReadFilter: (filter) => readFilters.push(filter),
      addWriteFilter: (filter) => this.manager.addWriteFilter(filter),
    });
    if (readFilters.length !== 1) {
      // The proxy adds exactly one read filter; anything else cannot take this filter's place.
      this.owner.logger.error({ connection: this.connection.id, protocol: chosen.name, readFilters: readFilters.length }, 'Auto: the proxy chain did not add one read filter; closing the connection');
      this.connection.close('NoFlush');
      return FilterStatus.Stop;
    }
    const inner = readFilters[0];
    this.inner = inner;
    inner.initializeReadFilterCallbacks?.(this.callbacks!);
    if (inner.onNewConnection?.() === FilterStatus.Stop) return FilterStatus.Stop;
    return inner.onData(buffer, endStream);
  }
}
