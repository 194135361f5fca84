import { HeaderMap } from '../../../plugin-sdk';
import type { StreamReceiver, StreamResetReason, StreamSender } from '../../../plugin-sdk';
import { encodeForwarded } from './frame-forwarding';
import { FrameHeaderMap, sameFamily } from './frame-header-map';
import type { XClientConnection } from './client-connection';

/**
 * One request on a shared upstream connection, under an id this connection allocated. The request
 * is one frame, written when the proxy ends it: the downstream frame's bytes with the upstream id
 * (raw when unchanged). The matching response frame comes back through {@link onResponse}.
 *
 * A oneway request gets no response on the wire; the proxy still needs its stream to end, so
 * once the frame is written the stream ends with a synthetic 200 that no one sees (the
 * downstream side of a oneway request writes nothing).
 */
export class XClientStream<F extends object> implements StreamSender {
  done = false;
  onWritable: (() => void) | undefined;
  private headers: HeaderMap | undefined;
  private body: Buffer | undefined;
  private bodyChunks: Buffer[] | undefined;

  constructor(
    private readonly owner: XClientConnection<F>,
    readonly receiver: StreamReceiver,
    readonly id: number,
  ) {}

  sendHeaders(headers: HeaderMap, endStream: boolean): void {
    if (this.done) return;
    this.headers = headers;
    if (endStream) this.send();
  }

  sendData(data: Buffer, endStream: boolean): void {
    if (this.done) return;
    if (this.body === undefined) this.body = data;
    else (this.bodyChunks ??= [this.body]).push(data);
    if (endStream) this.send();
  }

  sendTrailers(_trailers: HeaderMap): void {
    if (!this.done) this.send();
  }

  /** The caller abandoned it: a late response to its id is dropped (MOSN deletes the id too). */
  reset(_reason: StreamResetReason): void {
    if (this.done) return;
    this.done = true;
    this.owner.streamDone(this);
  }

  /**
   * Responses are whole frames decoded at once, so there is no response body to pause for one
   * stream; pausing the shared connection would stall every other stream on it.
   */
  readDisable(_disable: boolean): void {}

  get aboveWriteBufferHighWatermark(): boolean {
    return this.owner.connection.aboveWriteBufferHighWatermark;
  }

  /** The response frame for this stream's id. */
  onResponse(frame: F): void {
    if (this.done) return;
    this.done = true;
    const codec = this.owner.codec;
    const headers = new FrameHeaderMap(codec, frame);
    headers.add(':status', statusText(codec.responseStatus(frame)));
    codec.readHeaders(frame, headers);
    headers.changed = false;
    const body = codec.body(frame);
    this.receiver.onHeaders(headers, body.length === 0);
    if (body.length > 0) this.receiver.onData(body, true);
  }

  /** The connection closed (or failed) with this stream on it. */
  onConnectionReset(reason: StreamResetReason): void {
    if (this.done) return;
    this.done = true;
    this.receiver.onReset(reason);
  }

  /** Oneway: the request is on the wire and nothing will answer it. */
  onOnewaySent(): void {
    // A fresh map each time: the proxy may add response headers to it.
    this.receiver.onHeaders(HeaderMap.fromFlat([':status', '200']), true);
  }

  private send(): void {
    const headers = this.headers;
    const body = this.bodyChunks ? Buffer.concat(this.bodyChunks) : this.body;
    this.headers = undefined;
    this.body = undefined;
    this.bodyChunks = undefined;
    const codec = this.owner.codec;
    if (!(headers instanceof FrameHeaderMap) || !sameFamily(headers.codec, codec)) {
      // A request from another protocol (e.g. HTTP) has no frame to forward; converting between
      // protocols is a transcoder's job, not the codec's.
      this.owner.logger.warn(
        { connection: this.owner.connection.id, protocol: this.owner.protocol },
        'xprotocol: upstream request did not come from a downstream of the same protocol family; resetting it',
      );
      this.done = true;
      this.owner.streamDone(this);
      process.nextTick(resetLater, this.receiver);
      return;
    }
    const oneway = codec.kind(headers.frame as F) === 'oneway';
    let bytes: Buffer;
    try {
      bytes = encodeForwarded(codec, headers, body, this.id);
    } catch (err) {
      this.owner.logger.error({ connection: this.owner.connection.id, err: err instanceof Error ? err.message : String(err) }, 'xprotocol: could not encode the upstream request; resetting it');
      this.done = true;
      this.owner.streamDone(this);
      process.nextTick(resetLater, this.receiver);
      return;
    }
    this.owner.write(bytes);
    if (oneway) {
      this.done = true;
      this.owner.streamDone(this);
      // After the caller's send call returns: it ends its request before it sees the response.
      process.nextTick(onewaySent, this);
    }
  }
}

/** `:status` values as strings, made once. */
const STATUS_TEXT: string[] = [];

function statusText(status: number): string {
  if (status >= 0 && status < 1000) return (STATUS_TEXT[status] ??= String(status));
  return String(status);
}

function onewaySent(stream: XClientStream<object>): void {
  stream.onOnewaySent();
}

function resetLater(receiver: StreamReceiver): void {
  receiver.onReset('LocalReset');
}
