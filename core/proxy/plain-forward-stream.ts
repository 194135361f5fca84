import type { HeaderMap, StreamReceiver, StreamResetReason, StreamSender } from '../../plugin-sdk';
import type { MatchedRoute } from '../router/matched-route';
import type { ClusterStats } from '../upstream/cluster-stats';
import type { ConnectionPool, PendingStream, PoolCallbacks, PoolFailureReason } from '../upstream/pool/connection-pool';
import type { UpstreamHost } from '../upstream/upstream-host';
import { Deadline, type DeadlineOwner } from '../network/deadlines';
import { DownstreamStream } from './downstream-stream';
import { localReplyHeaders } from './local-reply';
import type { DownstreamConnectionInfo, ProxyContext } from './proxy-context';
import { RequestLbContext } from './request-lb-context';
import { GLOBAL_TIMEOUT_HEADER, headerMs, TRY_TIMEOUT_HEADER } from './timeout-headers';
import { accountTryEnd, accountTryStart } from './try-accounting';

const NO_BODY = Buffer.alloc(0);

/**
 * The RPC fast path: one request on a listener with no stream filters and no access log, whose
 * route only names a cluster (no rewrite, retry policy, hash policy, direct response or
 * redirect). Such a request needs none of DownstreamStream's phases, retries or log record: it
 * is routed, sent to a pooled upstream stream as it came (for an xprotocol codec that is the raw
 * frame with its id rewritten), and the response is sent back as it came. It keeps what users see
 * of every request: the timeout (route's, or the frame's own), the one free replay of a request a
 * reused connection lost, local error replies, and the listener, cluster and host statistics.
 *
 * Anything else — a route needing more, a try-timeout header, no route — is handed, untouched, to
 * a DownstreamStream made on the spot: the fast path never changes what a request gets.
 */
export class PlainForwardStream implements StreamReceiver, PoolCallbacks, DeadlineOwner {
  /** The full stream this request was handed to, when it needs more than forwarding. */
  private full: DownstreamStream | undefined;
  private headers: HeaderMap | undefined;
  private requestEnded = false;
  private body: Buffer | undefined;
  private route: MatchedRoute | undefined;
  private clusterName = '';
  private clusterStats: ClusterStats | undefined;
  private pool: ConnectionPool | undefined;
  private pending: PendingStream | undefined;
  private upstream: StreamSender | undefined;
  private reused = false;
  private replayed = false;
  private tries = 0;
  private timer: Deadline | undefined;
  private startedAt = 0;
  private tryStartedAt = 0;
  /** When the last try ended (its clock reading), 0 before. */
  private endedAt = 0;
  private status = 0;
  private responding = false;
  private finished = false;
  /** Receives the upstream's response for this stream. */
  private readonly response = new PlainForwardResponse(this);

  constructor(
    private readonly ctx: ProxyContext,
    private readonly downstream: DownstreamConnectionInfo,
    private readonly responder: StreamSender,
  ) {}

  // ---- StreamReceiver: the downstream request ----

  onHeaders(headers: HeaderMap, endStream: boolean): void {
    const route = this.ctx.router?.match(headers);
    const clusterName = route?.forwardsUnchanged ? route.clusterName(headers) : undefined;
    if (!route || clusterName === undefined || !this.ctx.clusterManager.getCluster(clusterName) || headers.has(TRY_TIMEOUT_HEADER)) {
      this.handOver(headers, endStream);
      return;
    }
    this.headers = headers;
    this.route = route;
    this.clusterName = clusterName;
    this.requestEnded = endStream;
    this.startedAt = performance.now();
    const stats = this.ctx.stats;
    stats.requestTotal.inc();
    stats.requestActive.inc();
    const timeoutMs = headerMs(headers, GLOBAL_TIMEOUT_HEADER) ?? route.timeoutMs;
    if (timeoutMs > 0) {
      this.timer = new Deadline(this);
      this.timer.arm(timeoutMs, this.startedAt);
    }
    this.startTry();
  }

  onData(data: Buffer, endStream: boolean): void {
    if (this.full) {
      this.full.onData(data, endStream);
      return;
    }
    if (this.finished) return;
    if (endStream) this.requestEnded = true;
    // Kept whole for a replay; frames are whole messages, so this is the frame's own body.
    this.body = this.body === undefined ? data : Buffer.concat([this.body, data]);
    this.upstream?.sendData(data, endStream);
  }

  onTrailers(trailers: HeaderMap): void {
    if (this.full) this.full.onTrailers(trailers);
    else if (!this.finished) this.upstream?.sendTrailers(trailers);
  }

  onReset(reason: StreamResetReason): void {
    if (this.full) {
      this.full.onReset(reason);
      return;
    }
    if (this.finished) return;
    this.abandonUpstream();
    this.ctx.stats.requestReset.inc();
    this.finish();
  }

  // ---- the upstream try ----

  private startTry(): void {
    const cm = this.ctx.clusterManager;
    const pool = cm.getConnPool(this.clusterName, this.ctx.upstreamProtocol.name, this.ctx.upstreamProtocol.factory, this.lbContext());
    if (!pool) {
      this.localReply(503);
      return;
    }
    this.pool = pool;
    this.clusterStats ??= cm.clusterStats(this.clusterName);
    accountTryStart(this.clusterStats, pool.host);
    this.tryStartedAt = this.tries++ === 0 ? this.startedAt : performance.now();
    this.endedAt = 0;
    this.pending = pool.newStream(this.response, this);
  }

