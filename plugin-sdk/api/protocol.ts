import type { ClientConnection, Connection } from './connection';
import type { IoBuffer } from './io-buffer';
import type { Logger } from './logger';
import type { StreamReceiver, StreamSender } from './stream';

/**
 * The server side of a protocol on one downstream connection: turns bytes into request streams
 * and encodes their responses. Every decoded response-side and request-side header map follows
 * the pseudo-header convention of {@link HeaderMap}.
 */
export interface ServerStreamConnection {
  /**
   * Bytes read from the connection. Drain what is consumed; leave a partial message in the buffer.
   * `endStream` is true once the peer half-closed.
   */
  dispatch(buffer: IoBuffer, endStream: boolean): void;
  /** Streams begun and not yet finished both ways. */
  readonly activeStreams: number;
  /**
   * Graceful shutdown: tell the peer no new requests will be served (HTTP/2 GOAWAY; HTTP/1
   * `Connection: close` on the next response). Streams in flight finish.
   */
  goAway(): void;
  /** The connection closed: reset every active stream with `ConnectionTermination`. */
  onConnectionClose(): void;
}

/** What the kernel gives a server codec: where new request streams go. */
export interface ServerStreamCallbacks {
  /**
   * A request began. `responder` encodes its response; the returned receiver gets the request's
   * parts (headers first). Called before the first onHeaders of the stream.
   */
  onNewStream(responder: StreamSender): StreamReceiver;
}

/** The client side of a protocol on one upstream connection. */
export interface ClientStreamConnection {
  /** Bytes read from the upstream connection (drain what is consumed). */
  dispatch(buffer: IoBuffer, endStream: boolean): void;
  /** Starts a request stream; its response parts go to `receiver`. */
  newStream(receiver: StreamReceiver): StreamSender;
  /** Streams begun and not yet finished. */
  readonly activeStreams: number;
  /**
   * False once this connection must not carry new streams (HTTP/1: the last response said
   * `Connection: close` or was not fully framed; HTTP/2: GOAWAY received).
   */
  readonly reusable: boolean;
  /**
   * Streams the peer takes at once (HTTP/2: its SETTINGS_MAX_CONCURRENT_STREAMS); absent means no
   * limit. A multiplex pool opens another connection rather than queue streams beyond it.
   */
  readonly streamLimit?: number;
  /** The connection closed: reset every active stream with `ConnectionTermination`. */
  onConnectionClose(): void;
}

/** Limits and context a codec is built with. */
export interface CodecOptions {
  /** Largest header block accepted, in bytes (HTTP/1: request line + headers). Above it: 431. */
  readonly maxHeaderBytes: number;
  /** Largest single message (frame) accepted, in bytes, where the protocol frames messages. */
  readonly maxFrameBytes: number;
  readonly logger: Logger;
}

/** How the kernel pools upstream connections for a protocol. */
export type PoolMode = 'ping-pong' | 'multiplex';

/**
 * Registered under a `protocol` name (`Http1`, `Http2`, `bolt`, ...). One instance serves every
 * connection; per-connection state lives in the stream connections it creates.
 */
export interface ProtocolFactory {
  /**
   * `ping-pong`: one request at a time per upstream connection (HTTP/1 keep-alive);
   * `multiplex`: many concurrent streams share one upstream connection per host.
   */
  readonly poolMode: PoolMode;
  createServerConnection(connection: Connection, callbacks: ServerStreamCallbacks, options: CodecOptions): ServerStreamConnection;
  createClientConnection(connection: ClientConnection, options: CodecOptions): ClientStreamConnection;
  /**
   * For `Auto` listeners: does a connection starting with these bytes speak this protocol?
   * `need-more` asks to be called again with more bytes.
   */
  match?(firstBytes: Buffer): 'match' | 'mismatch' | 'need-more';
}
