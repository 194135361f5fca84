import type { HeaderMap } from './header-map';
import type { IoBuffer } from './io-buffer';
import type { PoolMode } from './protocol';

/**
 * The xprotocol contract: what a multiplexed RPC codec (bolt, boltv2, dubbo, ...) implements so the
 * kernel's xprotocol stream engine can run it (MOSN's `api.XProtocol`). The codec only knows bytes
 * and frames; the engine owns connections and streams: the downstream id → stream map, upstream id
 * allocation and rewriting on a shared connection, heartbeats, oneway requests, timeouts, the
 * proxy's local replies (hijack) and closing a connection that sent garbage.
 *
 * A plugin registers a codec with `PluginContext.registerXProtocol(name, codec)`; the kernel wraps
 * it into a `ProtocolFactory` registered under kind `protocol`, so configs name it like any
 * protocol (`downstream_protocol: "bolt"`).
 *
 * Frames are the codec's own objects (type parameter `F`); the engine never looks inside them and
 * asks the codec for everything it needs.
 */

/** Which way a frame goes (MOSN's `api.StreamType`). */
export type XFrameKind =
  /** A request that expects a response. */
  | 'request'
  /** A request that gets no response (bolt type 2, dubbo without the two-way flag). */
  | 'oneway'
  | 'response';

/**
 * HTTP-like status the engine hands to {@link XProtocolCodec.hijack} when a request frame could be
 * delimited but not decoded (MOSN's `api.CodecExceptionCode`, 0). bolt maps it to status 9.
 */
export const CODEC_EXCEPTION_STATUS = 0;

/**
 * What {@link XProtocolCodec.decode} returns when the bytes are not a valid frame.
 *
 * Without `frame` the connection cannot be trusted any more (wrong magic, unknown type, a length
 * beyond the maximum frame size): the engine logs `reason` and closes that connection only.
 * With `frame` (a request whose frame boundaries were intact, its bytes drained, but whose parts
 * could not be decoded, e.g. a broken header block) the engine answers that request with
 * `hijack(frame, CODEC_EXCEPTION_STATUS)` and keeps the connection, as MOSN does.
 */
export class XDecodeError<F = unknown> {
  constructor(
    readonly reason: string,
    readonly frame?: F,
  ) {}
}

/** Limits and hints passed to {@link XProtocolCodec.decode}. */
export interface XDecodeLimits {
  /**
   * Largest whole frame accepted, in bytes. A frame whose length fields add up to more must be
   * refused with an {@link XDecodeError} (without `frame`) before its bytes are awaited.
   */
  readonly maxFrameBytes: number;
  /**
   * Out: when decode returns undefined (need more) and already knows the whole frame's length,
   * it may set this to that length so the engine does not call decode again before that many
   * bytes are buffered. Reset to 0 by the engine before each call.
   */
  wantedBytes: number;
}

/** Keepalive of upstream connections (MOSN's xprotocol keepalive). */
export interface XKeepaliveSettings {
  /** Send a heartbeat after this long without reading anything from the upstream (ms; 0 = never). MOSN: 15 s. */
  readonly idleMs: number;
  /** A heartbeat not answered within this long failed (ms). MOSN: 1 s. */
  readonly timeoutMs: number;
  /** Close the connection after this many consecutive failed heartbeats. MOSN: 6. */
  readonly failuresToClose: number;
}

/**
 * A multiplexed RPC codec. Implement it as plain functions over the codec's frame type `F`;
 * keep no per-connection state (one codec serves every connection).
 */
export interface XProtocolCodec<F extends object = object> {
  /**
   * Codecs of one family decode and encode each other's frames, so a frame decoded by one can be
   * forwarded through the other without re-encoding (bolt and boltv2). Undefined: only itself.
   */
  readonly family?: string;
  /** `multiplex` (bolt, dubbo: many requests share one upstream connection) or `ping-pong`. */
  readonly poolMode: PoolMode;
  /** The protocol's own frame size cap in bytes; the engine uses the smaller of this and the listener's limit. */
  readonly maxFrameBytes?: number;
  /** Largest request id the wire can carry (bolt: 2^32 - 1). Upstream ids wrap to 1 after it. */
  readonly maxRequestId: number;
  /** Keepalive of upstream connections; MOSN's defaults (15 s idle, 1 s timeout, 6 failures) when absent. */
  readonly keepalive?: Partial<XKeepaliveSettings>;

  /**
   * For `Auto` listeners: does a connection starting with these bytes speak this protocol?
   * `need-more` asks to be called again with more bytes.
   */
  match(firstBytes: Buffer): 'match' | 'mismatch' | 'need-more';

  /**
   * Decodes one frame from the front of `buffer` and drains its bytes. Returns undefined (draining
   * nothing) when the buffer holds less than a whole frame, or an {@link XDecodeError}.
   */
  decode(buffer: IoBuffer, limits: XDecodeLimits): F | undefined | XDecodeError<F>;
  /** The frame's bytes. */
  encode(frame: F): Buffer;

  kind(frame: F): XFrameKind;
  getRequestId(frame: F): number;
  setRequestId(frame: F, id: number): void;
  /**
   * Fast path: the frame's bytes exactly as decoded (a view, not a copy), or undefined for a
   * frame built locally. The engine forwards these bytes when neither headers nor body changed.
   */
  rawFrame(frame: F): Buffer | undefined;
  /** Fast path: writes `id` into the request-id field of `raw` (from {@link rawFrame}) in place. */
  rewriteRequestId(raw: Buffer, id: number): void;

  /** Heartbeats are answered by the engine and never reach the proxy. */
  isHeartbeat(frame: F): boolean;
  /** A goaway control frame (bolt cmdcode 100): an upstream connection that sends one takes no new requests. */
  isGoAway?(frame: F): boolean;
  /** Builds a heartbeat request carrying `id` (MOSN's `Heartbeater.Trigger`). */
  heartbeatRequest(id: number): F;
  /** Builds the reply to a heartbeat request, with its id (MOSN's `Heartbeater.Reply`). */
  heartbeatReply(request: F): F;

  /**
   * Builds an error response to `request` for an HTTP-like status from the proxy (404 no route,
   * 502/503 upstream failure, 504 timeout, 403 denied, {@link CODEC_EXCEPTION_STATUS}, ...), mapped
   * to the protocol's own status (MOSN's `Hijacker.Hijack` + `Mapping`). The engine sets the id.
   */
  hijack(request: F, status: number): F;
  /** The HTTP-like status of a response frame (bolt: success → 200, timeout → 504, ...). */
  responseStatus(response: F): number;

  /**
   * Adds the frame's headers to `into` (bolt: the header block, where SOFARPC puts `service`).
   * Names starting with ':' are reserved for the engine.
   */
  readHeaders(frame: F, into: HeaderMap): void;
  /** The frame's body (bolt: the content; a view on the frame's bytes, not a copy). */
  body(frame: F): Buffer;
  /** The request's own timeout in ms (bolt's timeout field), or 0 when it has none. */
  timeoutMs(frame: F): number;
  /**
   * Slow path: a frame like `frame` (same version, type, codec, class...) with these headers
   * (names starting with ':' skipped) and this body. Used when a filter or route changed the
   * headers or body of a forwarded frame.
   */
  rebuild(frame: F, headers: HeaderMap, body: Buffer): F;
}
