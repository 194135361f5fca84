import { HeaderMap, IoBuffer } from 'mosn-plugin-sdk';
import type {
  CodecOptions,
  Connection,
  ConnectionEventListener,
  Logger,
  ServerStreamCallbacks,
  ServerStreamConnection,
  StreamResetReason,
} from 'mosn-plugin-sdk';
import { statusLine } from './head-encoder';
import { ParsedHead, parseRequestHead } from './head-parser';
import { HC_CONTINUE, HC_REFUSE, HC_TUNNEL, HTTPParser, Llhttp, type ParseError, type ParserOwner } from './llhttp';
import { Output } from './output';
import { readRequestHead } from './request-head';
import { FRAMING_CLOSE, FRAMING_TUNNEL, ServerStream } from './server-stream';

const EMPTY = Buffer.alloc(0);

/**
 * The server (downstream) side of HTTP/1.1 on one connection.
 *
 * Pipelining: llhttp parses whatever it is given and cannot be stopped inside a buffer, so a
 * request that arrives while an earlier response is still going out is parsed into a waiting
 * ServerStream (parts queued) and reading pauses (readDisable) until the earlier stream is done;
 * bytes read meanwhile wait unparsed. Streams begin strictly one after the other, so responses go
 * out in request order and `activeStreams` counts the begun one plus the waiting ones.
 *
 * Upgrades (Connection: upgrade + Upgrade, and CONNECT): the request head is delivered with
 * endStream false; bytes after it wait unparsed. A 101 (2xx for CONNECT) response switches the
 * connection to a tunnel: those bytes and everything after are data of the stream both ways until
 * each side ends (FIN); then the connection closes. Another final response refuses the upgrade:
 * the request ends there (an empty endStream onData) and HTTP parsing goes on.
 *
 * Bad input (malformed line or header, CL+TE, duplicate Content-Length, bad chunk size, missing or
 * repeated Host on HTTP/1.1) is answered `400 Bad Request`, a header block above maxHeaderBytes
 * `431 Request Header Fields Too Large`, both with `Connection: close`, in order after earlier
 * responses; then the connection closes. A stream whose body was malformed is reset (RemoteReset).
 */
export class Http1ServerConnection implements ServerStreamConnection, ParserOwner, ConnectionEventListener {
  readonly out: Output;
  readonly logger: Logger;
  private readonly parser: Llhttp;
  private readonly maxHeaderBytes: number;
  /** Where the JS fast path puts the head it parsed. */
  private readonly fastHead = new ParsedHead();
  /** Bytes read and not parsed yet (pipelined behind a waiting stream, or after an upgrade request). */
  private readonly held = new IoBuffer();
  /** The begun stream (the one whose response goes out now). */
  private active: ServerStream | undefined = undefined;
  /** Streams parsed and not begun yet (pipelined). */
  private waiting: ServerStream[] = [];
  /** The stream whose Content-Length body the codec is reading, and how much of it is left. */
  private bodyOf: ServerStream | undefined = undefined;
  private bodyLeft = 0;
  /** The stream whose request message is being parsed (after its head). */
  private parsing: ServerStream | undefined = undefined;
  private inMessage = false;
  private inHead = false;
  private partialHeaders: string[] | undefined = undefined;
  private partialUrl = '';
  private trailers: string[] | undefined = undefined;
  /** An upgrade request was parsed: nothing after it is parsed until its response decides. */
  private holdForUpgrade = false;
  /** The stream whose tunnel is open. */
  private tunnel: ServerStream | undefined = undefined;
  private executing = false;
  private readPaused = false;
  private peerEnded = false;
  private peerEndHandled = false;
  private goingAway = false;
  /** This side decided to close: nothing more is parsed or written. */
  private closing = false;
  private closed = false;
  /** llhttp failed; the parser is dead. */
  private failed = false;
  /** A bad request to answer once the streams before it are done (400 or 431). */
  private errorStatus = 0;
  private parserFreed = false;
  private advanceScheduled = false;
  private readonly advanceLater: () => void;
  private tunnelPumpScheduled = false;
  private readonly pumpLater: () => void;

