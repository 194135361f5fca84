import type { ClientConnection, ClientStreamConnection, CodecOptions, ConnectionEvent, IoBuffer, Logger, StreamReceiver, StreamSender } from 'mosn-plugin-sdk';
import { connect, type ClientHttp2Session } from 'node:http2';
import { ClientStream } from './client-stream';
import { CLIENT_MAGIC_BYTES } from './error-goaway-watch';
import { KernelStream } from './kernel-stream';
import { codeName } from './reset-codes';
import { localSettings, MAX_HEADER_LIST_PAIRS, MAX_SESSION_MEMORY_MB } from './session-settings';

const kCodec = Symbol('mosn.http2.clientCodec');
type Session = ClientHttp2Session & { [kCodec]: Http2ClientConnection };

/**
 * The client side of `Http2` on one upstream connection: many request streams share it. The
 * Node session is made when the kernel connection is up (Node writes the preface at once).
 */
export class Http2ClientConnection implements ClientStreamConnection {
  readonly logger: Logger;
  session: ClientHttp2Session | undefined = undefined;
  private readonly socket: KernelStream;
  private readonly streams = new Set<ClientStream>();
  /** GOAWAY received or sent: no new streams. */
  goneAway = false;
  closed = false;

  constructor(
    readonly connection: ClientConnection,
    private readonly options: CodecOptions,
  ) {
    this.logger = options.logger;
    this.socket = new KernelStream(connection, (code) => this.onErrorGoaway(code), CLIENT_MAGIC_BYTES);
    connection.addEventListener({ onEvent: (event: ConnectionEvent) => event === 'Connected' && this.startSession() });
  }

  get activeStreams(): number {
    return this.streams.size;
  }

  get reusable(): boolean {
    return !this.goneAway && !this.closed;
  }

  /** The upstream's SETTINGS_MAX_CONCURRENT_STREAMS (unbounded until its SETTINGS arrive). */
  get streamLimit(): number {
    return this.session?.remoteSettings.maxConcurrentStreams ?? Infinity;
  }

  dispatch(buffer: IoBuffer, endStream: boolean): void {
    this.socket.feed(buffer, endStream);
  }

  newStream(receiver: StreamReceiver): StreamSender {
    if (this.session === undefined) throw new Error('http2: newStream before the upstream connection is up');
    const s = new ClientStream(this, receiver);
    this.streams.add(s);
    return s;
  }

  onConnectionClose(): void {
    this.closed = true;
    for (const s of [...this.streams]) s.onClose();
    if (this.session !== undefined && !this.session.destroyed) this.session.destroy();
  }

  streamClosed(s: ClientStream): void {
    this.streams.delete(s);
  }

  // ---- session ----

  private startSession(): void {
    if (this.session !== undefined || this.closed) return;
    const socket = this.socket;
    const session = connect(`http://${this.connection.hostAddress}`, {
      createConnection: () => socket as never,
      settings: localSettings(this.options),
      maxHeaderListPairs: MAX_HEADER_LIST_PAIRS,
      maxSessionMemory: MAX_SESSION_MEMORY_MB,
    }) as Session;
    session[kCodec] = this;
    this.session = session;
    session.on('error', onSessionError);
    session.on('goaway', onSessionGoaway);
    session.on('close', onSessionClose);
  }

  onError(err: Error & { code?: string }): void {
    this.goneAway = true;
    this.logger.warn({ connection: this.connection.id, host: this.connection.hostAddress, code: err.code, err: err.message }, 'http2: protocol error on an upstream connection; closing it');
  }

  /** As on the server side (server-codec.ts): nghttp2 ended the session, maybe without Node knowing. */
  onErrorGoaway(code: number): void {
    if (this.session !== undefined && !this.session.destroyed) {
      this.logger.warn({ connection: this.connection.id, host: this.connection.hostAddress, goaway: codeName(code) }, 'http2: protocol error on an upstream connection; closing it');
    }
    this.goneAway = true;
    this.closed = true;
    this.connection.close('FlushWrite');
  }

  onGoaway(code: number, lastStreamId: number): void {
    this.goneAway = true;
    this.logger.debug({ connection: this.connection.id, host: this.connection.hostAddress, code: codeName(code), lastStreamId }, 'http2: upstream sent GOAWAY');
  }

  onClose(): void {
    this.goneAway = true;
    this.closed = true;
    this.connection.close('FlushWrite');
  }
}

function onSessionError(this: Session, err: Error): void {
  this[kCodec].onError(err);
}
function onSessionGoaway(this: Session, code: number, lastStreamId: number): void {
  this[kCodec].onGoaway(code, lastStreamId);
}
function onSessionClose(this: Session): void {
  this[kCodec].onClose();
}
