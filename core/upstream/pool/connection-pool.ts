import type { ClientConnection, CodecOptions, Logger, ProtocolFactory, StreamReceiver, StreamSender } from '../../../plugin-sdk';
import type { ClusterStats } from '../cluster-stats';
import type { ResourceManager } from '../resource-manager';
import type { UpstreamHost } from '../upstream-host';

/** Why a pool could not give a stream. */
export type PoolFailureReason =
  /** Connecting to the host failed or timed out (or the pool was closed). */
  | 'ConnectionFailure'
  /** A circuit breaker (max_pending_requests, max_requests) refused it. */
  | 'Overflow';

/** Told when a requested stream is ready or cannot be had. Exactly one is called, once. */
export interface PoolCallbacks {
  /**
   * The stream is ready: send the request through `sender`; the response goes to the receiver
   * given to newStream. `reused` is true when the connection carried an earlier request (a
   * keep-alive connection the server may have just closed: a reset before any response byte is
   * worth one retry on a fresh connection).
   */
  onPoolReady(sender: StreamSender, host: UpstreamHost, reused: boolean): void;
  onPoolFailure(reason: PoolFailureReason, host: UpstreamHost, detail?: string): void;
}

/** A queued newStream that has not got a connection yet. */
export interface PendingStream {
  /** Withdraws it from the queue (e.g. the downstream went away); no callback follows. */
  cancel(): void;
}

/**
 * Upstream connections to one host for one protocol.
 *
 * The sender given to onPoolReady belongs to that one stream: once the stream completed (request
 * and response both ended) or was reset, calls on it do nothing, so a late `reset()` can never hit
 * a later request on the same connection. A `reset()` asked for by the caller is not echoed back
 * to its receiver's onReset.
 */
export interface ConnectionPool {
  readonly host: UpstreamHost;
  /** Protocol name as configs spell it (`Http1`, `bolt`, ...). */
  readonly protocol: string;
  /** The protocol (plugin generation) this pool's connections speak. */
  readonly factory: ProtocolFactory;
  /**
   * Asks for a stream. Calls back synchronously when a connection is free (or a breaker refuses),
   * otherwise later; returns a handle to cancel while it waits, or undefined when it already called back.
   */
  newStream(receiver: StreamReceiver, callbacks: PoolCallbacks): PendingStream | undefined;
  /** Connections open (idle, busy and connecting). */
  readonly connectionCount: number;
  /** Streams waiting for a connection. */
  readonly pendingCount: number;
  /** Closes idle connections now and busy ones when their stream ends. New streams still work. */
  drain(): void;
  /** Closes everything at once: waiting streams fail with ConnectionFailure, later newStream calls too. */
  close(): void;
}

/** The per-cluster circuit breakers (MOSN's `circuit_breakers`), shared by the cluster's pools. */
export interface CircuitBreakerLimits {
  readonly maxConnections: number;
  readonly maxPendingRequests: number;
  readonly maxRequests: number;
  readonly maxRetries: number;
}

/** MOSN's defaults (Envoy's too). */
export const DEFAULT_CIRCUIT_BREAKERS: CircuitBreakerLimits = {
  maxConnections: 1024,
  maxPendingRequests: 1024,
  maxRequests: 1024,
  maxRetries: 3,
};

/** What every pool of a cluster shares: the cluster's settings, breakers, stats and connection factory. */
export interface PoolClusterContext {
  readonly name: string;
  readonly resources: ResourceManager;
  readonly stats: ClusterStats;
  /** Idle upstream connections close after this long; 0 keeps them. */
  readonly idleTimeoutMs: number;
  /** A connection is retired after carrying this many requests; 0 = unlimited. */
  readonly maxRequestsPerConnection: number;
  /** Multiplexed streams one connection carries at once before another opens; 0 = unlimited. */
  readonly maxConcurrentStreams: number;
  readonly codecOptions: CodecOptions;
  readonly logger: Logger;
  /** A new, not yet connected, connection to `host` (cluster metrics and connect_timeout apply). */
  createConnection(host: UpstreamHost): ClientConnection;
}