  constructor(
    readonly connection: Connection,
    private readonly callbacks: ServerStreamCallbacks,
    options: CodecOptions,
  ) {
    this.logger = options.logger;
    this.out = new Output(connection);
    this.maxHeaderBytes = options.maxHeaderBytes;
    this.parser = new Llhttp(HTTPParser.REQUEST, this, options.maxHeaderBytes);
    this.advanceLater = () => {
      this.advanceScheduled = false;
      this.advance();
    };
    this.pumpLater = () => {
      this.tunnelPumpScheduled = false;
      this.pumpTunnel();
    };
    connection.addEventListener(this);
  }

  // ---- ServerStreamConnection ----

  get activeStreams(): number {
    return (this.active !== undefined ? 1 : 0) + this.waiting.length;
  }

  dispatch(buffer: IoBuffer, endStream: boolean): void {
    if (this.closing || this.closed) {
      buffer.clear();
      return;
    }
    if (buffer.length > 0) {
      const tunnel = this.tunnel;
      if (tunnel !== undefined && this.held.length === 0 && !this.tunnelPumpScheduled) {
        const chunks = buffer.takeChunks();
        for (let i = 0; i < chunks.length && !tunnel.done; i++) tunnel.requestData(chunks[i], false);
      } else if (this.failed) {
        buffer.clear();
      } else if (this.executing || this.held.length > 0 || tunnel !== undefined) {
        this.hold(buffer.takeChunks());
      } else {
        this.parseChunks(buffer.takeChunks());
      }
    }
    if (endStream && !this.peerEnded) {
      this.peerEnded = true;
      this.onPeerEnd();
    }
  }

  goAway(): void {
    if (this.goingAway || this.closing || this.closed) return;
    this.goingAway = true;
    if (this.isIdle()) this.close('FlushWrite');
  }

  onConnectionClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.closing = true;
    this.out.discard();
    this.held.clear();
    const s = this.active;
    this.active = undefined;
    this.tunnel = undefined;
    this.waiting = [];
    this.parsing = undefined;
    this.bodyOf = undefined;
    if (s !== undefined && !s.done) {
      s.done = true;
      s.receiver?.onReset('ConnectionTermination');
    }
    this.freeParser();
  }

  // ---- ConnectionEventListener ----

  onEvent(): void {}

  onBelowWriteBufferLowWatermark(): void {
    const onWritable = this.active?.onWritable;
    if (onWritable !== undefined) onWritable();
  }

  // ---- for ServerStream ----

  /** Whether responses can still be written. */
  get writable(): boolean {
    return !this.closing && !this.closed;
  }

  /** A new response should carry `Connection: close` (goAway, or the client half-closed with nothing else to answer). */
  get closeRequested(): boolean {
    return this.goingAway || (this.peerEnded && this.waiting.length === 0 && this.held.length === 0);
  }

  /** A stream completed both ways. */
  streamDone(s: ServerStream): void {
    s.done = true;
    if (this.active === s) this.active = undefined;
    if (this.tunnel === s) this.tunnel = undefined;
    s.releaseDisables();
    if (s.closeConnection || this.closing) {
      this.close('FlushWrite');
      return;
    }
    if (this.waiting.length > 0 || this.held.length > 0 || this.errorStatus !== 0) {
      this.scheduleAdvance();
      return;
    }
    if (!this.inMessage && (this.goingAway || this.peerEnded)) {
      this.close('FlushWrite');
      return;
    }
    this.resumeReading();
  }

  /** The responder reset its stream: the connection cannot carry on (the message is cut). */
  abortStream(s: ServerStream, reason: StreamResetReason): void {
    s.done = true;
    if (this.active === s) this.active = undefined;
    this.logger.debug({ connection: this.connection.id, reason }, 'http1: response stream reset; closing the connection');
    // A close-delimited body must not look complete: reset the socket instead of a clean FIN.
    this.close(s.framing === FRAMING_CLOSE ? 'NoFlush' : 'FlushWrite');
  }

  /** A 101 (CONNECT: 2xx) went out and the request is parsed: bytes are stream data from now on. */
  openTunnel(s: ServerStream): void {
    this.tunnel = s;
    this.holdForUpgrade = false;
    this.schedulePump();
  }

  /** A final non-101 response answered an upgrade request. */
  upgradeRefused(s: ServerStream): void {
    if (!s.requestComplete) return; // still being parsed as an ordinary message: ends at its completion
    this.holdForUpgrade = false;
    // The request had nothing after its head: it ends now (before the response can complete).
    if (!s.endDelivered) s.requestData(EMPTY, true);
  }

  // ---- ParserOwner (llhttp callbacks) ----

  onMessageBegin(): void {
    this.inMessage = true;
    this.inHead = true;
    this.partialHeaders = undefined;
    this.partialUrl = '';
    this.trailers = undefined;
  }

  onHeaderChunk(flat: string[], url: string): void {
    if (this.inHead) {
      this.partialHeaders = this.partialHeaders === undefined ? flat : this.partialHeaders.concat(flat);
      this.partialUrl += url;
    } else {
      this.trailers = this.trailers === undefined ? flat : this.trailers.concat(flat);
    }
  }

  onHeadersComplete(
    versionMajor: number,
    versionMinor: number,
    headers: string[] | undefined,
    methodIndex: number,
    url: string | undefined,
    _statusCode: number,
    upgrade: boolean,
    shouldKeepAlive: boolean,
  ): number {
    this.inHead = false;
    const flat = headers ?? this.partialHeaders ?? [];
    const target = url || this.partialUrl;
    this.partialHeaders = undefined;
    this.partialUrl = '';
    if (this.closing) return HC_CONTINUE;
    const head = readRequestHead(flat, methodIndex, target, versionMajor, versionMinor);
    if (head.problem !== '') {
      // Failed here rather than through execute's error: llhttp drops it for an upgrade request.
      this.onParseError({ name: 'Error', message: head.problem, code: 'HPE_CB_HEADERS_COMPLETE', reason: head.problem });
      return HC_REFUSE;
    }
    const method = head.method;
    const contentLength = head.contentLength;
    const s = new ServerStream(this, head.headers, method === 'HEAD', method === 'CONNECT', versionMinor === 0, shouldKeepAlive, head.upgradeValue);
    // What llhttp does next: an upgrade or a chunked body it parses itself (HC_CONTINUE); for a
    // Content-Length body or none it stops right after the head (HC_TUNNEL): the codec slices a
    // Content-Length body out of the read buffers itself (no copy, no callback per chunk), and
    // parsing stops at each message boundary, so a pipelined request waits as unparsed bytes.
    let next = HC_TUNNEL;
    if (upgrade) {
      s.upgrade = true;
      next = HC_CONTINUE;
    } else if (head.chunked) {
      next = HC_CONTINUE;
    } else if (contentLength > 0) {
      this.bodyOf = s;
      this.bodyLeft = contentLength;
    } else {
      s.headersEnd = true;
      s.endDelivered = true;
      s.requestComplete = true;
    }
    this.parsing = s;
    if (this.active === undefined && this.waiting.length === 0 && this.errorStatus === 0) {
      this.begin(s);
    } else {
      this.waiting.push(s);
      this.pauseReading();
    }
    return next;
  }

  /** Chunked bodies (and an upgrade request's Content-Length body), as llhttp decodes them. */
  onBody(chunk: Buffer): void {
    const s = this.parsing;
    if (s === undefined || this.closing) return;
    s.requestData(chunk, false);
  }

  onMessageComplete(): void {
    // After a Content-Length head llhttp reports the message complete at once: the body is ours.
    if (this.bodyOf !== undefined) return;
    this.inMessage = false;
    const s = this.parsing;
    this.parsing = undefined;
    const trailers = this.trailers;
    this.trailers = undefined;
    if (s === undefined || this.closing) return;
    s.requestComplete = true;
    if (s.upgrade) {
      // llhttp stops after this message; what follows waits for the response's decision (or, when
      // the 101 already went out, is tunnel data).
      if (s.framing === FRAMING_TUNNEL) this.openTunnel(s);
      else this.holdForUpgrade = true;
      return;
    }
    if (!s.endDelivered) {
      if (trailers !== undefined && trailers.length > 0) s.requestTrailers(HeaderMap.fromFlat(trailers));
      else s.requestData(EMPTY, true);
    }
    if (s.responseComplete) s.checkDone();
  }

  // ---- internals ----

  private begin(s: ServerStream): void {
    this.active = s;
    s.receiver = this.callbacks.onNewStream(s);
    if (!s.done) s.replay();
  }

  private parseChunks(chunks: Buffer[]): void {
    this.executing = true;
    try {
      for (let i = 0; i < chunks.length; i++) {
        if (!this.parseChunk(chunks[i])) {
          if (!this.closing && !this.failed) this.holdRest(chunks, i + 1);
          return;
        }
      }
    } finally {
      this.executing = false;
      if (this.closed) this.freeParser();
    }
  }

  /**
   * Parses one read chunk: Content-Length body bytes are sliced off here, the rest goes through
   * llhttp. Returns false when parsing stopped before the end (the rest is held, or dropped after
   * a failure).
   */
  private parseChunk(chunk: Buffer): boolean {
    const len = chunk.length;
    let at = 0;
    while (at < len) {
      if (this.closing || this.failed) return false;
      const body = this.bodyOf;
      if (body !== undefined) {
        const n = Math.min(this.bodyLeft, len - at);
        const slice = at === 0 && n === len ? chunk : chunk.subarray(at, at + n);
        at += n;
        this.bodyLeft -= n;
        if (this.bodyLeft > 0) body.requestData(slice, false);
        else this.endBody(body, slice);
        continue;
      }
      if (this.mustHold()) {
        this.held.append(at === 0 ? chunk : chunk.subarray(at));
        this.pauseReading();
        return false;
      }
      if (!this.inMessage && parseRequestHead(chunk, at, this.maxHeaderBytes, this.fastHead)) {
        at += this.fastHead.length;
        this.onFastHead(this.fastHead);
        continue;
      }
      const result = this.parser.execute(at === 0 ? chunk : chunk.subarray(at));
      if (typeof result !== 'number') {
        if (!this.failed) this.onParseError(result);
        return false;
      }
      if (result <= 0) {
        // Nothing consumed (cannot happen with llhttp; never spin on it).
        this.held.append(chunk.subarray(at));
        this.pauseReading();
        return false;
      }
      at += result;
    }
    return true;
  }

  /**
   * A request head the JS fast path parsed (head-parser.ts): the same callbacks as llhttp's, in
   * its order. It has no body or a Content-Length one, so llhttp would stop after the head
   * (HC_TUNNEL) and report the message complete at once.
   */
  private onFastHead(h: ParsedHead): void {
    this.onMessageBegin();
    const next = this.onHeadersComplete(1, h.versionMinor, h.flat, h.methodIndex, h.target, 0, false, h.keepAlive);
    if (next === HC_TUNNEL) this.onMessageComplete();
  }

  /** Whether the next bytes must wait unparsed: a response (or a decision) is due first. */
  private mustHold(): boolean {
    return this.holdForUpgrade || this.tunnel !== undefined || this.waiting.length > 0 || (!this.inMessage && this.active !== undefined);
  }

  /** The last bytes of a Content-Length body: the request message is complete. */
  private endBody(s: ServerStream, last: Buffer): void {
    this.bodyOf = undefined;
    this.inMessage = false;
    this.parsing = undefined;
    // Complete before the receiver hears it: a response given synchronously from this onData
    // need not close the connection.
    s.requestComplete = true;
    s.requestData(last, true);
    if (s.responseComplete) s.checkDone();
  }

  private holdRest(chunks: Buffer[], from: number): void {
    for (let j = from; j < chunks.length; j++) this.held.append(chunks[j]);
    if (this.held.length > 0) this.pauseReading();
  }

  private hold(chunks: Buffer[]): void {
    for (let i = 0; i < chunks.length; i++) this.held.append(chunks[i]);
    this.pauseReading();
  }

  private scheduleAdvance(): void {
    if (this.advanceScheduled) return;
    this.advanceScheduled = true;
    queueMicrotask(this.advanceLater);
  }

  /** Moves on after a stream is done: the next waiting stream, the held bytes, a pending 400. */
  private advance(): void {
    for (;;) {
      if (this.closing || this.closed || this.executing) return;
      if (this.active !== undefined) {
        // A stream runs: read on (its body) unless more requests are already waiting.
        if (this.waiting.length === 0 && this.held.length === 0 && !this.holdForUpgrade) this.resumeReading();
        return;
      }
      const next = this.waiting.shift();
      if (next !== undefined) {
        this.begin(next);
        continue;
      }
      if (this.errorStatus !== 0) {
        this.replyError();
        return;
      }
      if (this.held.length > 0 && !this.holdForUpgrade && !this.failed && this.tunnel === undefined) {
        this.parseChunks(this.held.takeChunks());
        continue;
      }
      break;
    }
    if (this.held.length === 0) this.resumeReading();
    if (this.peerEnded) this.onPeerEnd();
    else if (this.goingAway && this.isIdle()) this.close('FlushWrite');
  }

  /** The client sent FIN. Handled once nothing parsed before it is waiting. */
  private onPeerEnd(): void {
    if (this.peerEndHandled || this.closing || this.closed) return;
    const tunnel = this.tunnel;
    if (tunnel !== undefined) {
      if (this.held.length > 0 || this.tunnelPumpScheduled) return; // the pump delivers it in order
      this.peerEndHandled = true;
      tunnel.tunnelInEnded = true;
      tunnel.requestData(EMPTY, true);
      tunnel.checkDone();
      return;
    }
    if (this.held.length > 0 || this.waiting.length > 0 || this.holdForUpgrade || this.errorStatus !== 0) return; // later, from advance
    this.peerEndHandled = true;
    if (this.inMessage) {
      // The request was cut by the FIN.
      const s = this.parsing;
      this.parsing = undefined;
      this.bodyOf = undefined;
      this.logger.debug({ connection: this.connection.id }, 'http1: client closed in the middle of a request');
      if (s !== undefined && s.receiver !== undefined && !s.done) {
        s.done = true;
        if (this.active === s) this.active = undefined;
        s.receiver.onReset('RemoteReset', 'request truncated by the client closing');
      }
      this.close('FlushWrite');
      return;
    }
    // A complete request in flight is answered first (its response says Connection: close).
    if (this.active === undefined) this.close('FlushWrite');
  }

  private onParseError(err: ParseError): void {
    this.failed = true;
    this.held.clear();
    const code = err.code;
    const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const reason = err.reason ?? err.message;
    this.logger.warn(
      { connection: this.connection.id, remote: this.connection.remoteAddress, code, reason, status },
      `http1: bad request (${code}: ${reason}); answering ${status} and closing`,
    );
    const s = this.parsing;
    this.parsing = undefined;
    this.bodyOf = undefined;
    this.inMessage = false;
    if (s !== undefined) {
      if (s.receiver !== undefined) {
        // The begun stream's body or trailers were malformed.
        const responded = s.responseStarted;
        if (!s.done) {
          s.done = true;
          if (this.active === s) this.active = undefined;
          s.receiver.onReset('RemoteReset', `${code}: ${reason}`);
        }
        if (responded) {
          this.close('FlushWrite');
          return;
        }
      } else {
        const i = this.waiting.indexOf(s);
        if (i >= 0) this.waiting.splice(i, 1);
      }
    }
    this.errorStatus = status;
    if (this.active === undefined && this.waiting.length === 0) this.replyError();
    else this.pauseReading();
  }

  private replyError(): void {
    const status = this.errorStatus;
    this.errorStatus = 0;
    this.out.text(`${statusLine(status)}Content-Length: 0\r\nConnection: close\r\n\r\n`);
    this.close('FlushWrite');
  }

  private schedulePump(): void {
    if (this.tunnelPumpScheduled) return;
    this.tunnelPumpScheduled = true;
    queueMicrotask(this.pumpLater);
  }

  /** Delivers bytes held since the upgrade request (and a FIN) to the tunnel's stream. */
  private pumpTunnel(): void {
    const s = this.tunnel;
    if (s === undefined || s.done || this.closing) return;
    const chunks = this.held.takeChunks();
    for (let i = 0; i < chunks.length && !s.done; i++) s.requestData(chunks[i], false);
    this.resumeReading();
    if (this.peerEnded) this.onPeerEnd();
  }

  private pauseReading(): void {
    if (this.readPaused || this.closing) return;
    this.readPaused = true;
    this.connection.readDisable(true);
  }

  private resumeReading(): void {
    if (!this.readPaused) return;
    this.readPaused = false;
    this.connection.readDisable(false);
  }

  private isIdle(): boolean {
    return this.active === undefined && this.waiting.length === 0 && !this.inMessage && this.held.length === 0;
  }

  private close(type: 'FlushWrite' | 'NoFlush'): void {
    if (this.closing) return;
    this.closing = true;
    this.out.flush();
    this.connection.close(type);
  }

  private freeParser(): void {
    if (this.parserFreed || this.executing) return;
    this.parserFreed = true;
    this.parser.close();
  }
}
