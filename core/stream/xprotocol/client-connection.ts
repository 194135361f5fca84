import { XDecodeError } from '../../../plugin-sdk';
import type {
  ClientConnection,
  ClientStreamConnection,
  CodecOptions,
  ConnectionEvent,
  ConnectionEventListener,
  IoBuffer,
  Logger,
  StreamReceiver,
  StreamSender,
  XDecodeLimits,
  XProtocolCodec,
} from '../../../plugin-sdk';
import { XClientStream } from './client-stream';
import { IdTable } from './id-table';
import { frameLimit, hexPrefix, type XEngineSettings } from './engine-settings';
import { Keepalive, type KeepaliveTarget } from './keepalive';

/**
 * The client side of an xprotocol codec on one upstream connection, shared by every stream to the
 * host (multiplex pool). Each stream gets an id from this connection's own sequence (the client's
 * ids mean nothing here: two clients may both send id 1); responses find their stream by that id.
 * Keepalive heartbeats go out when the connection is idle. A frame that cannot be decoded closes
 * the connection, and a closed connection resets every stream still on it.
 */
export class XClientConnection<F extends object> implements ClientStreamConnection, ConnectionEventListener, KeepaliveTarget {
  readonly logger: Logger;
  readonly protocol: string;
  /** Streams awaiting their response, by the id this connection gave them. */
  private readonly streams = new IdTable<XClientStream<F>>();
  private lastId = 0;
  private readonly limits: XDecodeLimits;
  private readonly keepalive: Keepalive;
  private closed = false;
  private goAwayReceived = false;

  constructor(
    readonly codec: XProtocolCodec<F>,
    settings: XEngineSettings,
    readonly connection: ClientConnection,
    options: CodecOptions,
  ) {
    this.logger = options.logger;
    this.protocol = settings.protocol;
    this.limits = { maxFrameBytes: frameLimit(codec, options.maxFrameBytes), wantedBytes: 0 };
    this.keepalive = new Keepalive(this, settings.keepalive);
    connection.addEventListener(this);
  }

  get activeStreams(): number {
    return this.streams.size;
  }

  get reusable(): boolean {
    return !this.closed && !this.goAwayReceived;
  }

  get open(): boolean {
    return !this.closed && this.connection.state === 'open';
  }

  newStream(receiver: StreamReceiver): StreamSender {
    const stream = new XClientStream(this, receiver, this.allocateId());
    this.streams.add(stream);
    return stream;
  }

  dispatch(buffer: IoBuffer, _endStream: boolean): void {
    this.keepalive.onRead();
    const codec = this.codec;
    const limits = this.limits;
    while (!this.closed && buffer.length > 0 && buffer.length >= limits.wantedBytes) {
      limits.wantedBytes = 0;
      let result: F | XDecodeError<F> | undefined;
      try {
        result = codec.decode(buffer, limits);
      } catch (err) {
        this.fail(buffer, `codec threw: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
      if (result === undefined) break;
      if (result instanceof XDecodeError) {
        // Even a response with intact bounds but broken parts has lost its caller's trust: the
        // upstream is not speaking the protocol. Its streams are reset by the close.
        this.fail(buffer, result.reason);
        return;
      }
      this.onFrame(result);
    }
    // A half-close from the upstream is handled by the pool (it ends our side; the close resets streams).
  }

  onConnectionClose(): void {
    this.closed = true;
    this.keepalive.stop();
    if (this.streams.size === 0) return;
    const streams = this.streams.drain();
    for (const s of streams) s.onConnectionReset('ConnectionTermination');
  }

  // ---- ConnectionEventListener ----

  onEvent(event: ConnectionEvent): void {
    if (event === 'Connected') this.keepalive.start();
    else this.keepalive.stop();
  }

  // ---- KeepaliveTarget ----

  sendHeartbeat(): number {
    const id = this.allocateId();
    this.logger.debug({ connection: this.connection.id, protocol: this.protocol, requestId: id }, 'xprotocol: keepalive heartbeat');
    this.write(this.codec.encode(this.codec.heartbeatRequest(id)));
    return id;
  }

  onKeepaliveMiss(failures: number): void {
    this.logger.warn({ connection: this.connection.id, host: this.connection.hostAddress, protocol: this.protocol, failures }, 'xprotocol: keepalive heartbeat not answered');
  }

  onKeepaliveDead(failures: number): void {
    this.logger.error(
      { connection: this.connection.id, host: this.connection.hostAddress, cluster: this.connection.clusterName, protocol: this.protocol, failures },
      'xprotocol: upstream did not answer keepalive heartbeats; closing the connection',
    );
    this.close();
  }

  // ---- called by XClientStream ----

  streamDone(stream: XClientStream<F>): void {
    this.streams.remove(stream);
  }

  write(bytes: Buffer): void {
    if (!this.closed) this.connection.write(bytes);
  }

  // ---- internals ----

  /**
   * The next id in this connection's sequence, skipping 0, ids still in use after a wrap, and ids
   * whose table slot a slow stream still holds (so every stream gets a slot of its own).
   */
  private allocateId(): number {
    const max = this.codec.maxRequestId;
    let id = this.lastId;
    do {
      id = id >= max ? 1 : id + 1;
    } while (!this.streams.slotFree(id) || id === this.keepalive.pendingId);
    this.lastId = id;
    return id;
  }

  private onFrame(frame: F): void {
    const codec = this.codec;
    const kind = codec.kind(frame);
    if (kind !== 'response') {
      // The upstream may check on us too.
      if (codec.isHeartbeat(frame)) {
        if (kind === 'request') this.write(codec.encode(codec.heartbeatReply(frame)));
      } else if (codec.isGoAway?.(frame)) {
        this.goAwayReceived = true;
        this.logger.info({ connection: this.connection.id, host: this.connection.hostAddress, protocol: this.protocol }, 'xprotocol: upstream sent goaway; no new requests on this connection');
      } else {
        this.logger.warn({ connection: this.connection.id, host: this.connection.hostAddress, protocol: this.protocol }, 'xprotocol: request frame from an upstream ignored');
      }
      return;
    }
    const id = codec.getRequestId(frame);
    if (codec.isHeartbeat(frame)) {
      this.keepalive.onReply(id);
      return;
    }
    const stream = this.streams.get(id);
    if (!stream) {
      // Its caller gave up (timeout, reset) or it answered a oneway request: MOSN drops it too.
      this.logger.debug({ connection: this.connection.id, protocol: this.protocol, requestId: id }, 'xprotocol: response for no waiting stream dropped');
      return;
    }
    this.streams.remove(stream);
    stream.onResponse(frame);
  }

  private fail(buffer: IoBuffer, reason: string): void {
    this.logger.error(
      { connection: this.connection.id, host: this.connection.hostAddress, protocol: this.protocol, reason, firstBytes: hexPrefix(buffer.peek()) },
      'xprotocol: undecodable bytes from the upstream; closing the connection',
    );
    buffer.clear();
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.keepalive.stop();
    this.connection.close('NoFlush');
  }
}
