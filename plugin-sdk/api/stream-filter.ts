import type { Connection } from './connection';
import type { HeaderMap } from './header-map';
import type { Logger } from './logger';

/**
 * What a stream filter tells the proxy.
 * - `Continue`: go on to the next filter (then the next phase).
 * - `Stop`: pause this stream's processing here; the filter resumes it later with its handler's
 *   `continueReceiving()` / `continueSending()` (e.g. after an asynchronous check).
 * - `Terminate`: the filter has finished the stream (normally after `sendLocalReply`); nothing
 *   else runs for it. Without a local reply the proxy answers 500 (HTTP) or the protocol's error.
 */
export enum StreamFilterStatus {
  Continue = 'Continue',
  Stop = 'Stop',
  Terminate = 'Terminate',
}

/**
 * When a receiver filter runs (MOSN's phases): before the route is matched, after it is matched,
 * or after the upstream host is chosen. A filter may change the headers the router sees only in
 * `BeforeRoute`.
 */
export type ReceiverFilterPhase = 'BeforeRoute' | 'AfterRoute' | 'AfterChooseHost';

/** Facts about the request so far, for filters and the access log. */
export interface RequestInfo {
  /** Wall-clock start, ms since the epoch. */
  readonly startTime: number;
  /** Downstream protocol name (`Http1`, `bolt`, ...). */
  readonly protocol: string;
  readonly downstreamLocalAddress: string;
  readonly downstreamRemoteAddress: string;
  /** Name of the matched route's virtual host and route, when matched. */
  readonly routeName: string | undefined;
  /** Cluster chosen by the route. */
  readonly clusterName: string | undefined;
  /** `ip:port` of the upstream host, once chosen. */
  readonly upstreamHost: string | undefined;
  /** Response status (HTTP-like code), once known. */
  readonly responseCode: number | undefined;
}

/** Given to every stream filter. */
export interface StreamFilterHandler {
  readonly requestInfo: RequestInfo;
  /** The downstream connection. */
  readonly connection: Connection;
  /** This route's `per_filter_config` entry for the filter's name, if any. */
  readonly perFilterConfig: unknown;
  /**
   * Answers the request locally (the upstream is not contacted, or is abandoned) with a status
   * and optional body and headers. For RPC protocols the codec maps the status to its own error
   * reply. Return `Terminate` (or `Stop`) from the current callback after calling it.
   */
  sendLocalReply(status: number, body?: string | Buffer, headers?: Readonly<Record<string, string>>): void;
}

export interface StreamReceiverFilterHandler extends StreamFilterHandler {
  /** Resumes the request after this filter returned `Stop`. */
  continueReceiving(): void;
}

export interface StreamSenderFilterHandler extends StreamFilterHandler {
  /** Resumes the response after this filter returned `Stop`. */
  continueSending(): void;
}

/** Sees (and may change) request headers on the way in. */
export interface StreamReceiverFilter {
  setReceiveFilterHandler?(handler: StreamReceiverFilterHandler): void;
  /** `endStream` is true when the request has no body. */
  onReceive(headers: HeaderMap, endStream: boolean): StreamFilterStatus;
  /** The stream is finished (completed, reset or replied); release per-stream resources. */
  onDestroy?(): void;
}

/** Sees (and may change) response headers on the way out. */
export interface StreamSenderFilter {
  setSenderFilterHandler?(handler: StreamSenderFilterHandler): void;
  onSend(headers: HeaderMap, endStream: boolean): StreamFilterStatus;
  onDestroy?(): void;
}

/** Adds a stream's filter instances; called once per stream. */
export interface StreamFilterChainCallbacks {
  /** Adds a receiver filter for `phase` (default `AfterRoute`, as most MOSN filters use). */
  addReceiverFilter(filter: StreamReceiverFilter, phase?: ReceiverFilterPhase): void;
  addSenderFilter(filter: StreamSenderFilter): void;
}

/** Built once per listener from one `stream_filters[]` entry; creates filters per stream. */
export interface StreamFilterChainFactory {
  createFilterChain(callbacks: StreamFilterChainCallbacks): void;
}

export interface StreamFilterFactoryContext {
  readonly listenerName: string;
  readonly logger: Logger;
}

/**
 * Registered under a `stream_filter` name. `config` is validated by the manifest's schema first;
 * throw a ConfigError for what the schema cannot check.
 */
export interface StreamFilterFactory<Config = unknown> {
  createFilterChainFactory(config: Config, context: StreamFilterFactoryContext): StreamFilterChainFactory;
}