  private lbContext(): RequestLbContext {
    return new RequestLbContext(this.downstream.connection, this.headers!, this.route!.hashPolicy, this.downstream.clientIp);
  }

  onPoolReady(sender: StreamSender, _host: UpstreamHost, reused: boolean): void {
    this.pending = undefined;
    if (this.finished) {
      sender.reset('LocalReset');
      return;
    }
    this.upstream = sender;
    this.reused = reused;
    const body = this.body;
    sender.sendHeaders(this.headers!, this.requestEnded && body === undefined);
    if (body !== undefined) sender.sendData(body, this.requestEnded);
  }

  /** Overflow or no connection: 503 either way (the full path's flags only matter to access logs, which this path has none of). */
  onPoolFailure(_reason: PoolFailureReason, _host: UpstreamHost): void {
    this.pending = undefined;
    if (this.finished) return;
    this.endTry(false);
    this.localReply(503);
  }

  // ---- the upstream response (through PlainForwardResponse) ----

  onUpstreamHeaders(headers: HeaderMap, endStream: boolean): void {
    if (this.finished) return;
    this.responding = true;
    this.status = Number(headers.get(':status') ?? 0);
    this.responder.sendHeaders(headers, endStream);
    if (endStream) this.responseEnded();
  }

  onUpstreamData(data: Buffer, endStream: boolean): void {
    if (this.finished) return;
    this.responder.sendData(data, endStream);
    if (endStream) this.responseEnded();
  }

  onUpstreamTrailers(trailers: HeaderMap): void {
    if (this.finished) return;
    this.responder.sendTrailers(trailers);
    this.responseEnded();
  }

  onUpstreamReset(reason: StreamResetReason): void {
    if (this.finished) return;
    this.upstream = undefined;
    if (!this.responding) {
      this.upstreamFailed(reason);
      return;
    }
    this.endTry(false);
    if (reason === 'LocalReset') this.clusterStats!.requestLocalReset.inc();
    else this.clusterStats!.requestRemoteReset.inc();
    this.responder.reset(reason);
    this.ctx.stats.requestReset.inc();
    this.finish();
  }

  private responseEnded(): void {
    this.upstream = undefined;
    this.endTry(this.status < 500);
    this.finish();
  }

  /** DeadlineOwner: the request's timeout passed. */
  onDeadline(): void {
    if (this.finished) return;
    this.clusterStats?.requestTimeout.inc();
    this.abandonUpstream();
    if (this.responding) {
      this.responder.reset('UpstreamGlobalTimeout');
      this.finish();
    } else {
      this.localReply(504);
    }
  }

  // ---- endings ----

  /** Gives the request to a full DownstreamStream, as if it had been one from the start. */
  private handOver(headers: HeaderMap, endStream: boolean): void {
    const full = new DownstreamStream(this.ctx, this.downstream, this.responder);
    this.full = full;
    full.onHeaders(headers, endStream);
  }

  /** The upstream failed before responding: one replay when a reused connection lost it unsent. */
  private upstreamFailed(reason: StreamResetReason): void {
    const stale = (this.reused && reason === 'ConnectionTermination') || reason === 'Overflow';
    this.endTry(false);
    if (reason === 'LocalReset') this.clusterStats!.requestLocalReset.inc();
    else this.clusterStats!.requestRemoteReset.inc();
    if (stale && !this.replayed) {
      this.replayed = true;
      this.upstream = undefined;
      this.startTry();
      return;
    }
    this.localReply(503);
  }

  private localReply(status: number): void {
    this.status = status;
    this.responder.sendHeaders(localReplyHeaders(status, NO_BODY), true);
    this.finish();
  }

  private abandonUpstream(): void {
    if (this.pending) {
      this.pending.cancel();
      this.pending = undefined;
      this.endTry(false);
    } else if (this.upstream) {
      this.upstream.reset('LocalReset');
      this.upstream = undefined;
      this.endTry(false);
    }
  }

  /** The try's cluster and host accounting (once per try). */
  private endTry(success: boolean): void {
    const pool = this.pool;
    if (!pool) return;
    this.pool = undefined;
    this.endedAt = accountTryEnd(this.clusterStats!, pool.host, this.tryStartedAt, success);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.timer?.disarm();
    const stats = this.ctx.stats;
    stats.requestActive.dec();
    stats.countResponse(this.status);
    // The try usually ended just now: its clock reading serves (one read less per request).
    stats.requestTime.observe((this.endedAt || performance.now()) - this.startedAt);
    this.headers = undefined;
    this.body = undefined;
  }
}

/** The upstream stream's receiver: hands each part of the response to its PlainForwardStream. */
class PlainForwardResponse implements StreamReceiver {
  constructor(private readonly stream: PlainForwardStream) {}

  onHeaders(headers: HeaderMap, endStream: boolean): void {
    this.stream.onUpstreamHeaders(headers, endStream);
  }

  onData(data: Buffer, endStream: boolean): void {
    this.stream.onUpstreamData(data, endStream);
  }

  onTrailers(trailers: HeaderMap): void {
    this.stream.onUpstreamTrailers(trailers);
  }

  onReset(reason: StreamResetReason): void {
    this.stream.onUpstreamReset(reason);
  }
}
