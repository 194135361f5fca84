import type { XKeepaliveSettings, XProtocolCodec } from '../../../plugin-sdk';

/**
 * MOSN's xprotocol keepalive defaults: a heartbeat after a connection read nothing for
 * `types.DefaultConnReadTimeout` (15 s), answered within 1 s (`NewKeepAliveWithConfig`'s default
 * timeout), and the connection closed after 6 consecutive failures (`DefaultKeepaliveConfig.FailCountToClose`).
 */
export const DEFAULT_KEEPALIVE: XKeepaliveSettings = Object.freeze({ idleMs: 15_000, timeoutMs: 1_000, failuresToClose: 6 });

/** Header through which a request's own timeout reaches the proxy (MOSN's global timeout, in ms). */
export const GLOBAL_TIMEOUT_HEADER = 'x-mosn-global-timeout';

/** What the engine needs to know about a codec, resolved once per registered protocol. */
export interface XEngineSettings {
  /** The name the protocol is registered under (for logs). */
  readonly protocol: string;
  readonly keepalive: XKeepaliveSettings;
}

export function engineSettings(protocol: string, codec: XProtocolCodec): XEngineSettings {
  return Object.freeze({ protocol, keepalive: Object.freeze({ ...DEFAULT_KEEPALIVE, ...codec.keepalive }) });
}

/** The frame size limit for a connection: the smaller of the codec's and the listener's/cluster's. */
export function frameLimit(codec: XProtocolCodec, optionLimit: number): number {
  const own = codec.maxFrameBytes;
  return own !== undefined && own > 0 && own < optionLimit ? own : optionLimit;
}

/** The first bytes of a buffer in hex, for log lines about bytes that could not be decoded. */
export function hexPrefix(bytes: Buffer, n = 16): string {
  return bytes.subarray(0, n).toString('hex');
}
