import type { HeaderMap, StreamReceiver, StreamResetReason, StreamSender } from '../../../plugin-sdk';
import { encodeForwarded } from './frame-forwarding';
import { FrameHeaderMap, sameFamily } from './frame-header-map';
import type { XServerConnection } from './server-connection';

/**
 * One request from a downstream client, as the responder the proxy answers through. The response
 * is one frame written when the proxy ends it:
 * - a response frame that came from an upstream of the same protocol family is forwarded with the
 *   request's own id (raw bytes when unchanged);
 * - anything else is a reply made by the proxy (`:status` 404 no route, 503 no upstream, 504
 *   timeout...): the codec turns it into the protocol's error response (hijack), as MOSN does.
 * A oneway request gets nothing on the wire, whatever the proxy answers.
 */
export class XServerStream<F extends object> implements StreamSender {
  receiver: StreamReceiver | undefined;
  done = false;
  onWritable: (() => void) | undefined;
  private headers: HeaderMap | undefined;
  private body: Buffer | undefined;
  private bodyChunks: Buffer[] | undefined;
  /** readDisable(true) calls of this stream not yet undone; undone when it ends. */
  private readDisabled = 0;

  constructor(
    private readonly owner: XServerConnection<F>,
    readonly request: F,
    readonly id: number,
    readonly oneway: boolean,
  ) {}

  sendHeaders(headers: HeaderMap, endStream: boolean): void {
    if (this.done) return;
    this.headers = headers;
    if (endStream) this.respond();
  }

  sendData(data: Buffer, endStream: boolean): void {
    if (this.done) return;
    if (this.body === undefined) this.body = data;
    else (this.bodyChunks ??= [this.body]).push(data);
    if (endStream) this.respond();
  }

  sendTrailers(_trailers: HeaderMap): void {
    // RPC frames have no trailers: the response ends here.
    if (!this.done) this.respond();
  }

  /**
   * The proxy gave up on the request after starting its response. Rather than leave the client
   * waiting for its own timeout, it gets an error response (504 for a timeout, else 502, mapped).
   */
  reset(reason: StreamResetReason): void {
    if (this.done) return;
    this.done = true;
    if (!this.oneway) this.writeHijack(reason === 'UpstreamGlobalTimeout' || reason === 'UpstreamPerTryTimeout' ? 504 : 502);
    this.finish();
  }

  readDisable(disable: boolean): void {
    if (this.done) return;
    if (disable) this.readDisabled++;
    else if (this.readDisabled > 0) this.readDisabled--;
    else return;
    this.owner.connection.readDisable(disable);
  }

  get aboveWriteBufferHighWatermark(): boolean {
    return this.owner.connection.aboveWriteBufferHighWatermark;
  }

  /** The downstream connection closed: the proxy's stream is reset. */
  onConnectionReset(): void {
    if (this.done) return;
    this.finish();
    this.receiver?.onReset('ConnectionTermination');
  }

  /** Writes the response (before finishing: finishing may close a half-closed connection). */
  private respond(): void {
    const headers = this.headers;
    const body = this.bodyChunks ? Buffer.concat(this.bodyChunks) : this.body;
    this.done = true;
    this.headers = undefined;
    this.body = undefined;
    this.bodyChunks = undefined;
    if (!this.oneway) {
      const codec = this.owner.codec;
      if (headers instanceof FrameHeaderMap && sameFamily(headers.codec, codec) && codec.kind(headers.frame as F) === 'response') {
        this.writeForwarded(headers, body);
      } else {
        const status = Number(headers?.get(':status'));
        this.writeHijack(Number.isFinite(status) ? status : 500);
      }
    }
    this.finish();
  }

  private writeForwarded(headers: FrameHeaderMap, body: Buffer | undefined): void {
    let bytes: Buffer;
    try {
      bytes = encodeForwarded(this.owner.codec, headers, body, this.id);
    } catch (err) {
      this.owner.logger.error(
        { connection: this.owner.connection.id, requestId: this.id, err: err instanceof Error ? err.message : String(err) },
        'xprotocol: could not encode the response; answering with an error',
      );
      this.writeHijack(500);
      return;
    }
    this.owner.write(bytes);
  }

  private writeHijack(status: number): void {
    const codec = this.owner.codec;
    const reply = codec.hijack(this.request, status);
    codec.setRequestId(reply, this.id);
    this.owner.write(codec.encode(reply));
  }

  private finish(): void {
    this.done = true;
    this.onWritable = undefined;
    while (this.readDisabled > 0) {
      this.readDisabled--;
      this.owner.connection.readDisable(false);
    }
    this.owner.streamDone(this);
  }
}
