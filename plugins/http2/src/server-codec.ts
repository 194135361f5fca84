import type { CodecOptions, Connection, IoBuffer, Logger, ServerStreamCallbacks, ServerStreamConnection } from 'mosn-plugin-sdk';
import { constants, performServerHandshake, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import { fromNodeHeaders } from './header-convert';
import { KernelStream } from './kernel-stream';
import { codeName } from './reset-codes';
import { ServerStream } from './server-stream';
import { localSettings, MAX_HEADER_LIST_PAIRS, MAX_SESSION_MEMORY_MB } from './session-settings';

const kCodec = Symbol('mosn.http2.serverCodec');
type Session = ServerHttp2Session & { [kCodec]: Http2ServerConnection };

/**
 * The server side of `Http2` on one downstream connection (h2c with prior knowledge, or h2 on
 * the decrypted bytes of a TLS connection: the codec never sees the transport). Framing, HPACK,
 * flow control and protocol errors are nghttp2's, through Node's http2 session fed from the
 * kernel connection by a {@link KernelStream}.
 */
export class Http2ServerConnection implements ServerStreamConnection {
  readonly logger: Logger;
  private readonly socket: KernelStream;
  private readonly session: ServerHttp2Session;
  private readonly streams = new Set<ServerStream>();
  /** The connection or session is gone: streams still open are ConnectionTermination. */
  closed = false;

  constructor(
    readonly connection: Connection,
    private readonly callbacks: ServerStreamCallbacks,
    options: CodecOptions,
  ) {
    this.logger = options.logger;
    this.socket = new KernelStream(connection, (code) => this.onErrorGoaway(code));
    const session = performServerHandshake(this.socket as never, {
      settings: localSettings(options),
      maxHeaderListPairs: MAX_HEADER_LIST_PAIRS,
      maxSessionMemory: MAX_SESSION_MEMORY_MB,
    }) as Session;
    session[kCodec] = this;
    this.session = session;
    session.on('stream', onSessionStream);
    session.on('error', onSessionError);
    session.on('goaway', onSessionGoaway);
    session.on('close', onSessionClose);
  }

  get activeStreams(): number {
    return this.streams.size;
  }

  dispatch(buffer: IoBuffer, endStream: boolean): void {
    this.socket.feed(buffer, endStream);
  }

  /** GOAWAY, then the connection closes once the streams in flight are done. */
  goAway(): void {
    if (this.closed || this.session.closed) return;
    this.session.close();
  }

  onConnectionClose(): void {
    this.closed = true;
    for (const s of [...this.streams]) s.onClose();
    if (!this.session.destroyed) this.session.destroy();
  }

  // ---- session events ----

  onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, raw: string[] | undefined): void {
    const s = new ServerStream(this, stream);
    this.streams.add(s);
    const map = fromNodeHeaders(raw, headers);
    s.receiver = this.callbacks.onNewStream(s);
    s.begin(map, (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0);
  }

  streamClosed(s: ServerStream): void {
    this.streams.delete(s);
  }

  onError(err: Error & { code?: string }): void {
    // nghttp2 already queued a GOAWAY naming the error where one applies; the session closes.
    this.logger.warn({ connection: this.connection.id, remote: this.connection.remoteAddress, code: err.code, err: err.message }, 'http2: protocol error on a downstream connection; closing it');
  }

  /**
   * nghttp2 wrote a GOAWAY with an error code and reads nothing more. When Node destroyed the
   * session for it, 'error' logged why and the socket closes anyway; when nghttp2 handled the
   * error alone (a bad SETTINGS length, a broken HPACK block) Node does not know, so this closes
   * the connection, after the GOAWAY (already in its write buffer) is sent.
   */
  onErrorGoaway(code: number): void {
    if (!this.session.destroyed) {
      this.logger.warn({ connection: this.connection.id, remote: this.connection.remoteAddress, goaway: codeName(code) }, 'http2: protocol error on a downstream connection; closing it');
    }
    this.closed = true;
    this.connection.close('FlushWrite');
  }

  onGoaway(code: number): void {
    if (code !== constants.NGHTTP2_NO_ERROR) this.logger.debug({ connection: this.connection.id, code: codeName(code) }, 'http2: client sent GOAWAY');
  }

  onClose(): void {
    this.closed = true;
    this.connection.close('FlushWrite');
  }
}

function onSessionStream(this: Session, stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, raw?: string[]): void {
  this[kCodec].onStream(stream, headers, flags, raw);
}
function onSessionError(this: Session, err: Error): void {
  this[kCodec].onError(err);
}
function onSessionGoaway(this: Session, code: number): void {
  this[kCodec].onGoaway(code);
}
function onSessionClose(this: Session): void {
  this[kCodec].onClose();
}
