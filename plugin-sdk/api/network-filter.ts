import type { Connection } from './connection';
import type { FilterStatus } from './filter-status';
import type { IoBuffer } from './io-buffer';
import type { Logger } from './logger';
import type { ClusterManager } from './upstream';

/** Given to a read filter so it can reach its connection and resume a stopped chain. */
export interface ReadFilterCallbacks {
  /** The connection this chain belongs to. */
  readonly connection: Connection;
  /**
   * Runs the rest of the chain, from the filter after this one, over the buffered data (after this
   * filter returned `Stop`). Safe from any later event-loop turn; does nothing once closed.
   */
  continueReading(): void;
}

/**
 * Sees the bytes a connection reads. Return `Continue` to pass the buffer on, `Stop` to end this
 * pass of the chain (see {@link FilterStatus}); bytes left undrained wait in the buffer for the
 * next pass or for {@link ReadFilterCallbacks.continueReading}. A filter consumes bytes by draining
 * them from the buffer. A filter that must hold data (e.g. pending an authorization) returns
 * `Stop` from every `onData` until it is ready, then calls `continueReading()`.
 */
export interface ReadFilter {
  /** Called once, before any other callback. */
  initializeReadFilterCallbacks?(callbacks: ReadFilterCallbacks): void;
  /** Called when the connection is established; `Stop` holds the chain like `onData`'s `Stop`. */
  onNewConnection?(): FilterStatus;
  /**
   * New bytes were read. `buffer` holds them plus whatever earlier calls left undrained.
   * `endStream` is true once the peer half-closed (sent FIN); it may come with an empty buffer.
   */
  onData(buffer: IoBuffer, endStream: boolean): FilterStatus;
  /**
   * The listener is draining (graceful stop): finish what is in flight and ask the peer to go
   * elsewhere — an HTTP/2 GOAWAY, `Connection: close` on the next HTTP/1 response. The kernel
   * closes the connection itself when the graceful timeout passes.
   */
  onDrain?(): void;
}

/** Given to a write filter so it can resume a stopped write chain. */
export interface WriteFilterCallbacks {
  readonly connection: Connection;
  /** Runs the rest of the write chain from the filter after this one, then writes to the socket. */
  continueWriting(): void;
}

/** Sees the bytes written to a connection before they reach the socket. */
export interface WriteFilter {
  initializeWriteFilterCallbacks?(callbacks: WriteFilterCallbacks): void;
  /** Data is being written; the filter may modify `buffer`. `Stop` holds it. */
  onWrite(buffer: IoBuffer, endStream: boolean): FilterStatus;
}

/** Collects the filters of one connection. Read filters run in the order they are added. */
export interface FilterManager {
  addReadFilter(filter: ReadFilter): void;
  addWriteFilter(filter: WriteFilter): void;
}

/**
 * Built once per listener from one configured filter; called for every new connection to add its
 * filter instances. Keep per-connection work small: parse and validate config in the factory.
 */
export interface NetworkFilterChainFactory {
  createFilterChain(connection: Connection, manager: FilterManager): void;
}

/** What the kernel offers a filter factory while a listener is being built. */
export interface FilterFactoryContext {
  /** Name of the listener this filter belongs to. */
  readonly listenerName: string;
  /** Upstream clusters: choose hosts, open connections. */
  readonly clusterManager: ClusterManager;
  /** Logger for this filter. */
  readonly logger: Logger;
}

/**
 * Registered under a `network_filter` name. `config` has already been validated against the
 * JSON Schema declared for this name in the plugin's manifest. Throw a `ConfigError` for anything
 * the schema cannot express (e.g. an unknown cluster name).
 */
export interface NetworkFilterFactory<Config = unknown> {
  createFilterChainFactory(config: Config, context: FilterFactoryContext): NetworkFilterChainFactory;
}
