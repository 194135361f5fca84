import { HeaderMap, IoBuffer } from 'mosn-plugin-sdk';
import type {
  ClientConnection,
  ClientStreamConnection,
  CodecOptions,
  ConnectionEventListener,
  Logger,
  StreamReceiver,
  StreamResetReason,
  StreamSender,
} from 'mosn-plugin-sdk';
import { ClientStream } from './client-stream';
import { is } from './head-encoder';
import { ParsedHead, parseResponseHead } from './head-parser';
import {
  HC_CONTINUE,
  HC_NO_BODY,
  HC_REFUSE,
  HC_TUNNEL,
  HTTPParser,
  Llhttp,
  type ParseError,
  type ParserOwner,
} from './llhttp';
import { Output } from './output';

const EMPTY = Buffer.alloc(0);

/**
 * The client (upstream) side of HTTP/1.1 on one connection: one stream at a time (ping-pong).
 *
 * `reusable` turns false for good when a response says `Connection: close` (or is HTTP/1.0
 * without keep-alive), is delimited by the connection closing, a response completed before its
 * request was fully sent, the upstream half-closed, a tunnel opened, or anything failed. A
 * connection that cannot be reused is closed once its stream is done.
 */
export class Http1ClientConnection implements ClientStreamConnection, ParserOwner, ConnectionEventListener {
  readonly out: Output;
  readonly logger: Logger;
  private readonly parser: Llhttp;
  private readonly maxHeaderBytes: number;
  /** Where the JS fast path puts the head it parsed. */
  private readonly fastHead = new ParsedHead();
  /** The stream given out and not done. */
  private stream: ClientStream | undefined = undefined;
  /** The stream the response message being parsed belongs to (until its body ends). */
  private respStream: ClientStream | undefined = undefined;
  /** The stream whose response body the codec reads itself, and how much is left (Infinity: until the close). */
  private bodyOf: ClientStream | undefined = undefined;
  private bodyLeft = 0;
  private tunnel: ClientStream | undefined = undefined;
  private interim = false;
  private inHead = false;
  private inMessage = false;
  private partialHeaders: string[] | undefined = undefined;
  private trailers: string[] | undefined = undefined;
  private canReuse = true;
  private executing = false;
  /** Bytes given while parsing (a re-entrant dispatch), parsed right after. */
  private readonly held = new IoBuffer();
  private peerEnded = false;
  private closing = false;
  private closed = false;
  private failed = false;
  private parserFreed = false;
  private closeCheckScheduled = false;
  private readonly closeIfSpent: () => void;

  constructor(
    readonly connection: ClientConnection,
    options: CodecOptions,
  ) {
    this.logger = options.logger;
    this.out = new Output(connection);
    this.maxHeaderBytes = options.maxHeaderBytes;
    this.parser = new Llhttp(HTTPParser.RESPONSE, this, options.maxHeaderBytes);
    this.closeIfSpent = () => {
      this.closeCheckScheduled = false;
      if (this.stream === undefined && !this.reusable) this.close('FlushWrite');
    };
    connection.addEventListener(this);
  }

  // ---- ClientStreamConnection ----

  get activeStreams(): number {
    return this.stream !== undefined ? 1 : 0;
  }

  get reusable(): boolean {
    return this.canReuse && !this.closing && !this.closed && !this.failed && !this.peerEnded;
  }

  newStream(receiver: StreamReceiver): StreamSender {
    if (this.stream !== undefined) throw new Error('http1: an upstream connection carries one stream at a time');
    const s = new ClientStream(this, receiver);
    this.stream = s;
    if (this.closing || this.closed || this.peerEnded || this.failed) {
      this.failStream(s, 'ConnectionTermination', 'the upstream connection is closed');
    }
    return s;
  }

  dispatch(buffer: IoBuffer, endStream: boolean): void {
    if (this.closing || this.closed) {
      buffer.clear();
      return;
    }
    if (buffer.length > 0) {
      if (this.executing) {
        const chunks = buffer.takeChunks();
        for (let i = 0; i < chunks.length; i++) this.held.append(chunks[i]);
      } else {
        this.consume(buffer.takeChunks());
      }
    }
    if (endStream && !this.peerEnded) {
      this.peerEnded = true;
      this.onPeerEnd();
    }
  }

