import { performance } from 'node:perf_hooks';
import type { HeaderMap } from '../../plugin-sdk/api/header-map';

export { ResponseFlag } from './response-flags';
export type { ResponseFlagBit, ResponseFlagName } from './response-flags';

/**
 * What the L7 proxy knows about one request when it writes the access log: MOSN's RequestInfo
 * (pkg/network/requestinfo.go) plus the context variables MOSN's default format reads (trace_id,
 * connection_id, upstream_connection_id).
 *
 * One mutable object per request, meant to be reused: every field is set by `reset()`, which the constructor calls (one
 * hidden class for all records). "Not known" is "" for strings, 0 for
 * ids and times, undefined for header maps; the access log prints "-" for those where MOSN does.
 *
 * Times: `startTime` is wall clock (ms since the epoch, for `%start_time%`); `startHr`/`endHr` are
 * monotonic (performance.now(), ms with sub-microsecond resolution); durations are nanoseconds as
 * numbers (exact up to ~104 days), since the request start, as MOSN measures them.
 */
export class RequestLogRecord {
  /** Wall-clock start, ms since the epoch (0 = not started). */
  startTime!: number;
  /** Monotonic start, performance.now() ms. */
  startHr!: number;
  /** Monotonic end (performance.now() ms), 0 while the request runs; `%duration%` uses "now" then. */
  endHr!: number;
  /** Start → request sent upstream (MOSN: onUpstreamRequestSent). */
  requestReceivedDurationNs!: number;
  /** Start → upstream response headers received (MOSN: upstream OnReceive). */
  responseReceivedDurationNs!: number;
  /** Start → stream cleaned up (MOSN: cleanStream). */
  requestFinishedDurationNs!: number;
  /** Time the proxy itself spent: request forwarding plus response processing (MOSN's process_time). */
  processTimeDurationNs!: number;
  /** Body bytes received from downstream (MOSN counts request data frames, not headers). */
  bytesReceived!: number;
  /** Body bytes sent downstream (MOSN counts response data frames, not headers). */
  bytesSent!: number;
  /** Downstream protocol name as MOSN spells it: "Http1", "Http2", "bolt", "dubbo", ... */
  protocol!: string;
  /** Status code of the response (HTTP status, or the protocol's mapped code); 0 = none yet. */
  responseCode!: number;
  /** OR of `ResponseFlag` bits. */
  responseFlags!: number;
  /**
   * The selected upstream host as printed by `%upstream_host%`. MOSN prints the host's configured
   * `hostname` ("-" when it has none); the proxy should put the hostname when configured, else the
   * host address ("ip:port").
   */
  upstreamHost!: string;
  /** Name of the cluster the request was routed to. */
  upstreamCluster!: string;
  /**
   * Local "ip:port" of the upstream connection. (MOSN puts the upstream host's address here — a
   * MOSN bug not copied; the host is in `upstreamHost`.)
   */
  upstreamLocalAddress!: string;
  /** Local "ip:port" of the downstream connection (the listener side). */
  downstreamLocalAddress!: string;
  /** Remote "ip:port" of the downstream connection (the client). */
  downstreamRemoteAddress!: string;
  /** Name of the matched route ("" when none or unnamed). */
  routeName!: string;
  /** TLS SNI of the downstream connection. */
  requestedServerName!: string;
  /** Name of the listener the request came in on. */
  listenerName!: string;
  /** Trace id of the request (MOSN generates one per stream when tracing is on). */
  traceId!: string;
  /** Downstream connection id (0 = unknown). MOSN ids start at 1. */
  connectionId!: number;
  /** Upstream connection id (0 = none). */
  upstreamConnectionId!: number;
  /** Proxy stream id (0 = unknown). */
  streamId!: number;
  /** Downstream request headers, as received (MOSN: downstreamReqHeaders). */
  requestHeaders!: HeaderMap | undefined;
  /** Response headers sent downstream (MOSN: downstreamRespHeaders). */
  responseHeaders!: HeaderMap | undefined;
  /**
   * A textual reason for an upstream transport failure. When empty, `%upstream_transport_failure_reason%`
   * prints what MOSN prints: the response flags as "0x..." hex.
   */
  upstreamTransportFailureReason!: string;

  constructor() {
    // reset() assigns every field in declaration order, so all records share one shape.
    this.reset();
  }


  /** Puts every field back to "not known" so the record can serve another request. */
  reset(): void {
    this.startTime = 0;
    this.startHr = 0;
    this.endHr = 0;
    this.requestReceivedDurationNs = 0;
    this.responseReceivedDurationNs = 0;
    this.requestFinishedDurationNs = 0;
    this.processTimeDurationNs = 0;
    this.bytesReceived = 0;
    this.bytesSent = 0;
    this.protocol = '';
    this.responseCode = 0;
    this.responseFlags = 0;
    this.upstreamHost = '';
    this.upstreamCluster = '';
    this.upstreamLocalAddress = '';
    this.downstreamLocalAddress = '';
    this.downstreamRemoteAddress = '';
    this.routeName = '';
    this.requestedServerName = '';
    this.listenerName = '';
    this.traceId = '';
    this.connectionId = 0;
    this.upstreamConnectionId = 0;
    this.streamId = 0;
    this.requestHeaders = undefined;
    this.responseHeaders = undefined;
    this.upstreamTransportFailureReason = '';
  }

  /** Marks the request start (wall clock and monotonic). */
  start(): void {
    this.startTime = Date.now();
    this.startHr = performance.now();
  }

  /** Nanoseconds since `start()` (0 if not started). */
  elapsedNs(nowHr: number = performance.now()): number {
    return this.startHr === 0 ? 0 : Math.round((nowHr - this.startHr) * 1e6);
  }

  /** The request was sent upstream. */
  markRequestReceived(): void {
    this.requestReceivedDurationNs = this.elapsedNs();
  }

  /** The upstream response headers arrived. */
  markResponseReceived(): void {
    this.responseReceivedDurationNs = this.elapsedNs();
  }

  /** The stream is done: fixes `%duration%` and `%request_finished_duration%`. */
  markFinished(): void {
    const now = performance.now();
    this.endHr = now;
    this.requestFinishedDurationNs = this.elapsedNs(now);
  }

  /** Total duration in ns: start → end, or start → now while the request runs (as MOSN's Duration()). */
  durationNs(): number {
    if (this.startHr === 0) return 0;
    return this.elapsedNs(this.endHr !== 0 ? this.endHr : performance.now());
  }

  setResponseFlag(flag: number): void {
    this.responseFlags |= flag;
  }

  hasResponseFlag(flag: number): boolean {
    return (this.responseFlags & flag) !== 0;
  }
}

/**
 * "ip:port" as Go's net.Addr.String() prints a TCP address: IPv4-mapped IPv6 addresses as plain
 * IPv4 (Node reports "::ffff:10.0.0.1" on dual-stack sockets), other IPv6 in brackets. "" when the
 * address is unknown. Compute it once per connection, not per request.
 */
export function formatHostPort(address: string | undefined, port: number | undefined): string {
  if (!address) return '';
  let host = address;
  if (host.startsWith('::ffff:') && host.indexOf('.') > 0) host = host.slice(7);
  else if (host.indexOf(':') >= 0) host = `[${host}]`;
  return port === undefined ? host : `${host}:${port}`;
}
