import type { HeaderMap, StreamReceiver, StreamResetReason, StreamSender } from 'mosn-plugin-sdk';
import { chunkSizeLine, scanHeaders, statusLine, statusOf } from './head-encoder';
import type { Http1ServerConnection } from './server-codec';

const EMPTY = Buffer.alloc(0);

/** How a response body goes on the wire. */
export const FRAMING_NONE = 0; // no body (HEAD, 204, 304)
export const FRAMING_LENGTH = 1; // Content-Length
export const FRAMING_CHUNKED = 2;
export const FRAMING_CLOSE = 3; // until the connection closes (HTTP/1.0 client, unknown length)
export const FRAMING_TUNNEL = 4; // after 101 / CONNECT 2xx: raw bytes

/**
 * One request/response exchange on a downstream connection; it is the responder (StreamSender)
 * handed to `onNewStream`. Created when the request head is parsed. A request parsed while an
 * earlier response is still going out (pipelining) waits with its parts queued here and begins
 * (onNewStream, then its parts in order) when the earlier stream is done, so at most one stream
 * is given out at a time and responses leave in request order.
 */
export class ServerStream implements StreamSender {
  onWritable: (() => void) | undefined = undefined;
  receiver: StreamReceiver | undefined = undefined;

  // ---- request ----
  /** The request ended with its head (no body, not an upgrade). */
  headersEnd = false;
  /** llhttp finished parsing the request message. */
  requestComplete = false;
  /** endStream went to the receiver (or is queued for it). */
  endDelivered = false;
  /** Parts parsed before the stream began. */
  queue: Buffer[] | undefined = undefined;
  queuedTrailers: HeaderMap | undefined = undefined;
  /** An upgrade (Connection: upgrade + Upgrade) or CONNECT request awaiting its response. */
  upgrade = false;

  // ---- response ----
  responseStarted = false;
  responseComplete = false;
  framing = FRAMING_NONE;
  /** Content-Length bytes still to send. */
  sendRemaining = 0;
  /** The connection closes once this exchange is done. */
  closeConnection = false;

  // ---- tunnel ----
  tunnelInEnded = false;
  tunnelOutEnded = false;

  /** Detached from the connection: completed, reset, or the connection closed. */
  done = false;
  /** readDisable(true) calls not yet matched, released when the stream is done. */
  disables = 0;

  constructor(
    private readonly codec: Http1ServerConnection,
    readonly headers: HeaderMap,
    readonly isHead: boolean,
    readonly isConnect: boolean,
    readonly http10: boolean,
    readonly keepAlive: boolean,
    readonly upgradeValue: string | undefined,
  ) {}

  // ---- request parts, from the codec ----

  requestData(chunk: Buffer, end: boolean): void {
    if (end) this.endDelivered = true;
    const receiver = this.receiver;
    if (receiver !== undefined) {
      if (!this.done) receiver.onData(chunk, end);
      return;
    }
    if (chunk.length > 0 || end) (this.queue ??= []).push(chunk);
  }

  requestTrailers(trailers: HeaderMap): void {
    this.endDelivered = true;
    const receiver = this.receiver;
    if (receiver !== undefined) {
      if (!this.done) receiver.onTrailers(trailers);
      return;
    }
    this.queuedTrailers = trailers;
  }

  /** Gives the receiver the head and whatever was queued before the stream began. */
  replay(): void {
    const receiver = this.receiver!;
    const queue = this.queue;
    const trailers = this.queuedTrailers;
    this.queue = undefined;
    this.queuedTrailers = undefined;
    receiver.onHeaders(this.headers, this.headersEnd);
    if (queue !== undefined) {
      const last = queue.length - 1;
      for (let i = 0; i <= last && !this.done; i++) {
        // The queued end (endDelivered) rides on the last chunk unless trailers end the request.
        receiver.onData(queue[i], i === last && this.endDelivered && trailers === undefined);
      }
    }
    if (trailers !== undefined && !this.done) receiver.onTrailers(trailers);
  }

  // ---- StreamSender ----

  get aboveWriteBufferHighWatermark(): boolean {
    return this.codec.connection.aboveWriteBufferHighWatermark;
  }

