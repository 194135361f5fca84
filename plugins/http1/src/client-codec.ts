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
import { chunkSizeLine, hasToken, is, scanHeaders, validRequestLine } from './head-encoder';
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

const FRAMING_NONE = 0;
const FRAMING_LENGTH = 1;
const FRAMING_CHUNKED = 2;

/** Methods whose requests anticipate a body: an empty one is announced as `Content-Length: 0`. */
function expectsBody(method: string): boolean {
  return method === 'POST' || method === 'PUT' || method === 'PATCH';
}

/**
 * One request/response on an upstream connection; the StreamSender `newStream` returns.
 *
 * A receiver may get several onHeaders: each 1xx interim response (100 Continue, 103) comes as
 * onHeaders with that `:status` and endStream false, then the final response's onHeaders. A 101
 * (or a 2xx to CONNECT) is final: after it the stream is a tunnel, raw bytes both ways as data.
 */
export class ClientStream implements StreamSender {
  onWritable: (() => void) | undefined = undefined;

  // ---- request ----
  requestStarted = false;
  /** The request message is complete on the wire (for an upgrade: its head and any CL body). */
  requestComplete = false;
  framing = FRAMING_NONE;
  sendRemaining = 0;
  isHead = false;
  isConnect = false;
  /** Asked for an upgrade (or CONNECT) and no final response has decided yet. */
  upgrade = false;
  /** Tunnel data given before the 101 / 2xx arrived. */
  preTunnel: Buffer[] | undefined = undefined;
  preTunnelEnd = false;

  // ---- response ----
  responseComplete = false;

  // ---- tunnel ----
  tunnelOpen = false;
  tunnelInEnded = false;
  tunnelOutEnded = false;

  done = false;
  disables = 0;

  constructor(
    private readonly codec: Http1ClientConnection,
    readonly receiver: StreamReceiver,
  ) {}

  get aboveWriteBufferHighWatermark(): boolean {
    return this.codec.connection.aboveWriteBufferHighWatermark;
  }

  sendHeaders(headers: HeaderMap, endStream: boolean): void {
    const c = this.codec;
    if (this.done || this.requestStarted || !c.writable) return;
    this.requestStarted = true;
    const method = headers.get(':method') ?? 'GET';
    const authority = headers.get(':authority');
    const isConnect = method === 'CONNECT';
    const target = isConnect ? (authority ?? headers.get(':path') ?? '') : (headers.get(':path') ?? '/');
    if (!validRequestLine(method, target)) {
      c.failStream(this, 'LocalReset', `invalid request line: ${JSON.stringify(`${method} ${target}`)}`);
      return;
    }
    // :authority is the request's host (a route's host_rewrite changes it); a `host` entry
    // in the map is what the client originally sent and must not win over it.
    const scan = scanHeaders(headers, authority !== undefined && !isConnect);
    if (scan.invalid > 0) c.logger.debug({ connection: c.connection.id, dropped: scan.invalid }, 'http1: dropped request headers with invalid names or values');
    this.isHead = method === 'HEAD';
    this.isConnect = isConnect;
    let head = `${method} ${target} HTTP/1.1\r\n`;
    if (authority !== undefined && (!isConnect || !scan.hasHost)) head += `Host: ${authority}\r\n`;
    head += scan.lines;
    const upgrade = !isConnect && scan.upgrade !== undefined && hasToken(scan.connection, 'upgrade');
    let complete = endStream;
    if (isConnect) {
      this.upgrade = true;
      complete = true; // the tunnel starts after the 2xx
    } else if (scan.contentLength >= 0) {
      this.framing = FRAMING_LENGTH;
      this.sendRemaining = scan.contentLength;
      head += `${scan.contentLengthName}: ${scan.contentLength}\r\n`;
      if (scan.contentLength === 0) complete = true;
    } else if (endStream) {
      this.framing = FRAMING_LENGTH;
      if (expectsBody(method)) head += 'Content-Length: 0\r\n';
    } else if (upgrade) {
      complete = true; // no body before the 101; data after it is the tunnel's
    } else {
      this.framing = FRAMING_CHUNKED;
      head += 'Transfer-Encoding: chunked\r\n';
    }
    if (upgrade) {
      this.upgrade = true;
      head += `Connection: Upgrade\r\nUpgrade: ${scan.upgrade}\r\n`;
    }
    c.out.text(head + '\r\n');
    if (complete) this.finishRequest(endStream);
    else c.out.later();
  }

