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
import { LinkedQueue } from './linked-queue';
import { PendingRequest, type PendingOwner, PoolStream, type StreamOwner } from './pool-stream';

type ClientState = 'connecting' | 'ready' | 'closing' | 'closed';

/** One shared upstream connection of a multiplex pool. */
class MultiplexClient implements ReadFilter, ConnectionEventListener, StreamOwner {
  state: ClientState = 'connecting';
  codec: ClientStreamConnection = undefined as unknown as ClientStreamConnection;
  /** Streams on it now. */
  readonly streams = new LinkedQueue<PoolStream>();
  /** Streams it has carried. */
  requests = 0;
  /** Since when it has had no stream (Date.now()); -1 while it has some. */
  idleSince = -1;
  /** Takes no new streams; closes when its last stream ends. */
  retiring = false;

  constructor(
    readonly pool: MultiplexPool,
    readonly connection: ClientConnection,
  ) {}

  onData(buffer: IoBuffer, endStream: boolean): FilterStatus {
    try {
      this.codec.dispatch(buffer, endStream);
    } catch (err) {
      this.pool.logger.warn({ err, cluster: this.pool.clusterName, host: this.pool.host.address }, 'upstream codec dispatch threw; closing connection');
      this.close('NoFlush');
      return FilterStatus.Stop;
    }
    // The peer half-closed: nothing more can come. Finish our side too; the close that follows is
    // the peer's (RemoteClose) and resets the streams still open.
    if (endStream && this.state === 'ready') {
      this.state = 'closing';
      this.pool.forget(this);
      this.connection.end();
    }
    return FilterStatus.Continue;
  }

  onEvent(event: ConnectionEvent): void {
    if (event === 'Connected') this.pool.onConnected(this);
    else if (this.state !== 'closed') this.pool.onClosed(this, event);
  }

  onStreamDone(stream: PoolStream): void {
    if (stream.queue !== this.streams) return;
    this.streams.remove(stream);
    this.pool.onStreamDone(this);
  }

  close(type: 'FlushWrite' | 'NoFlush'): void {
    if (this.state === 'closed' || this.state === 'closing') return;
    if (this.state !== 'connecting') this.state = 'closing';
    this.pool.forget(this);
    this.connection.close(type);
  }
}

/**
 * Pool for multiplexed protocols (HTTP/2, bolt, dubbo...): every stream to the host shares one
 * connection. Streams wait (up to `max_pending_requests`) while it connects; a failed connect fails
 * them all with ConnectionFailure. When the connection closes, or stops being `reusable` (GOAWAY),
 * or reached `max_request_per_conn`, the next stream opens a new one; the old one closes when its
 * last stream ends. A connection carrying `max_concurrent_streams` (or the peer's own limit) takes
 * no more until one ends: the next stream goes to another connection with room, or a new one. A
 * connection closes after the idle timeout without streams.
 */