  onConnectionClose(): void {
    if (this.closed) return;
    this.closing = true;
    this.out.discard();
    if (!this.peerEnded && this.bodyOf !== undefined && this.bodyLeft === Infinity) {
      // A response delimited by the close ends here.
      this.peerEnded = true;
      this.endBody(this.bodyOf, EMPTY);
    }
    this.closed = true;
    const s = this.stream;
    this.stream = undefined;
    this.respStream = undefined;
    this.bodyOf = undefined;
    this.tunnel = undefined;
    if (s !== undefined && !s.done) {
      s.done = true;
      s.receiver.onReset('ConnectionTermination');
    }
    this.freeParser();
  }

  // ---- ConnectionEventListener ----

  onEvent(): void {}

  onBelowWriteBufferLowWatermark(): void {
    const onWritable = this.stream?.onWritable;
    if (onWritable !== undefined) onWritable();
  }

  // ---- for ClientStream ----

  get writable(): boolean {
    return !this.closing && !this.closed;
  }

  /** The stream is complete both ways (or its request was cut short by the response). */
  streamDone(s: ClientStream, cut?: string): void {
    s.done = true;
    if (this.stream === s) this.stream = undefined;
    if (this.tunnel === s) {
      this.tunnel = undefined;
      this.close('FlushWrite');
    }
    s.releaseDisables();
    if (cut !== undefined) {
      this.logger.debug({ connection: this.connection.id, reason: cut }, 'http1: upstream connection not reused');
      this.canReuse = false;
    }
    if (!this.reusable && !this.closeCheckScheduled) {
      this.closeCheckScheduled = true;
      queueMicrotask(this.closeIfSpent);
    }
  }

  /** The caller reset its stream: an HTTP/1 request cannot be withdrawn, so the connection goes. */
  abortStream(s: ClientStream, reason: StreamResetReason): void {
    s.done = true;
    if (this.stream === s) this.stream = undefined;
    if (this.respStream === s) this.respStream = undefined;
    if (this.bodyOf === s) this.bodyOf = undefined;
    this.canReuse = false;
    this.logger.debug({ connection: this.connection.id, reason }, 'http1: upstream stream reset; closing the connection');
    this.close('NoFlush');
  }

  /** This side cannot go on with the stream: close, and tell its receiver (after the current call). */
  failStream(s: ClientStream, reason: StreamResetReason, detail: string): void {
    if (s.done) return;
    s.done = true;
    if (this.stream === s) this.stream = undefined;
    if (this.respStream === s) this.respStream = undefined;
    if (this.bodyOf === s) this.bodyOf = undefined;
    this.canReuse = false;
    this.logger.debug({ connection: this.connection.id, reason, detail }, 'http1: upstream stream failed');
    this.close('NoFlush');
    queueMicrotask(() => s.receiver.onReset(reason, detail));
  }

  // ---- ParserOwner (llhttp callbacks) ----

  onMessageBegin(): void {
    this.inMessage = true;
    this.inHead = true;
    this.partialHeaders = undefined;
    this.trailers = undefined;
  }

  onHeaderChunk(flat: string[]): void {
    if (this.inHead) this.partialHeaders = this.partialHeaders === undefined ? flat : this.partialHeaders.concat(flat);
    else this.trailers = this.trailers === undefined ? flat : this.trailers.concat(flat);
  }

