import { FilterStatus } from '../../../plugin-sdk';
import type {
  ClientConnection,
  ClientStreamConnection,
  ConnectionEvent,
  ConnectionEventListener,
  IoBuffer,
  ProtocolFactory,
  ReadFilter,
  StreamReceiver,
  StreamResetReason,
} from '../../../plugin-sdk';
import type { UpstreamHost } from '../upstream-host';
import type { ConnectionPool, PendingStream, PoolCallbacks, PoolClusterContext } from './connection-pool';
import { type Linked, LinkedQueue } from './linked-queue';
import { PendingRequest, type PendingOwner, PoolStream, type StreamOwner } from './pool-stream';

type ClientState = 'connecting' | 'idle' | 'busy' | 'closing' | 'closed';

/**
 * One upstream connection of a ping-pong pool: its codec, its one stream at a time, and the read
 * filter and event listener the pool installs on it.
 */
class PingPongClient implements ReadFilter, ConnectionEventListener, StreamOwner, Linked<PingPongClient> {
  state: ClientState = 'connecting';
  codec: ClientStreamConnection = undefined as unknown as ClientStreamConnection;
  /** The stream on it now (busy), if any. */
  stream: PoolStream | undefined;
  /** The waiting stream this (connecting) connection was opened for. */
  bound: PendingRequest | undefined;
  /** Requests it has carried. */
  requests = 0;
  /** When it went idle (Date.now()). */
  idleSince = 0;
  /** Close instead of reusing once the current stream ends. */
  draining = false;
  /** The peer half-closed: no more responses can come. */
  remoteEnded = false;
  private dispatching = false;
  private releaseAfterDispatch = false;
  // idle list / connecting-bound list links
  prev: PingPongClient | undefined;
  next: PingPongClient | undefined;
  queue: object | undefined;

  constructor(
    readonly pool: PingPongPool,
    readonly connection: ClientConnection,
  ) {}

  // ReadFilter: upstream bytes → codec.
  onData(buffer: IoBuffer, endStream: boolean): FilterStatus {
    this.dispatching = true;
    try {
      this.codec.dispatch(buffer, endStream);
    } catch (err) {
      this.dispatching = false;
      this.releaseAfterDispatch = false;
      this.pool.logger.warn({ err, cluster: this.pool.clusterName, host: this.pool.host.address }, 'upstream codec dispatch threw; closing connection');
      this.close('NoFlush');
      return FilterStatus.Stop;
    }
    this.dispatching = false;
    if (endStream) this.remoteEnded = true;
    if (this.releaseAfterDispatch) {
      this.releaseAfterDispatch = false;
      this.pool.release(this);
    }
    // The upstream half-closed: it can answer nothing more. Finish our side too; the close that
    // follows is the peer's (RemoteClose) and resets a stream the codec could not finish.
    if (endStream && this.state !== 'closed' && this.state !== 'closing' && this.state !== 'connecting') {
      this.pool.unlinkIdle(this);
      this.state = 'closing';
      this.connection.end();
    }
    return FilterStatus.Continue;
  }

  onEvent(event: ConnectionEvent): void {
    if (event === 'Connected') this.pool.onConnected(this);
    else if (this.state !== 'closed') this.pool.onClosed(this, event);
  }

  // StreamOwner
  onStreamDone(stream: PoolStream, reset: StreamResetReason | undefined): void {
    if (this.stream !== stream) return;
    this.stream = undefined;
    this.pool.resources.requests.dec();
    if (reset !== undefined) {
      // Mid-exchange: what is left on the wire is unknown, so the connection cannot be reused.
      this.close('NoFlush');
      return;
    }
    // Completion inside dispatch: hand the connection on only after the codec returned.
    if (this.dispatching) this.releaseAfterDispatch = true;
    else this.pool.release(this);
  }

  connect(): void {
    this.connection.connect();
  }

  /** Closes the connection; the pool forgets it when the close event comes. */
  close(type: 'FlushWrite' | 'NoFlush'): void {
    if (this.state === 'closed' || this.state === 'closing') return;
    if (this.state !== 'connecting') {
      this.pool.unlinkIdle(this);
      this.state = 'closing';
    }
    // A connecting connection reports LocalClose synchronously and is handled as a failed connect.
    this.connection.close(type);
  }
}

