import type { HeaderMap, StreamReceiver, StreamResetReason, StreamSender } from 'mosn-plugin-sdk';
import type { Http1ClientConnection } from './client-codec';
import { chunkSizeLine, hasToken, scanHeaders, validRequestLine } from './head-encoder';

/** How a request body goes on the wire. */
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
