import { XDecodeError } from '../../../plugin-sdk';
import type {
  CodecOptions,
  Connection,
  IoBuffer,
  Logger,
  ServerStreamCallbacks,
  ServerStreamConnection,
  XDecodeLimits,
  XProtocolCodec,
} from '../../../plugin-sdk';
import { CODEC_EXCEPTION_STATUS } from '../../../plugin-sdk';
import { frameLimit, GLOBAL_TIMEOUT_HEADER, hexPrefix, type XEngineSettings } from './engine-settings';
import { FrameHeaderMap } from './frame-header-map';
import { IdTable } from './id-table';
import { XServerStream } from './server-stream';

/**
 * The server side of an xprotocol codec on one downstream connection: decodes frames, answers
 * heartbeats itself, turns each request into a stream for the proxy (headers, then the body as
 * one data part) and writes each stream's response with the request's own id.
 *
 * Ids are the client's: responses go back with the id their request had. A request that reuses
 * the id of one still in flight makes the responses ambiguous, so the connection is closed (with
 * a log line); bytes that are no frame close the connection too. Either costs that connection only.
 */
export class XServerConnection<F extends object> implements ServerStreamConnection {
  readonly logger: Logger;
  /** Request streams awaiting their response, by the client's request id. */
  private readonly inFlight = new IdTable<XServerStream<F>>();
  /** Oneway streams still with the proxy (no id: they get no response). */
  private readonly oneways = new Set<XServerStream<F>>();
  private readonly limits: XDecodeLimits;
  private closed = false;
  /** The client half-closed: close once the streams in flight have answered. */
  private closeWhenIdle = false;
  /** A client sends the same timeout on every request: its header value is made once. */
  private lastTimeout = 0;
  private lastTimeoutText = '';

  constructor(
    readonly codec: XProtocolCodec<F>,
    private readonly settings: XEngineSettings,
    readonly connection: Connection,
    private readonly callbacks: ServerStreamCallbacks,
    options: CodecOptions,
  ) {
    this.logger = options.logger;
    this.limits = { maxFrameBytes: frameLimit(codec, options.maxFrameBytes), wantedBytes: 0 };
  }

  get activeStreams(): number {
    return this.inFlight.size + this.oneways.size;
  }

  dispatch(buffer: IoBuffer, endStream: boolean): void {
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
      if (result instanceof XDecodeError) this.onDecodeError(buffer, result);
      else this.onFrame(result);
    }
    if (endStream && !this.closed) this.onPeerFinished(buffer);
  }

  /** Graceful shutdown. bolt's goaway is off by default in MOSN; streams in flight just finish. */
  goAway(): void {}

  onConnectionClose(): void {
    if (this.closed && this.activeStreams === 0) return;
    this.closed = true;
    const streams = [...this.inFlight.drain(), ...this.oneways];
    this.oneways.clear();
    for (const s of streams) s.onConnectionReset();
  }

  // ---- called by XServerStream ----

  /** The stream answered or was reset: forget it (and close when the client is gone). */
  streamDone(stream: XServerStream<F>): void {
    if (stream.oneway) this.oneways.delete(stream);
    else this.inFlight.remove(stream);
    if (this.closeWhenIdle && this.activeStreams === 0) this.close('FlushWrite');
  }

  write(bytes: Buffer): void {
    if (!this.closed) this.connection.write(bytes);
  }

  // ---- frames ----

  private onFrame(frame: F): void {
    const codec = this.codec;
    const kind = codec.kind(frame);
    if (kind === 'response') {
      // A response on a server connection answers nothing we sent (MOSN drops it as well).
      this.logger.debug({ connection: this.connection.id, protocol: this.settings.protocol, requestId: codec.getRequestId(frame) }, 'xprotocol: response frame from a downstream client ignored');
      return;
    }
    if (codec.isHeartbeat(frame)) {
      if (kind === 'request') this.write(codec.encode(codec.heartbeatReply(frame)));
      return;
    }
    if (codec.isGoAway?.(frame)) {
      this.logger.warn({ connection: this.connection.id, protocol: this.settings.protocol }, 'xprotocol: goaway from a downstream client is not supported; ignored');
      return;
    }
    const id = codec.getRequestId(frame);
    const oneway = kind === 'oneway';
    if (!oneway && this.inFlight.has(id)) {
      this.logger.error(
        { connection: this.connection.id, remote: this.connection.remoteAddress, protocol: this.settings.protocol, requestId: id },
        'xprotocol: request id reused while a request with that id is in flight; closing the connection',
      );
      this.close('NoFlush');
      return;
    }
    const stream = new XServerStream(this, frame, id, oneway);
    if (oneway) this.oneways.add(stream);
    else this.inFlight.add(stream);
    const receiver = this.callbacks.onNewStream(stream);
    stream.receiver = receiver;

    const headers = new FrameHeaderMap(codec, frame);
    codec.readHeaders(frame, headers);
    const timeout = codec.timeoutMs(frame);
    if (timeout > 0 && !headers.has(GLOBAL_TIMEOUT_HEADER)) {
      // The request's own deadline bounds the proxy's wait (MOSN sets VarProxyGlobalTimeout).
      if (timeout !== this.lastTimeout) {
        this.lastTimeout = timeout;
        this.lastTimeoutText = String(timeout);
      }
      headers.add(GLOBAL_TIMEOUT_HEADER, this.lastTimeoutText);
      headers.engineHeader = GLOBAL_TIMEOUT_HEADER;
    }
    headers.changed = false;
    const body = codec.body(frame);
    receiver.onHeaders(headers, body.length === 0);
    if (body.length > 0 && !stream.done) receiver.onData(body, true);
  }

  private onDecodeError(buffer: IoBuffer, error: XDecodeError<F>): void {
    const codec = this.codec;
    const frame = error.frame;
    if (frame === undefined || codec.kind(frame) === 'response') {
      this.fail(buffer, error.reason);
      return;
    }
    // The frame's bounds were intact and its bytes are drained: answer it, keep the connection.
    const id = codec.getRequestId(frame);
    this.logger.warn(
      { connection: this.connection.id, remote: this.connection.remoteAddress, protocol: this.settings.protocol, requestId: id, reason: error.reason },
      'xprotocol: request could not be decoded; answering with a codec exception',
    );
    if (codec.kind(frame) !== 'request') return;
    const reply = codec.hijack(frame, CODEC_EXCEPTION_STATUS);
    codec.setRequestId(reply, id);
    this.write(codec.encode(reply));
  }

  /** Bytes that are no frame: nothing after them can be trusted. */
  private fail(buffer: IoBuffer, reason: string): void {
    this.logger.error(
      {
        connection: this.connection.id,
        remote: this.connection.remoteAddress,
        protocol: this.settings.protocol,
        reason,
        firstBytes: hexPrefix(buffer.peek()),
      },
      'xprotocol: undecodable bytes from the downstream; closing the connection',
    );
    buffer.clear();
    this.close('NoFlush');
  }

  /** The client half-closed (FIN). */
  private onPeerFinished(buffer: IoBuffer): void {
    if (buffer.length > 0) {
      this.logger.warn(
        { connection: this.connection.id, remote: this.connection.remoteAddress, protocol: this.settings.protocol, bufferedBytes: buffer.length, firstBytes: hexPrefix(buffer.peek()) },
        'xprotocol: connection closed by the client in the middle of a frame; closing',
      );
      buffer.clear();
      this.close('NoFlush');
      return;
    }
    if (this.activeStreams === 0) this.close('FlushWrite');
    else this.closeWhenIdle = true;
  }

  private close(type: 'FlushWrite' | 'NoFlush'): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.close(type);
  }
}