/**
 * Pool for protocols that carry one request at a time per connection (HTTP/1 keep-alive).
 *
 * - Idle connections are reused last-in first-out, so surplus connections age out.
 * - Without an idle one, a new connection opens while the cluster's `max_connections` allows
 *   (a pool with no connection at all may always open one, as Envoy does), and the stream waits
 *   for it ("bound" to it); otherwise the stream waits for any connection of this pool to free,
 *   while `max_pending_requests` allows, else Overflow.
 * - A freed connection serves the oldest unbound waiting stream first, else takes over a stream
 *   still waiting for a connecting connection.
 * - A failed connect fails the stream bound to it with ConnectionFailure; unbound streams keep
 *   waiting for the pool's other connections, or fail too when the pool has none left.
 * - After a stream completes, the connection goes back idle only if the codec says `reusable`,
 *   the peer did not half-close, and `max_request_per_conn` is not reached; otherwise it closes.
 *   A stream reset mid-exchange closes its connection.
 * - Idle connections close after the cluster's idle timeout (one timer per pool, O(1) per request).
 */
export class PingPongPool implements ConnectionPool, PendingOwner {
  readonly clusterName: string;
  readonly logger: PoolClusterContext['logger'];
  readonly resources: PoolClusterContext['resources'];
  private readonly clients = new Set<PingPongClient>();
  /** Connected and free; the tail is the most recently used. */
  private readonly idle = new LinkedQueue<PingPongClient>();
  /** Connecting connections with a bound waiting stream, oldest first. */
  private readonly connectingBound = new LinkedQueue<PingPongClient>();
  /** Waiting streams not bound to a connection, oldest first. */
  private readonly waiting = new LinkedQueue<PendingRequest>();
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly onIdleTimer = (): void => this.sweepIdle();
  private closed = false;

  constructor(
    readonly host: UpstreamHost,
    readonly protocol: string,
    readonly factory: ProtocolFactory,
    private readonly ctx: PoolClusterContext,
  ) {
    this.clusterName = ctx.name;
    this.logger = ctx.logger;
    this.resources = ctx.resources;
  }

  get connectionCount(): number {
    return this.clients.size;
  }

  get pendingCount(): number {
    return this.waiting.size + this.connectingBound.size;
  }

  /** Connections idle right now. */
  get idleCount(): number {
    return this.idle.size;
  }

  newStream(receiver: StreamReceiver, callbacks: PoolCallbacks): PendingStream | undefined {
    if (this.closed) {
      callbacks.onPoolFailure('ConnectionFailure', this.host, 'connection pool closed');
      return undefined;
    }
    const resources = this.resources;
    if (!resources.requests.canCreate()) return this.overflow(callbacks, 'max_requests');
    const client = this.idle.pop();
    if (client) {
      if (!this.attach(client, receiver, callbacks) && (client.state === 'idle' || client.state === 'busy') && !client.stream) this.serveNextOrIdle(client);
      return undefined;
    }
    if (!resources.pendingRequests.canCreate()) return this.overflow(callbacks, 'max_pending_requests');
    const pending = new PendingRequest(this, receiver, callbacks);
    resources.pendingRequests.inc();
    if (this.canCreateConnection()) {
      const created = this.createClient();
      if (!created) {
        this.settle(pending);
        callbacks.onPoolFailure('ConnectionFailure', this.host, 'could not create the upstream codec');
        return undefined;
      }
      this.bind(pending, created);
      created.connect();
    } else {
      this.waiting.push(pending);
    }
    return pending;
  }

  cancelPending(pending: PendingRequest): void {
    if (pending.done) return;
    const client = pending.boundTo as PingPongClient | undefined;
    this.settle(pending);
    if (client) {
      // Its connection is still coming: let the oldest unbound waiting stream have it.
      const next = this.waiting.shift();
      if (next) this.bind(next, client);
    }
  }