  sendData(data: Buffer, endStream: boolean): void {
    const c = this.codec;
    if (this.done || !this.requestStarted || this.tunnelOutEnded || !c.writable) return;
    if (this.tunnelOpen) {
      c.out.data(data);
      c.out.flush();
      if (endStream) {
        this.tunnelOutEnded = true;
        c.connection.end();
        this.checkDone();
      }
      return;
    }
    if (this.requestComplete) {
      // An upgrade or CONNECT waiting for its answer: tunnel data waits for the 101 / 2xx (and is
      // dropped if the upgrade is refused, so it can never be read as another request).
      if (this.upgrade) {
        if (data.length > 0) (this.preTunnel ??= []).push(data);
        if (endStream) this.preTunnelEnd = true;
      }
      return;
    }
    const out = c.out;
    if (this.framing === FRAMING_LENGTH) {
      let chunk = data;
      if (chunk.length > this.sendRemaining) {
        c.logger.debug({ connection: c.connection.id, excess: chunk.length - this.sendRemaining }, 'http1: request body longer than its Content-Length; truncated');
        chunk = chunk.subarray(0, this.sendRemaining);
      }
      this.sendRemaining -= chunk.length;
      out.data(chunk);
      if (this.sendRemaining === 0 && this.upgrade) {
        // An upgrade request's body is complete: later data belongs to the tunnel.
        this.finishRequest(endStream);
        return;
      }
    } else if (this.framing === FRAMING_CHUNKED) {
      if (data.length > 0) {
        out.text(chunkSizeLine(data.length));
        out.data(data);
        out.text(endStream ? '\r\n0\r\n\r\n' : '\r\n');
      } else if (endStream) {
        out.text('0\r\n\r\n');
      }
    }
    if (endStream) this.finishRequest(true);
    else out.later();
  }

  sendTrailers(trailers: HeaderMap): void {
    const c = this.codec;
    if (this.done || !this.requestStarted || this.requestComplete || !c.writable) return;
    if (this.framing === FRAMING_CHUNKED) c.out.text('0\r\n' + scanHeaders(trailers).lines + '\r\n');
    this.finishRequest(true);
  }

  reset(reason: StreamResetReason): void {
    if (this.done) return;
    this.codec.abortStream(this, reason);
  }

  readDisable(disable: boolean): void {
    if (this.done) return;
    if (disable) {
      this.disables++;
      this.codec.connection.readDisable(true);
    } else if (this.disables > 0) {
      this.disables--;
      this.codec.connection.readDisable(false);
    }
  }

  // ---- internals ----

  private finishRequest(ended: boolean): void {
    const c = this.codec;
    this.requestComplete = true;
    if (ended && this.upgrade) this.preTunnelEnd = true;
    if (this.framing === FRAMING_LENGTH && this.sendRemaining > 0) {
      // The body ended short of its Content-Length: the upstream would wait for the rest.
      c.out.flush();
      c.failStream(this, 'LocalReset', 'request body shorter than its Content-Length');
      return;
    }
    c.out.flush();
    this.checkDone();
  }

  /** Starts the tunnel after a 101 / CONNECT 2xx: writes the data given meanwhile. */
  openTunnel(): void {
    this.tunnelOpen = true;
    this.upgrade = false;
    const pre = this.preTunnel;
    this.preTunnel = undefined;
    const out = this.codec.out;
    if (pre !== undefined) for (let i = 0; i < pre.length; i++) out.data(pre[i]);
    out.flush();
    if (this.preTunnelEnd) {
      this.tunnelOutEnded = true;
      this.codec.connection.end();
    }
  }

  checkDone(): void {
    if (this.done) return;
    if (this.tunnelOpen) {
      if (this.tunnelInEnded && this.tunnelOutEnded) this.codec.streamDone(this);
      return;
    }
    if (this.responseComplete && (this.requestComplete || !this.requestStarted)) this.codec.streamDone(this);
    else if (this.responseComplete) this.codec.streamDone(this, 'request cut short by the response');
  }

  releaseDisables(): void {
    const connection = this.codec.connection;
    while (this.disables > 0) {
      this.disables--;
      connection.readDisable(false);
    }
  }
}

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
