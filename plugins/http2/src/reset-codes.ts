import type { StreamResetReason } from 'mosn-plugin-sdk';
import { constants } from 'node:http2';

const C = constants;

/** RST_STREAM / GOAWAY error code names (RFC 9113 §7), for log lines and reset details. */
const CODE_NAMES: readonly string[] = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
];

export function codeName(code: number): string {
  return CODE_NAMES[code] ?? `0x${code.toString(16)}`;
}

/**
 * The RST_STREAM code sent toward the upstream when the proxy abandons a request stream:
 * the downstream went away, a timeout or a filter gave up (CANCEL, so a gRPC server sees the call
 * cancelled); a stream the proxy never let start is REFUSED_STREAM (safe to retry).
 */
export function clientResetCode(reason: StreamResetReason): number {
  switch (reason) {
    case 'ConnectionFailed':
    case 'Overflow':
      return C.NGHTTP2_REFUSED_STREAM;
    case 'ConnectionTermination':
      return C.NGHTTP2_INTERNAL_ERROR;
    default: // LocalReset, RemoteReset (the downstream reset it), timeouts
      return C.NGHTTP2_CANCEL;
  }
}

/**
 * The RST_STREAM code sent toward the downstream client when its response cannot complete:
 * the upstream reset it or its connection died mid-response (INTERNAL_ERROR: the client knows the
 * response is cut), a timeout (CANCEL), a limit (REFUSED_STREAM: not processed, may retry).
 */
export function serverResetCode(reason: StreamResetReason): number {
  switch (reason) {
    case 'Overflow':
    case 'ConnectionFailed':
      return C.NGHTTP2_REFUSED_STREAM;
    case 'UpstreamGlobalTimeout':
    case 'UpstreamPerTryTimeout':
      return C.NGHTTP2_CANCEL;
    default: // LocalReset, RemoteReset, ConnectionTermination
      return C.NGHTTP2_INTERNAL_ERROR;
  }
}

/**
 * Why a stream ended early, from the code the peer sent (or Node recorded): REFUSED_STREAM means
 * the peer did not process it (Overflow, as a circuit breaker would say); a connection that went
 * away is ConnectionTermination; any other code is the peer's RemoteReset.
 */
export function resetReasonOf(code: number, sessionGone: boolean): StreamResetReason {
  if (sessionGone) return 'ConnectionTermination';
  if (code === C.NGHTTP2_REFUSED_STREAM) return 'Overflow';
  return 'RemoteReset';
}