  sendHeaders(headers: HeaderMap, endStream: boolean): void {
    const c = this.codec;
    if (this.done || this.responseComplete || !c.writable) return;
    const status = statusOf(headers);
    if (status === 0) {
      c.logger.warn({ connection: c.connection.id, status: headers.get(':status') }, 'http1: response without a valid :status; closing the connection');
      this.reset('LocalReset');
      return;
    }
    const scan = scanHeaders(headers);
    if (scan.invalid > 0) c.logger.debug({ connection: c.connection.id, dropped: scan.invalid }, 'http1: dropped response headers with invalid names or values');
    if (status < 200 && status !== 101) {
      // Interim response (100 Continue, 103 Early Hints): written now; the final one follows.
      // HTTP/1.0 clients must not get one (RFC 9110 §15.2).
      if (this.responseStarted || this.http10) return;
      c.out.text(statusLine(status) + scan.lines + '\r\n');
      c.out.flush();
      return;
    }
    if (this.responseStarted) return;
    this.responseStarted = true;
    let head = statusLine(status) + scan.lines;
    const tunnel = this.upgrade && (this.isConnect ? status >= 200 && status < 300 : status === 101);
    if (tunnel) {
      this.framing = FRAMING_TUNNEL;
      this.closeConnection = true; // no HTTP after a tunnel
      if (!this.isConnect) head += `Connection: Upgrade\r\nUpgrade: ${scan.upgrade ?? this.upgradeValue ?? ''}\r\n\r\n`;
      else head += '\r\n';
      c.out.text(head);
      c.out.flush();
      if (this.requestComplete) c.openTunnel(this);
      if (endStream) this.sendData(EMPTY, true);
      return;
    }
    if (status === 101) {
      c.logger.warn({ connection: c.connection.id }, 'http1: 101 response to a request that asked for no upgrade; closing the connection');
      this.reset('LocalReset');
      return;
    }
    let close = !this.keepAlive || c.closeRequested || !this.requestComplete;
    if (this.isHead || status === 204 || status === 304) {
      this.framing = FRAMING_NONE;
      // HEAD and 304 may tell the length the body would have; 204 must not (RFC 9110 §8.6).
      if (scan.contentLength >= 0 && status !== 204) head += `${scan.contentLengthName}: ${scan.contentLength}\r\n`;
    } else if (scan.contentLength >= 0) {
      this.framing = FRAMING_LENGTH;
      this.sendRemaining = scan.contentLength;
      head += `${scan.contentLengthName}: ${scan.contentLength}\r\n`;
    } else if (endStream) {
      this.framing = FRAMING_LENGTH;
      head += 'Content-Length: 0\r\n';
    } else if (!this.http10) {
      this.framing = FRAMING_CHUNKED;
      head += 'Transfer-Encoding: chunked\r\n';
    } else {
      this.framing = FRAMING_CLOSE;
      close = true;
    }
    this.closeConnection = close;
    if (close) head += 'Connection: close\r\n\r\n';
    else if (this.http10) head += 'Connection: keep-alive\r\n\r\n';
    else head += '\r\n';
    c.out.text(head);
    if (this.upgrade) {
      // The upgrade was refused: the request was an ordinary message after all.
      this.upgrade = false;
      c.upgradeRefused(this);
    }
    if (endStream) this.finishResponse();
    else c.out.later();
  }

  sendData(data: Buffer, endStream: boolean): void {
    const c = this.codec;
    if (this.done || !this.responseStarted || this.responseComplete || !c.writable) return;
    const out = c.out;
    switch (this.framing) {
      case FRAMING_TUNNEL:
        if (this.tunnelOutEnded) return;
        out.data(data);
        out.flush();
        if (endStream) {
          this.tunnelOutEnded = true;
          c.connection.end();
          this.checkDone();
        }
        return;
      case FRAMING_LENGTH: {
        let chunk = data;
        if (chunk.length > this.sendRemaining) {
          c.logger.debug({ connection: c.connection.id, excess: chunk.length - this.sendRemaining }, 'http1: response body longer than its Content-Length; truncated');
          chunk = chunk.subarray(0, this.sendRemaining);
          this.closeConnection = true;
        }
        this.sendRemaining -= chunk.length;
        out.data(chunk);
        break;
      }
      case FRAMING_CHUNKED:
        if (data.length > 0) {
          out.text(chunkSizeLine(data.length));
          out.data(data);
          out.text(endStream ? '\r\n0\r\n\r\n' : '\r\n');
        } else if (endStream) {
          out.text('0\r\n\r\n');
        }
        break;
      case FRAMING_CLOSE:
        out.data(data);
        break;
      default: // FRAMING_NONE: the response has no body
        break;
    }
    if (endStream) this.finishResponse();
    else out.later();
  }

  sendTrailers(trailers: HeaderMap): void {
    const c = this.codec;
    if (this.done || !this.responseStarted || this.responseComplete || !c.writable) return;
    if (this.framing === FRAMING_TUNNEL) {
      this.sendData(EMPTY, true);
      return;
    }
    if (this.framing === FRAMING_CHUNKED) c.out.text('0\r\n' + scanHeaders(trailers).lines + '\r\n');
    // Other framings have no place for trailers: the body just ends.
    this.finishResponse();
  }

  reset(reason: StreamResetReason): void {
    if (this.done) return;
    if (this.responseComplete && this.framing !== FRAMING_TUNNEL) return;
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

  private finishResponse(): void {
    this.responseComplete = true;
    if (this.framing === FRAMING_LENGTH && this.sendRemaining > 0) {
      // Shorter than announced: only closing tells the client the body is cut.
      this.closeConnection = true;
    }
    this.codec.out.flush();
    this.checkDone();
  }

  /** Done when the response is complete and the request too (or the connection closes anyway). */
  checkDone(): void {
    if (this.done) return;
    if (this.framing === FRAMING_TUNNEL) {
      if (this.tunnelInEnded && this.tunnelOutEnded) this.codec.streamDone(this);
      return;
    }
    if (this.responseComplete && (this.requestComplete || this.closeConnection)) this.codec.streamDone(this);
  }

  releaseDisables(): void {
    const connection = this.codec.connection;
    while (this.disables > 0) {
      this.disables--;
      connection.readDisable(false);
    }
  }
}
