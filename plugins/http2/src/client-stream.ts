import type { HeaderMap, StreamReceiver, StreamResetReason, StreamSender } from 'mosn-plugin-sdk';
import { constants, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import type { Http2ClientConnection } from './client-codec';
import { fromNodeHeaders, toNodeHeaders } from './header-convert';
import { clientResetCode, codeName, resetReasonOf } from './reset-codes';

const EMPTY = Buffer.alloc(0);
const kOwner = Symbol('mosn.http2.clientStream');
const NO_TRAILERS = Object.freeze({});

type NodeStream = ClientHttp2Stream & { [kOwner]: ClientStream };

/**
 * One request stream on an upstream HTTP/2 connection: the sender the pool hands out. Node's
 * request stream is made when the headers are sent; its events go to module-level functions.
 */
export class ClientStream implements StreamSender {
  onWritable: (() => void) | undefined = undefined;
  private stream: NodeStream | undefined = undefined;
  private requestEnded = false;
  private responseEnded = false;
  private responseTrailers: HeaderMap | undefined = undefined;
  private requestTrailers: HeaderMap | undefined = undefined;
  private disables = 0;
  done = false;

  constructor(
    private readonly codec: Http2ClientConnection,
    private readonly receiver: StreamReceiver,
  ) {}

  // ---- StreamSender ----

  get aboveWriteBufferHighWatermark(): boolean {
    return this.stream !== undefined && this.stream.writableNeedDrain;
  }

  sendHeaders(headers: HeaderMap, endStream: boolean): void {
    if (this.done || this.stream !== undefined) return;
    let stream: NodeStream;
    try {
      stream = this.codec.session!.request(toNodeHeaders(headers, true), { endStream, waitForTrailers: !endStream }) as NodeStream;
    } catch (err) {
      // The session is going away, or the headers cannot go on HTTP/2: the stream never started.
      this.codec.logger.debug({ connection: this.codec.connection.id, err: (err as Error).message }, 'http2: upstream request refused');
      this.done = true;
      this.codec.streamClosed(this);
      process.nextTick(resetLater, this.receiver, this.codec.goneAway ? 'ConnectionTermination' : 'LocalReset');
      return;
    }
    this.stream = stream;
    stream[kOwner] = this;
    stream.on('response', onResponse);
    stream.on('headers', onInterim);
    stream.on('trailers', onTrailers);
    stream.on('close', onClose);
    stream.on('error', onError);
    stream.on('drain', onDrain);
    stream.on('wantTrailers', onWantTrailers);
    if (endStream) this.requestEnded = true;
    if (this.disables > 0) stream.pause();
  }

  sendData(data: Buffer, endStream: boolean): void {
    const stream = this.stream;
    if (this.done || stream === undefined || this.requestEnded) return;
    if (data.length > 0) stream.write(data);
    if (endStream) {
      this.requestEnded = true;
      stream.end();
    }
  }

  sendTrailers(trailers: HeaderMap): void {
    const stream = this.stream;
    if (this.done || stream === undefined || this.requestEnded) return;
    this.requestEnded = true;
    this.requestTrailers = trailers;
    stream.end();
  }

  reset(reason: StreamResetReason): void {
    if (this.done) return;
    this.done = true;
    const stream = this.stream;
    if (stream !== undefined && !stream.destroyed && !stream.closed) stream.close(clientResetCode(reason));
    this.codec.streamClosed(this);
  }

  readDisable(disable: boolean): void {
    if (this.done) return;
    if (disable) {
      if (this.disables++ === 0) this.stream?.pause();
    } else if (this.disables > 0 && --this.disables === 0) {
      this.stream?.resume();
    }
  }

  // ---- Node's stream events ----

  onResponse(headers: IncomingHttpHeaders, flags: number, raw: string[] | undefined): void {
    if (this.done) return;
    const end = (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0;
    if (end) this.responseEnded = true;
    // Node emits 'response' on the next tick, after body bytes that came in the same read may
    // already be readable: the body is read from here on, so it always follows the headers.
    const stream = this.stream!;
    stream.on('data', onData);
    stream.on('end', onEnd);
    this.receiver.onHeaders(fromNodeHeaders(raw, headers), end);
  }

  onInterim(headers: IncomingHttpHeaders, _flags: number, raw: string[] | undefined): void {
    if (!this.done) this.receiver.onHeaders(fromNodeHeaders(raw, headers), false);
  }

  onData(chunk: Buffer): void {
    if (!this.done) this.receiver.onData(chunk, false);
  }

  onEnd(): void {
    if (this.done || this.responseEnded) return;
    // A reset ends Node's readable side too: that is no end of the response.
    const code = this.stream!.rstCode;
    if (code !== undefined && code !== constants.NGHTTP2_NO_ERROR) return;
    this.responseEnded = true;
    const trailers = this.responseTrailers;
    if (trailers !== undefined) this.receiver.onTrailers(trailers);
    else this.receiver.onData(EMPTY, true);
  }

  onTrailers(headers: IncomingHttpHeaders, raw: string[] | undefined): void {
    this.responseTrailers = fromNodeHeaders(raw, headers);
  }

  onWantTrailers(): void {
    const trailers = this.requestTrailers;
    this.requestTrailers = undefined;
    try {
      this.stream!.sendTrailers(trailers === undefined ? NO_TRAILERS : toNodeHeaders(trailers, false));
    } catch (err) {
      this.codec.logger.debug({ connection: this.codec.connection.id, err: (err as Error).message }, 'http2: request trailers not sent');
    }
  }

  onClose(): void {
    this.codec.streamClosed(this);
    if (this.done) return;
    this.done = true;
    const code = this.stream?.rstCode ?? constants.NGHTTP2_NO_ERROR;
    if (this.responseEnded && this.requestEnded && code === constants.NGHTTP2_NO_ERROR) return;
    if (this.responseEnded && code === constants.NGHTTP2_NO_ERROR) return; // early response: nothing to report
    this.receiver.onReset(resetReasonOf(code, this.codec.closed), `RST_STREAM ${codeName(code)}`);
  }

  onDrain(): void {
    const fn = this.onWritable;
    if (fn !== undefined && !this.done) fn();
  }
}

function resetLater(receiver: StreamReceiver, reason: StreamResetReason): void {
  receiver.onReset(reason);
}

function onResponse(this: NodeStream, headers: IncomingHttpHeaders, flags: number, raw?: string[]): void {
  this[kOwner].onResponse(headers, flags, raw);
}
function onInterim(this: NodeStream, headers: IncomingHttpHeaders, flags: number, raw?: string[]): void {
  this[kOwner].onInterim(headers, flags, raw);
}
function onData(this: NodeStream, chunk: Buffer): void {
  this[kOwner].onData(chunk);
}
function onEnd(this: NodeStream): void {
  this[kOwner].onEnd();
}
function onTrailers(this: NodeStream, headers: IncomingHttpHeaders, _flags: number, raw?: string[]): void {
  this[kOwner].onTrailers(headers, raw);
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