  drain(): void {
    for (const client of this.clients) client.draining = true;
    for (let c = this.idle.pop(); c; c = this.idle.pop()) c.close('FlushWrite');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    for (let c = this.connectingBound.shift(); c; c = this.connectingBound.shift()) {
      const p = c.bound!;
      this.settle(p);
      p.callbacks.onPoolFailure('ConnectionFailure', this.host, 'connection pool closed');
    }
    this.failWaiting('connection pool closed');
    for (const client of [...this.clients]) client.close('NoFlush');
  }

  // ---- called by PingPongClient ----

  onConnected(client: PingPongClient): void {
    if (client.state !== 'connecting') return;
    this.connectingBound.remove(client);
    client.state = 'busy';
    const bound = client.bound;
    if (bound) {
      this.settle(bound);
      if (this.attach(client, bound.receiver, bound.callbacks) || client.state !== 'busy' || client.stream) return;
    }
    this.serveNextOrIdle(client);
  }

  /** The connection's stream completed cleanly: reuse it or retire it. */
  release(client: PingPongClient): void {
    if (client.state !== 'busy' || client.stream) return;
    const max = this.ctx.maxRequestsPerConnection;
    if (
      this.closed ||
      client.draining ||
      client.remoteEnded ||
      client.connection.state !== 'open' ||
      !client.codec.reusable ||
      client.codec.activeStreams > 0 ||
      (max > 0 && client.requests >= max)
    ) {
      client.close('FlushWrite');
      return;
    }
    this.serveNextOrIdle(client);
  }

  onClosed(client: PingPongClient, event: ConnectionEvent): void {
    const wasConnecting = client.state === 'connecting';
    client.state = 'closed';
    this.idle.remove(client);
    this.connectingBound.remove(client);
    if (this.clients.delete(client)) {
      this.resources.connections.dec();
      this.host.activeConnections--;
    }
    if (wasConnecting) {
      const bound = client.bound;
      if (bound) {
        this.settle(bound);
        bound.callbacks.onPoolFailure('ConnectionFailure', this.host, event);
      }
      this.notifyCodecClosed(client);
      // Nothing left to serve the unbound waiting streams: they were waiting for this one too.
      if (this.clients.size === 0) this.failWaiting(event);
      else this.connectWaiting();
      return;
    }
    const stream = client.stream;
    if (stream) {
      if (event === 'LocalClose') this.ctx.stats.connectionLocalCloseWithActiveRequest.inc();
      else if (event === 'RemoteClose') this.ctx.stats.connectionRemoteCloseWithActiveRequest.inc();
    }
    this.notifyCodecClosed(client);
    // The codec resets its streams; make sure ours ends even if it did not.
    if (stream && stream.active) stream.onReset('ConnectionTermination');
    this.connectWaiting();
  }

  unlinkIdle(client: PingPongClient): void {
    this.idle.remove(client);
  }

  // ---- internals ----

  /**
   * Starts a stream on `client` and calls onPoolReady. False when it could not (max_requests
   * reached: Overflow; the codec threw: ConnectionFailure and the connection closes).
   */
  private attach(client: PingPongClient, receiver: StreamReceiver, callbacks: PoolCallbacks): boolean {
    if (!this.resources.requests.canCreate()) {
      this.overflow(callbacks, 'max_requests');
      return false;
    }
    client.state = 'busy';
    const reused = client.requests > 0;
    client.requests++;
    const stream = new PoolStream(client, receiver);
    let inner;
    try {
      inner = client.codec.newStream(stream);
    } catch (err) {
      this.logger.warn({ err, cluster: this.clusterName, host: this.host.address }, 'upstream codec newStream threw; closing connection');
      client.close('NoFlush');
      callbacks.onPoolFailure('ConnectionFailure', this.host, 'codec could not start a stream');
      return false;
    }
    stream.inner = inner;
    client.stream = stream;
    this.resources.requests.inc();
    callbacks.onPoolReady(stream, this.host, reused);
    return true;
  }