export class MultiplexPool implements ConnectionPool, PendingOwner {
  readonly clusterName: string;
  readonly logger: PoolClusterContext['logger'];
  private readonly resources: PoolClusterContext['resources'];
  /** The connection new streams go to (connecting or ready). */
  private current: MultiplexClient | undefined;
  /** Every open connection: the current one and retiring ones. */
  private readonly clients = new Set<MultiplexClient>();
  /** Streams waiting for the current connection to connect. */
  private readonly waiting = new LinkedQueue<PendingRequest>();
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly onIdleTimer = (): void => this.checkIdle();
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
    return this.waiting.size;
  }

  /** Streams active on this pool's connections. */
  get activeStreams(): number {
    let n = 0;
    for (const c of this.clients) n += c.streams.size;
    return n;
  }

  newStream(receiver: StreamReceiver, callbacks: PoolCallbacks): PendingStream | undefined {
    if (this.closed) {
      callbacks.onPoolFailure('ConnectionFailure', this.host, 'connection pool closed');
      return undefined;
    }
    const resources = this.resources;
    if (!resources.requests.canCreate()) return this.overflow(callbacks, 'max_requests');
    let client = this.current;
    if (client && client.state !== 'connecting') {
      if (client.state === 'ready' && client.codec.reusable && !client.retiring) {
        const withRoom = this.hasRoom(client) ? client : this.clientWithRoom();
        if (withRoom) {
          this.current = withRoom;
          this.attach(withRoom, receiver, callbacks);
          return undefined;
        }
        // Every connection is full: a new one becomes current; the full ones keep serving.
      } else {
        this.retire(client);
      }
      this.current = client = undefined;
    }
    if (!resources.pendingRequests.canCreate()) return this.overflow(callbacks, 'max_pending_requests');
    let created: MultiplexClient | undefined;
    if (!client) {
      client = created = this.createClient();
      if (!created) {
        callbacks.onPoolFailure('ConnectionFailure', this.host, 'could not create the upstream codec');
        return undefined;
      }
      this.current = created;
    }
    const pending = new PendingRequest(this, receiver, callbacks);
    resources.pendingRequests.inc();
    this.waiting.push(pending);
    if (created) created.connection.connect();
    return pending;
  }

  cancelPending(pending: PendingRequest): void {
    if (pending.done) return;
    this.settle(pending);
  }

  drain(): void {
    for (const client of [...this.clients]) this.retire(client);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.failWaiting('connection pool closed');
    this.current = undefined;
    for (const client of [...this.clients]) client.close('NoFlush');
  }

  // ---- called by MultiplexClient ----

  onConnected(client: MultiplexClient): void {
    if (client.state !== 'connecting') return;
    client.state = 'ready';
    this.serveWaiting(client);
    this.checkUnused(client);
  }

  onStreamDone(client: MultiplexClient): void {
    this.resources.requests.dec();
    // A stream slot freed on a full connection: a waiting stream need not wait for a new one.
    const waiting = this.waiting.head;
    if (waiting && this.hasRoom(client)) {
      this.settle(waiting);
      this.attach(client, waiting.receiver, waiting.callbacks);
    }
    this.checkUnused(client);
  }

  /** Ready, taking new streams, and below its concurrent stream limit. */
  private hasRoom(client: MultiplexClient): boolean {
    if (client.state !== 'ready' || client.retiring || !client.codec.reusable) return false;
    const configured = this.ctx.maxConcurrentStreams;
    const peer = client.codec.streamLimit ?? Infinity;
    return client.streams.size < Math.min(configured > 0 ? configured : Infinity, peer);
  }

  private clientWithRoom(): MultiplexClient | undefined {
    for (const c of this.clients) if (this.hasRoom(c)) return c;
    return undefined;
  }

  /** When `client` has no stream left: close it if it is retiring, else start its idle time. */
  private checkUnused(client: MultiplexClient): void {
    if (client.state !== 'ready' || client.streams.size > 0) return;
    if (client.retiring || this.closed || !client.codec.reusable) {
      client.close('FlushWrite');
      return;
    }
    client.idleSince = Date.now();
    if (this.ctx.idleTimeoutMs > 0 && !this.idleTimer) this.armIdleTimer(this.ctx.idleTimeoutMs);
  }

  onClosed(client: MultiplexClient, event: ConnectionEvent): void {
    const wasConnecting = client.state === 'connecting';
    client.state = 'closed';
    if (this.clients.delete(client)) {
      this.resources.connections.dec();
      this.host.activeConnections--;
    }
    const wasCurrent = this.current === client;
    if (wasCurrent) this.current = undefined;
    if (!wasConnecting && client.streams.size > 0) {
      if (event === 'LocalClose') this.ctx.stats.connectionLocalCloseWithActiveRequest.inc();
      else if (event === 'RemoteClose') this.ctx.stats.connectionRemoteCloseWithActiveRequest.inc();
    }
    try {
      client.codec.onConnectionClose();
    } catch (err) {
      this.logger.warn({ err, cluster: this.clusterName, host: this.host.address }, 'upstream codec onConnectionClose threw');
    }
    // The codec resets its streams; make sure ours end even if it did not.
    for (let s = client.streams.head; s; s = client.streams.head) s.onReset('ConnectionTermination');
    if (wasCurrent && wasConnecting) this.failWaiting(event);
    else this.connectForWaiting();
  }

  /** `client` is closing: new streams go elsewhere. */
  forget(client: MultiplexClient): void {
    if (this.current === client && client.state !== 'connecting') this.current = undefined;
  }

  // ---- internals ----

  /**
   * Starts a stream on `client` and calls onPoolReady. False when it could not (max_requests
   * reached: Overflow; the codec threw: ConnectionFailure and the connection closes).
   */
  private attach(client: MultiplexClient, receiver: StreamReceiver, callbacks: PoolCallbacks): boolean {
    if (!this.resources.requests.canCreate()) {
      this.overflow(callbacks, 'max_requests');
      return false;
    }
    const reused = client.requests > 0;
    client.requests++;
    const stream = new PoolStream(client, receiver);
    try {
      stream.inner = client.codec.newStream(stream);
    } catch (err) {
      this.logger.warn({ err, cluster: this.clusterName, host: this.host.address }, 'upstream codec newStream threw; closing connection');
      client.close('NoFlush');
      callbacks.onPoolFailure('ConnectionFailure', this.host, 'codec could not start a stream');
      return false;
    }
    client.streams.push(stream);
    client.idleSince = -1;
    this.resources.requests.inc();
    const max = this.ctx.maxRequestsPerConnection;
    if (max > 0 && client.requests >= max) this.retire(client);
    callbacks.onPoolReady(stream, this.host, reused);
    return true;
  }

  /** Gives every waiting stream to the freshly connected connection. */
  private serveWaiting(client: MultiplexClient): void {
    for (let p = this.waiting.head; p; p = this.waiting.head) {
      if (!this.hasRoom(client)) {
        // It cannot take more (full, max_request_per_conn reached, GOAWAY): the rest go to a new connection.
        if (this.current === client) this.current = undefined;
        this.connectForWaiting();
        return;
      }
      this.settle(p);
      this.attach(client, p.receiver, p.callbacks);
    }
  }

  private connectForWaiting(): void {
    if (this.closed || this.current || !this.waiting.head) return;
    const client = this.createClient();
    if (!client) {
      this.failWaiting('could not create the upstream codec');
      return;
    }
    this.current = client;
    client.connection.connect();
  }

  /** No new streams on `client`; it closes once idle. */
  private retire(client: MultiplexClient): void {
    client.retiring = true;
    if (this.current === client && client.state !== 'connecting') this.current = undefined;
    if (client.state === 'ready' && client.streams.size === 0) client.close('FlushWrite');
  }

  private checkIdle(): void {
    this.idleTimer = undefined;
    const timeout = this.ctx.idleTimeoutMs;
    const now = Date.now();
    let nextDue = Infinity;
    for (const client of [...this.clients]) {
      if (client.state !== 'ready' || client.idleSince < 0) continue;
      const due = client.idleSince + timeout;
      if (due <= now) {
        if (this.current === client) this.current = undefined;
        client.close('FlushWrite');
      } else if (due < nextDue) {
        nextDue = due;
      }
    }
    if (nextDue !== Infinity && !this.closed) this.armIdleTimer(nextDue - now);
  }

  private armIdleTimer(ms: number): void {
    this.idleTimer = setTimeout(this.onIdleTimer, Math.max(1, ms));
    this.idleTimer.unref();
  }

  private createClient(): MultiplexClient | undefined {
    const connection = this.ctx.createConnection(this.host);
    const client = new MultiplexClient(this, connection);
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

  private settle(pending: PendingRequest): void {
    pending.done = true;
    this.resources.pendingRequests.dec();
    this.waiting.remove(pending);
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
}