  onHeadersComplete(
    _versionMajor: number,
    _versionMinor: number,
    headers: string[] | undefined,
    _method: number,
    _url: string | undefined,
    statusCode: number,
    _upgrade: boolean,
    shouldKeepAlive: boolean,
  ): number {
    this.inHead = false;
    const flat = headers ?? this.partialHeaders ?? [];
    this.partialHeaders = undefined;
    const s = this.stream;
    if (s === undefined || !s.requestStarted || s.responseComplete || this.closing) return this.refuse('a response without a request');
    const map = new HeaderMap();
    map.add(':status', String(statusCode));
    let contentLength = -1;
    let chunked = false;
    for (let i = 0; i < flat.length; i += 2) {
      const name = flat[i];
      const value = flat[i + 1];
      map.add(name, value);
      if (name.length === 14 && is(name, 'content-length', 'Content-Length')) contentLength = Number(value);
      else if (name.length === 17 && is(name, 'transfer-encoding', 'Transfer-Encoding')) chunked = true;
    }
    this.respStream = s;
    const receiver = s.receiver;
    if (statusCode < 200 && statusCode !== 101) {
      this.interim = true;
      receiver.onHeaders(map, false);
      return HC_CONTINUE;
    }
    this.interim = false;
    if (s.upgrade && (s.isConnect ? statusCode >= 200 && statusCode < 300 : statusCode === 101)) {
      // The tunnel opens: llhttp stops after this head, the rest is data.
      this.canReuse = false;
      this.tunnel = s;
      this.respStream = undefined;
      s.openTunnel();
      receiver.onHeaders(map, false);
      return s.isConnect ? HC_TUNNEL : HC_CONTINUE;
    }
    if (statusCode === 101) return this.refuse('a 101 response to a request that asked for no upgrade');
    if (s.upgrade) {
      // Upgrade refused: an ordinary response; data kept for the tunnel is dropped.
      s.upgrade = false;
      s.preTunnel = undefined;
    }
    if (!shouldKeepAlive) this.canReuse = false;
    // A chunked body goes through llhttp; for a Content-Length body, or one delimited by the
    // upstream closing, llhttp stops after the head (HC_TUNNEL) and the codec slices the body out
    // of the read buffers itself (no copy, no callback per chunk).
    let next = HC_CONTINUE;
    let endsWithHead = false;
    if (s.isHead) {
      endsWithHead = true;
      next = HC_NO_BODY;
    } else if (statusCode === 204 || statusCode === 304 || (contentLength === 0 && !chunked)) {
      endsWithHead = true;
    } else if (!chunked) {
      this.bodyOf = s;
      this.bodyLeft = contentLength > 0 ? contentLength : Infinity;
      if (contentLength < 0) this.canReuse = false; // delimited by the upstream closing
      next = HC_TUNNEL;
    }
    if (endsWithHead) {
      this.respStream = undefined;
      s.responseComplete = true;
      s.checkDone();
      receiver.onHeaders(map, true);
    } else {
      receiver.onHeaders(map, false);
    }
    return next;
  }

  /** Chunked bodies, as llhttp decodes them. */
  onBody(chunk: Buffer): void {
    const s = this.respStream;
    if (s !== undefined && !s.done) s.receiver.onData(chunk, false);
  }

  onMessageComplete(): void {
    // After a head whose body the codec reads itself llhttp reports the message complete at once.
    if (this.bodyOf !== undefined) return;
    this.inMessage = false;
    if (this.interim) {
      this.interim = false;
      return;
    }
    const s = this.respStream;
    this.respStream = undefined;
    const trailers = this.trailers;
    this.trailers = undefined;
    if (s === undefined) return;
    s.responseComplete = true;
    const wasDone = s.done;
    s.checkDone();
    if (wasDone) return;
    if (trailers !== undefined && trailers.length > 0) s.receiver.onTrailers(HeaderMap.fromFlat(trailers));
    else s.receiver.onData(EMPTY, true);
  }

  // ---- internals ----

  private consume(chunks: Buffer[]): void {
    this.executing = true;
    try {
      for (;;) {
        for (let i = 0; i < chunks.length; i++) {
          if (!this.consumeChunk(chunks[i])) return;
        }
        if (this.held.length === 0 || this.closing) return;
        chunks = this.held.takeChunks();
      }
    } finally {
      this.executing = false;
      if (this.closed) this.freeParser();
    }
  }

  /** One read chunk: tunnel data, body bytes sliced off here, heads through llhttp. False: stop. */
  private consumeChunk(chunk: Buffer): boolean {
    const len = chunk.length;
    let at = 0;
    while (at < len) {
      if (this.closing || this.failed) return false;
      const tunnel = this.tunnel;
      if (tunnel !== undefined) {
        if (!tunnel.done) tunnel.receiver.onData(at === 0 ? chunk : chunk.subarray(at), false);
        return true;
      }
      const body = this.bodyOf;
      if (body !== undefined) {
        const n = Math.min(this.bodyLeft, len - at);
        const slice = at === 0 && n === len ? chunk : chunk.subarray(at, at + n);
        at += n;
        this.bodyLeft -= n;
        if (this.bodyLeft > 0) {
          if (!body.done) body.receiver.onData(slice, false);
        } else {
          this.endBody(body, slice);
        }
        continue;
      }
      if (!this.inMessage && this.fastPathFits() && parseResponseHead(chunk, at, this.maxHeaderBytes, this.fastHead)) {
        at += this.fastHead.length;
        this.onFastHead(this.fastHead);
        continue;
      }
      const result = this.parser.execute(at === 0 ? chunk : chunk.subarray(at));
      if (typeof result !== 'number') {
        if (!this.failed) this.onParseError(result);
        return false;
      }
      if (result <= 0) return true; // nothing consumed (cannot happen with llhttp; never spin)
      at += result;
    }
    return true;
  }