  /** The oldest unbound waiting stream, else one still waiting for a connecting connection. */
  private nextWaiting(): PendingRequest | undefined {
    const next = this.waiting.head;
    if (next) return next;
    // Take over a stream still waiting for its connection to connect; that connection will go
    // idle or serve whoever comes next.
    return this.connectingBound.head?.bound;
  }

  /** Gives a free connection to the oldest waiting stream, or parks it idle. */
  private serveNextOrIdle(client: PingPongClient): void {
    for (let next = this.nextWaiting(); next; next = this.nextWaiting()) {
      this.settle(next);
      if (this.attach(client, next.receiver, next.callbacks)) return;
      if (client.state !== 'busy' || client.stream) return;
    }
    if (client.draining || this.closed) {
      client.close('FlushWrite');
      return;
    }
    client.state = 'idle';
    client.idleSince = Date.now();
    this.idle.push(client);
    if (this.ctx.idleTimeoutMs > 0 && !this.idleTimer) this.armIdleTimer(this.ctx.idleTimeoutMs);
  }

  /** Closes connections idle for the idle timeout; the idle list's head is the longest idle. */
  private sweepIdle(): void {
    this.idleTimer = undefined;
    const timeout = this.ctx.idleTimeoutMs;
    const now = Date.now();
    for (let c = this.idle.head; c && now - c.idleSince >= timeout; c = this.idle.head) c.close('FlushWrite');
    const head = this.idle.head;
    if (head && !this.closed) this.armIdleTimer(head.idleSince + timeout - now);
  }

  private armIdleTimer(ms: number): void {
    this.idleTimer = setTimeout(this.onIdleTimer, Math.max(1, ms));
    this.idleTimer.unref();
  }

  private canCreateConnection(): boolean {
    return this.resources.connections.canCreate() || this.clients.size === 0;
  }

  private createClient(): PingPongClient | undefined {
    const connection = this.ctx.createConnection(this.host);
    const client = new PingPongClient(this, connection);
    try {
      client.codec = this.factory.createClientConnection(connection, this.ctx.codecOptions);
    } catch (err) {
      this.logger.warn({ err, cluster: this.clusterName, protocol: this.protocol }, 'protocol createClientConnection threw');
      connection.close('NoFlush');
      return undefined;
    }
    connection.addReadFilter(client);
    connection.addEventListener(client);
    this.clients.add(client);
    this.resources.connections.inc();
    // Counted from connect on (as Envoy's cx_active): LB_LEAST_CONNECTION reads it.
    this.host.activeConnections++;
    return client;
  }

  private bind(pending: PendingRequest, client: PingPongClient): void {
    pending.boundTo = client;
    client.bound = pending;
    this.connectingBound.push(client);
  }

  /** Takes a waiting stream out of every queue and the pending count; it is done. */
  private settle(pending: PendingRequest): void {
    pending.done = true;
    this.resources.pendingRequests.dec();
    const client = pending.boundTo as PingPongClient | undefined;
    if (client) {
      client.bound = undefined;
      pending.boundTo = undefined;
      this.connectingBound.remove(client);
    } else {
      this.waiting.remove(pending);
    }
  }

  /** Opens connections for unbound waiting streams while the breakers allow. */
  private connectWaiting(): void {
    while (!this.closed && this.waiting.head && this.canCreateConnection()) {
      const client = this.createClient();
      if (!client) return;
      this.bind(this.waiting.shift()!, client);
      client.connect();
    }
  }

  private failWaiting(detail: string): void {
    for (let p = this.waiting.head; p; p = this.waiting.head) {
      this.settle(p);
      p.callbacks.onPoolFailure('ConnectionFailure', this.host, detail);
    }
  }

  private overflow(callbacks: PoolCallbacks, which: string): undefined {
    this.ctx.stats.requestPendingOverflow.inc();
    callbacks.onPoolFailure('Overflow', this.host, which);
    return undefined;
  }

  private notifyCodecClosed(client: PingPongClient): void {
    try {
      client.codec.onConnectionClose();
    } catch (err) {
      this.logger.warn({ err, cluster: this.clusterName, host: this.host.address }, 'upstream codec onConnectionClose threw');
    }
  }
}
