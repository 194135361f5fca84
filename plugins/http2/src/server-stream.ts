import type { HeaderMap, StreamReceiver, StreamResetReason, StreamSender } from 'mosn-plugin-sdk';
import { constants, type ServerHttp2Stream } from 'node:http2';
import { fromNodeHeaders, toNodeHeaders } from './header-convert';
import { codeName, resetReasonOf, serverResetCode } from './reset-codes';
import type { Http2ServerConnection } from './server-codec';

const EMPTY = Buffer.alloc(0);
const kOwner = Symbol('mosn.http2.serverStream');
const NO_TRAILERS = Object.freeze({});

type NodeStream = ServerHttp2Stream & { [kOwner]: ServerStream };

/**
 * One request stream on a downstream HTTP/2 connection, and its responder. Node's stream events
 * go to module-level functions (this = Node's stream) that call the owner hung on the stream,
 * so a stream costs no closures.
 */
export class ServerStream implements StreamSender {
  onWritable: (() => void) | undefined = undefined;
  receiver: StreamReceiver | undefined = undefined;
  private requestEnded = false;
  private responseStarted = false;
  private responseEnded = false;
  /** Trailers of the request, delivered at 'end' (after the body Node may still hold). */
  private requestTrailers: HeaderMap | undefined = undefined;
  /** Trailers of the response, written when Node asks ('wantTrailers'). */
  private responseTrailers: HeaderMap | undefined = undefined;
  private disables = 0;
  done = false;

  constructor(
    private readonly codec: Http2ServerConnection,
    readonly stream: ServerHttp2Stream,
  ) {
    const s = stream as NodeStream;
    s[kOwner] = this;
    s.on('data', onData);
    s.on('end', onEnd);
    s.on('trailers', onTrailers);
    s.on('close', onClose);
    s.on('error', onError);
    s.on('drain', onDrain);
    s.on('wantTrailers', onWantTrailers);
  }

  /** Hands the request head to the receiver (called once the receiver is known). */
  begin(headers: HeaderMap, endStream: boolean): void {
    if (endStream) this.requestEnded = true;
    this.receiver!.onHeaders(headers, endStream);
  }

  // ---- StreamSender ----

  get aboveWriteBufferHighWatermark(): boolean {
    return this.stream.writableNeedDrain;
  }

  sendHeaders(headers: HeaderMap, endStream: boolean): void {
    if (this.done || this.responseStarted) return;
    const stream = this.stream;
    if (stream.destroyed || stream.closed) return;
    const status = Number(headers.get(':status'));
    try {
      if (status >= 100 && status < 200) {
        if (status !== 101) stream.additionalHeaders(toNodeHeaders(headers, false));
        return;
      }
      this.responseStarted = true;
      stream.respond(toNodeHeaders(headers, false), { endStream, waitForTrailers: !endStream });
    } catch (err) {
      this.codec.logger.warn({ connection: this.codec.connection.id, err: (err as Error).message }, 'http2: response headers refused; resetting the stream');
      this.reset('LocalReset');
      return;
    }
    if (endStream) {
      this.responseEnded = true;
      this.stopRequest();
    }
  }

  sendData(data: Buffer, endStream: boolean): void {
    if (this.done || !this.responseStarted || this.responseEnded) return;
    const stream = this.stream;
    if (data.length > 0) stream.write(data);
    if (endStream) {
      this.responseEnded = true;
      stream.end();
    }
  }

  sendTrailers(trailers: HeaderMap): void {
    if (this.done || !this.responseStarted || this.responseEnded) return;
    this.responseEnded = true;
    this.responseTrailers = trailers;
    this.stream.end();
  }

  reset(reason: StreamResetReason): void {
    if (this.done) return;
    this.done = true;
    this.releaseDisables();
    const stream = this.stream;
    if (!stream.destroyed && !stream.closed) stream.close(serverResetCode(reason));
  }

  readDisable(disable: boolean): void {
    if (this.done) return;
    if (disable) {
      if (this.disables++ === 0) this.stream.pause();
    } else if (this.disables > 0 && --this.disables === 0) {
      this.stream.resume();
    }
  }

  // ---- Node's stream events ----

  onData(chunk: Buffer): void {
    if (!this.done) this.receiver?.onData(chunk, false);
  }

  onEnd(): void {
    if (this.done || this.requestEnded) return;
    // A reset ends Node's readable side too: that is no end of the request.
    const code = this.stream.rstCode;
    if (code !== undefined && code !== constants.NGHTTP2_NO_ERROR) return;
    this.requestEnded = true;
    const trailers = this.requestTrailers;
    if (trailers !== undefined) this.receiver?.onTrailers(trailers);
    else this.receiver?.onData(EMPTY, true);
  }

  onTrailers(raw: string[] | undefined, headers: Record<string, string | string[] | undefined>): void {
    this.requestTrailers = fromNodeHeaders(raw, headers);
  }

  onWantTrailers(): void {
    const trailers = this.responseTrailers;
    this.responseTrailers = undefined;
    try {
      // Empty trailers: Node ends the stream with an empty DATA frame carrying END_STREAM.
      this.stream.sendTrailers(trailers === undefined ? NO_TRAILERS : toNodeHeaders(trailers, false));
    } catch (err) {
      this.codec.logger.debug({ connection: this.codec.connection.id, err: (err as Error).message }, 'http2: trailers not sent');
    }
    this.stopRequest();
  }

  /**
   * The response is complete while the request is still coming (an early reply): RST_STREAM
   * NO_ERROR after the response, so the client stops sending (RFC 9113 §8.1).
   */
  private stopRequest(): void {
    if (this.requestEnded || this.done) return;
    const stream = this.stream;
    if (!stream.closed && !stream.destroyed) stream.close(constants.NGHTTP2_NO_ERROR);
  }

  onClose(): void {
    this.codec.streamClosed(this);
    if (this.done) return;
    this.done = true;
    const complete = this.requestEnded && this.responseEnded;
    const code = this.stream.rstCode ?? constants.NGHTTP2_NO_ERROR;
    if (complete && code === constants.NGHTTP2_NO_ERROR) return;
    const reason = resetReasonOf(code, this.codec.closed);
    this.receiver?.onReset(reason, `RST_STREAM ${codeName(code)}`);
  }

  onDrain(): void {
    const fn = this.onWritable;
    if (fn !== undefined && !this.done) fn();
  }

  private releaseDisables(): void {
    if (this.disables > 0) {
      this.disables = 0;
      this.stream.resume();
    }
  }
}

function onData(this: NodeStream, chunk: Buffer): void {
  this[kOwner].onData(chunk);
}
function onEnd(this: NodeStream): void {
  this[kOwner].onEnd();
}
function onTrailers(this: NodeStream, headers: Record<string, string | string[] | undefined>, _flags: number, raw?: string[]): void {
  this[kOwner].onTrailers(raw, headers);
}
function onClose(this: NodeStream): void {
  this[kOwner].onClose();
}
function onError(this: NodeStream): void {
  // The cause shows as the stream's rstCode in 'close', which follows.
}
function onDrain(this: NodeStream): void {
  this[kOwner].onDrain();
}
function onWantTrailers(this: NodeStream): void {
  this[kOwner].onWantTrailers();
}