  /**
   * Whether the next response may take the JS fast path (head-parser.ts): an ordinary request is
   * waiting for it. Responses to HEAD, upgrades and CONNECT, and anything unexpected, go through
   * llhttp.
   */
  private fastPathFits(): boolean {
    const s = this.stream;
    return s !== undefined && s.requestStarted && !s.responseComplete && !s.isHead && !s.upgrade && !s.isConnect;
  }

  /**
   * A response head the JS fast path parsed: the same callbacks as llhttp's, in its order. It is
   * final (2xx-5xx) with a Content-Length or a 204/304, so llhttp would report the message
   * complete right after the head (the codec reads a Content-Length body itself).
   */
  private onFastHead(h: ParsedHead): void {
    this.onMessageBegin();
    const next = this.onHeadersComplete(1, h.versionMinor, h.flat, 0, undefined, h.status, false, h.keepAlive);
    if (next !== HC_REFUSE) this.onMessageComplete();
  }

  /** The body the codec was reading is complete (its length reached, or the upstream closed). */
  private endBody(s: ClientStream, last: Buffer): void {
    this.bodyOf = undefined;
    this.inMessage = false;
    this.respStream = undefined;
    s.responseComplete = true;
    const wasDone = s.done;
    s.checkDone();
    if (!wasDone) s.receiver.onData(last, true);
  }

  private onPeerEnd(): void {
    this.canReuse = false;
    const tunnel = this.tunnel;
    if (tunnel !== undefined) {
      tunnel.tunnelInEnded = true;
      if (!tunnel.done) tunnel.receiver.onData(EMPTY, true);
      tunnel.checkDone();
      return;
    }
    if (this.bodyOf !== undefined && this.bodyLeft === Infinity) this.endBody(this.bodyOf, EMPTY);
    const s = this.stream;
    if (s !== undefined && !s.done) {
      // The upstream closed before the response was complete.
      s.done = true;
      this.stream = undefined;
      this.respStream = undefined;
      this.bodyOf = undefined;
      this.close('FlushWrite');
      s.receiver.onReset('ConnectionTermination', 'the upstream closed the connection');
      return;
    }
    if (this.stream === undefined) this.close('FlushWrite');
  }

  /**
   * Refuses a response head from inside kOnHeadersComplete. Handled here rather than through the
   * error `execute` returns: llhttp drops that error when the head was an upgrade (101).
   */
  private refuse(reason: string): number {
    this.onParseError({ name: 'Error', message: reason, code: 'HPE_CB_HEADERS_COMPLETE', reason });
    return HC_REFUSE;
  }

  private onParseError(err: ParseError): void {
    this.failed = true;
    this.held.clear();
    const code = err.code;
    const reason = err.reason ?? err.message;
    this.logger.warn(
      { connection: this.connection.id, host: this.connection.hostAddress, code, reason },
      `http1: bad response from upstream (${code}: ${reason}); closing the connection`,
    );
    const s = this.stream;
    this.stream = undefined;
    this.respStream = undefined;
    this.bodyOf = undefined;
    this.close('NoFlush');
    if (s !== undefined && !s.done) {
      s.done = true;
      s.receiver.onReset('RemoteReset', `${code}: ${reason}`);
    }
  }

  private close(type: 'FlushWrite' | 'NoFlush'): void {
    if (this.closing) return;
    this.closing = true;
    this.canReuse = false;
    if (type === 'FlushWrite') this.out.flush();
    else this.out.discard();
    this.connection.close(type);
  }

  private freeParser(): void {
    if (this.parserFreed || this.executing) return;
    this.parserFreed = true;
    this.parser.close();
  }
}
