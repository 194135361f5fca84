import type { HeaderMap } from './header-map';

/**
 * Why a stream ended early (MOSN's StreamResetReason names).
 * - `ConnectionTermination`: the connection carrying it closed.
 * - `ConnectionFailed`: the upstream connection could not be made.
 * - `LocalReset`: this side reset it (e.g. a filter, a codec error).
 * - `RemoteReset`: the peer reset it (HTTP/2 RST_STREAM, a malformed message from the peer).
 * - `Overflow`: a limit was hit (circuit breaker, pending queue); from an upstream codec: the peer
 *   refused the stream unprocessed (HTTP/2 REFUSED_STREAM), so the kernel may replay it.
 * - `UpstreamGlobalTimeout` / `UpstreamPerTryTimeout`: the route's or a try's timeout elapsed.
 */
export type StreamResetReason =
  | 'ConnectionTermination'
  | 'ConnectionFailed'
  | 'LocalReset'
  | 'RemoteReset'
  | 'Overflow'
  | 'UpstreamGlobalTimeout'
  | 'UpstreamPerTryTimeout';

/**
 * Receives one stream's parts as they are decoded. Headers come first, once; then data chunks;
 * then optionally trailers. `endStream` marks the last part (trailers always end the stream).
 */
export interface StreamReceiver {
  onHeaders(headers: HeaderMap, endStream: boolean): void;
  onData(data: Buffer, endStream: boolean): void;
  onTrailers(trailers: HeaderMap): void;
  /** The stream ended before completing; no more callbacks follow. */
  onReset(reason: StreamResetReason, detail?: string): void;
}

/**
 * Encodes one stream's parts onto the wire, in order: headers once, then data, then optional
 * trailers. `endStream` on the last part completes the stream.
 */
export interface StreamSender {
  sendHeaders(headers: HeaderMap, endStream: boolean): void;
  sendData(data: Buffer, endStream: boolean): void;
  sendTrailers(trailers: HeaderMap): void;
  /** Abandons the stream (HTTP/1: closes the connection unless the message is complete). */
  reset(reason: StreamResetReason): void;
  /**
   * Pauses (true) or resumes (false) reading this stream's body from the peer; counted like
   * Connection.readDisable. Protocols that multiplex may pause only this stream.
   */
  readDisable(disable: boolean): void;
  /** True while the peer cannot take more of this stream (its send buffer is above the limit). */
  readonly aboveWriteBufferHighWatermark: boolean;
  /** Called when the write side drains after {@link aboveWriteBufferHighWatermark} was true. */
  onWritable: (() => void) | undefined;
}
