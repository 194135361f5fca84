import type {
  Connection,
  HeaderMap,
  LoadBalancerContext,
  StreamReceiver,
  StreamResetReason,
  StreamSender,
} from '../../plugin-sdk';
import { RequestLogRecord, ResponseFlag } from '../accesslog/request-log-record';
import type { GenerationSet } from '../host/generation-set';
import { Deadline, type DeadlineOwner } from '../network/deadlines';
import type { MatchedRoute } from '../router/matched-route';
import type { ConnectionPool } from '../upstream/pool/connection-pool';
import { grpcLocalReplyHeaders, isGrpcRequest, LOCAL_REPLY_BODY, localReplyHeaders } from './local-reply';
import type { DownstreamConnectionInfo, ProxyContext } from './proxy-context';
import { isRetriable, type TryOutcome } from './retry-decision';
import { PHASES, StreamFilterChain } from './stream-filter-chain';
import type { FilterHandlerTarget } from './filter-handlers';
import { UpstreamRequest, type UpstreamRequestOwner } from './upstream-request';
import { RequestLbContext } from './request-lb-context';
import { GLOBAL_TIMEOUT_HEADER, headerMs, TRY_TIMEOUT_HEADER } from './timeout-headers';
import type { HashPolicy } from '../router/hash-policy';

const NO_HASH_POLICY: readonly HashPolicy[] = [];

/** Request bytes kept for a retry; a larger body turns retries off for that request (as Envoy). */
const RETRY_BUFFER_LIMIT = 1 << 20;
/** Body of the 503 for a request that a quarantined fail_closed filter would have handled. */
const QUARANTINED_BODY = 'filter unavailable\n';

/**
 * One request/response through the proxy (MOSN's downstream stream): receiver filters by phase,
 * route match, host choice, upstream tries with retries and timeouts, sender filters, the reply,
 * the access log. It is the receiver of the downstream codec's request stream.
 */
export class DownstreamStream implements StreamReceiver, UpstreamRequestOwner, FilterHandlerTarget, DeadlineOwner {
  readonly record: RequestLogRecord;
  private headers: HeaderMap | undefined;
  private requestEnded = false;
  /** Body received before the upstream is ready (and kept for retries while small). */
  private body: Buffer[] = [];
  private bodyBytes = 0;
  private bodyRetainable = true;
  private route: MatchedRoute | undefined;
  private clusterName: string | undefined;
  private pool: ConnectionPool | undefined;
  private upstream: UpstreamRequest | undefined;
  private filters: StreamFilterChain | undefined;
  private phase = 0;
  private readonly stopPosition = { index: 0 };
  private tries = 0;
  private retriesInFlight = false;
  /** The one replay allowed without a retry policy has been used. */
  private freeRetryUsed = false;
  private globalTimer: Deadline | undefined;
  private globalTimeoutMs = 0;
  private tryTimeoutMs = 0;
  /** Response headers went downstream: no more retries or local replies. */
  private responseStarted = false;
  private responseEnded = false;
  private finished = false;
  /** Sender filters stopped: response parts wait here until continueSending. */
  private heldResponse: { headers: HeaderMap; endStream: boolean; data: Buffer[]; dataEnd: boolean; trailers?: HeaderMap } | undefined;
  private readDisabledForBody = false;
  /** The plugin generations of this stream's filters, pinned while it runs (unset without filters). */
  private pinned: GenerationSet | undefined;

  private readonly connection: Connection;

  constructor(
    private readonly ctx: ProxyContext,
    private readonly downstream: DownstreamConnectionInfo,
    private readonly responder: StreamSender,
  ) {
    const connection = downstream.connection;
    this.connection = connection;
    this.record = new RequestLogRecord();
    const r = this.record;
    r.start();
    r.listenerName = ctx.listenerName;
    r.protocol = ctx.downstreamProtocol.name;
    r.downstreamLocalAddress = connection.localAddress;
    r.downstreamRemoteAddress = connection.remoteAddress;
    ctx.stats.requestTotal.inc();
    ctx.stats.requestActive.inc();
  }

  // ---- StreamReceiver: the downstream request ----

  onHeaders(headers: HeaderMap, endStream: boolean): void {
    if (this.finished) return;
    this.headers = headers;
    this.record.requestHeaders = headers;
    this.requestEnded = endStream;
    if (endStream) this.markRequestReceived();
    if (this.ctx.isHttp) this.addForwardedHeaders(headers);
    // The listener's set as of now: a plugin swap during this stream does not change its filters.
    const set = this.ctx.streamFilters.current;
    if (set.factories.length === 0) {
      this.phase = PHASES.length;
      this.afterPhase(0) && this.afterPhase(1) && this.afterPhase(2);
      return;
    }
    set.generations.pin();
    this.pinned = set.generations;
    const chain = new StreamFilterChain(this.ctx.logger);
    this.filters = chain;
    if (!chain.build(set.factories)) {
      this.filterFailed();
      return;
    }
    chain.setHandlers(this);
    this.runReceivePhases(0, 0);
  }

  onData(data: Buffer, endStream: boolean): void {
    if (this.finished) return;
    this.record.bytesReceived += data.length;
    if (endStream) {
      this.requestEnded = true;
      this.markRequestReceived();
    }
    const upstream = this.upstream;
    if (upstream?.ready) {
      if (this.bodyRetainable) this.retain(data);
      upstream.sendData(data, endStream);
      return;
    }
    this.retain(data, true);
  }

  onTrailers(trailers: HeaderMap): void {
    if (this.finished) return;
    this.requestEnded = true;
    this.markRequestReceived();
    this.bodyRetainable = false; // trailers are forwarded once; a retry could not replay them
    if (this.upstream?.ready) this.upstream.sendTrailers(trailers);
    else this.pendingTrailers = trailers;
  }

  private pendingTrailers: HeaderMap | undefined;

  onReset(reason: StreamResetReason): void {
    if (this.finished) return;
    this.record.responseFlags |= ResponseFlag.DownStreamTerminate;
    this.upstream?.abandon();
    this.finish(reason);
  }

  // ---- phases ----

  /** Runs receiver filters from (phase, index), with each phase's own work after its filters. */
  private runReceivePhases(phase: number, from: number): void {
    const chain = this.filters!;
    for (let p = phase; p < PHASES.length; p++) {
      this.phase = p;
      const result = chain.runReceivers(p, p === phase ? from : 0, this.headers!, this.requestEnded, this.stopPosition);
      if (result === 'stopped') return;
      if (result === 'terminated') {
        this.terminatedByFilter();
        return;
      }
      if (result === 'failed') {
        this.filterFailed();
        return;
      }
      if (!this.afterPhase(p)) return;
    }
    this.phase = PHASES.length;
  }

  private continueReceiving(): void {
    if (this.finished || this.phase >= PHASES.length) return;
    this.runReceivePhases(this.phase, this.stopPosition.index + 1);
  }

  /** The work that follows a phase's filters; false when the stream ended there. */
  private afterPhase(phase: number): boolean {
    if (this.finished) return false;
    if (phase === 0) return this.matchRoute();
    if (phase === 1) return this.chooseHost();
    this.startTry();
    return !this.finished;
  }

  private matchRoute(): boolean {
    const route = this.ctx.router?.match(this.headers!);
    if (!route) {
      this.record.responseFlags |= ResponseFlag.NoRouteFound;
      this.sendLocalReply(404);
      return false;
    }
    this.route = route;
    this.record.routeName = route.name;
    if (route.directResponse) {
      this.sendLocalReply(route.directResponse.status, route.directResponse.body ?? '');
      return false;
    }
    if (route.redirect) {
      this.sendLocalReply(route.redirect.responseCode, '', { location: route.redirectLocation(this.headers!) });
      return false;
    }
    const clusterName = route.clusterName(this.headers!);
    if (!clusterName || !this.ctx.clusterManager.getCluster(clusterName)) {
      this.record.responseFlags |= ResponseFlag.NoRouteFound;
      this.ctx.logger.debug({ route: route.name, cluster: clusterName }, 'route names no known cluster');
      this.sendLocalReply(clusterName ? 503 : 404);
      return false;
    }
    this.clusterName = clusterName;
    this.record.upstreamCluster = clusterName;
    this.globalTimeoutMs = headerMs(this.headers!, GLOBAL_TIMEOUT_HEADER) ?? route.timeoutMs;
    this.tryTimeoutMs = headerMs(this.headers!, TRY_TIMEOUT_HEADER) ?? route.retryPolicy?.retryTimeoutMs ?? 0;
    route.rewriteRequest(this.headers!);
    return true;
  }

  /**
   * What the balancer sees of this request: the connection, the headers (plugin balancers may
   * read them) and the route's hash_policy input for hashing balancers.
   */
  private lbContext(): LoadBalancerContext {
    return new RequestLbContext(this.connection, this.headers!, this.route?.hashPolicy ?? NO_HASH_POLICY, this.downstream.clientIp);
  }

  private chooseHost(): boolean {
    const pool = this.ctx.clusterManager.getConnPool(this.clusterName!, this.ctx.upstreamProtocol.name, this.ctx.upstreamProtocol.factory, this.lbContext());
    if (!pool) {
      this.record.responseFlags |= ResponseFlag.NoHealthyUpstream;
      this.sendLocalReply(503);
      return false;
    }
    this.pool = pool;
    this.record.upstreamHost = pool.host.address;
    return true;
  }

  // ---- upstream tries ----

  private startTry(): void {
    if (this.finished) return;
    this.tries++;
    if (this.tries === 1 && this.globalTimeoutMs > 0) {
      this.globalTimer = new Deadline(this);
      this.globalTimer.arm(this.globalTimeoutMs);
    }
    const upstream = new UpstreamRequest(this, this.pool!, this.headers!, this.tryTimeoutMs, this.ctx.clusterManager.clusterStats(this.clusterName!));
    this.upstream = upstream;
    upstream.start();
  }

  /** UpstreamRequestOwner: the pool gave a stream; send what the request has so far. */
  onUpstreamReady(upstream: UpstreamRequest, sender: StreamSender, hostAddress: string): void {
    if (upstream !== this.upstream || this.finished) return;
    this.record.upstreamHost = hostAddress;
    const bodyDone = this.requestEnded && !this.pendingTrailers;
    sender.sendHeaders(this.headers!, this.requestEnded && this.bodyBytes === 0 && !this.pendingTrailers);
    const chunks = this.body;
    for (let i = 0; i < chunks.length; i++) sender.sendData(chunks[i], bodyDone && i === chunks.length - 1);
    if (!this.bodyRetainable) {
      this.body = [];
      this.bodyBytes = 0;
    }
    if (this.pendingTrailers) sender.sendTrailers(this.pendingTrailers);
    if (this.readDisabledForBody) {
      this.readDisabledForBody = false;
      this.responder.readDisable(false);
    }
  }

  /** UpstreamRequestOwner: a try failed before any response went downstream. */
  onUpstreamFailure(upstream: UpstreamRequest, outcome: TryOutcome, flag: number, status: number, staleConnection: boolean): void {
    if (upstream !== this.upstream || this.finished) return;
    if (staleConnection && !this.freeRetryUsed && this.canReplay()) {
      // The upstream did not process it (stale keep-alive, refused stream): one free retry.
      this.freeRetryUsed = true;
      this.startTry();
      return;
    }
    if (this.shouldRetry(outcome)) {
      this.retry();
      return;
    }
    this.record.responseFlags |= flag;
    this.sendLocalReply(status);
  }

  /** UpstreamRequestOwner: response headers arrived. Returns false when they were swallowed for a retry. */
  onUpstreamHeaders(upstream: UpstreamRequest, headers: HeaderMap, endStream: boolean): boolean {
    if (upstream !== this.upstream || this.finished) return false;
    const status = statusOf(headers);
    if (status >= 100 && status < 200 && status !== 101) {
      this.responder.sendHeaders(headers, false); // interim (100 Continue): relayed as is
      return true;
    }
    if (this.shouldRetry({ kind: 'status', status })) {
      upstream.abandon();
      this.retry();
      return false;
    }
    this.record.responseCode = status;
    this.record.responseHeaders = headers;
    this.route?.rewriteResponse(headers);
    this.startResponse(headers, endStream);
    return true;
  }

  onUpstreamData(upstream: UpstreamRequest, data: Buffer, endStream: boolean): void {
    if (upstream !== this.upstream || this.finished) return;
    if (this.heldResponse) {
      this.heldResponse.data.push(data);
      this.heldResponse.dataEnd = endStream;
      return;
    }
    this.record.bytesSent += data.length;
    const responder = this.responder;
    responder.sendData(data, endStream);
    if (endStream) this.onResponseEnd();
    else if (responder.aboveWriteBufferHighWatermark) upstream.pauseResponse(responder);
  }

  onUpstreamTrailers(upstream: UpstreamRequest, trailers: HeaderMap): void {
    if (upstream !== this.upstream || this.finished) return;
    if (this.heldResponse) {
      this.heldResponse.trailers = trailers;
      return;
    }
    this.responder.sendTrailers(trailers);
    this.onResponseEnd();
  }

  /** UpstreamRequestOwner: the upstream reset the stream after the response started. */
  onUpstreamResetAfterResponse(upstream: UpstreamRequest, reason: StreamResetReason): void {
    if (upstream !== this.upstream || this.finished) return;
    this.record.responseFlags |= ResponseFlag.UpstreamRemoteReset;
    this.responder.reset(reason);
    this.finish(reason);
  }

  private shouldRetry(outcome: TryOutcome): boolean {
    const policy = this.route?.retryPolicy;
    if (!policy || this.responseStarted) return false;
    if (this.tries > policy.numRetries) return false;
    if (!this.canReplay()) return false;
    if (!isRetriable(policy, outcome)) return false;
    const stats = this.ctx.clusterManager.clusterStats(this.clusterName!);
    if (!this.ctx.clusterManager.tryAcquireRetry(this.clusterName!)) {
      stats.requestRetryOverflow.inc();
      return false;
    }
    this.retriesInFlight = true;
    stats.requestRetry.inc();
    return true;
  }

  private retry(): void {
    if (this.retriesInFlight) {
      this.ctx.clusterManager.releaseRetry(this.clusterName!);
      this.retriesInFlight = false;
    }
    const previous = this.pool?.host.address;
    // Prefer another host for the next try, as Envoy's previous-hosts predicate does.
    for (let i = 0; i < 3; i++) {
      const pool = this.ctx.clusterManager.getConnPool(this.clusterName!, this.ctx.upstreamProtocol.name, this.ctx.upstreamProtocol.factory, this.lbContext());
      if (!pool) break;
      this.pool = pool;
      if (pool.host.address !== previous) break;
    }
    this.startTry();
  }

  /** Whether the request can be sent again (its body was kept whole). */
  private canReplay(): boolean {
    return this.bodyRetainable;
  }

  /** DeadlineOwner: the route's global timeout passed. */
  onDeadline(): void {
    if (this.finished) return;
    this.clusterName && this.ctx.clusterManager.clusterStats(this.clusterName).requestTimeout.inc();
    this.upstream?.abandon();
    this.record.responseFlags |= ResponseFlag.UpstreamRequestTimeout;
    if (this.responseStarted) {
      this.responder.reset('UpstreamGlobalTimeout');
      this.finish('UpstreamGlobalTimeout');
    } else {
      this.sendLocalReply(504);
    }
  }

  /** UpstreamRequestOwner: the upstream can't take more request body for now (or can again). */
  pauseRequestBody(pause: boolean): void {
    this.responder.readDisable(pause);
  }

  // ---- response side ----

  private startResponse(headers: HeaderMap, endStream: boolean): void {
    const chain = this.filters;
    if (chain) {
      const result = chain.runSenders(0, headers, endStream, this.stopPosition);
      if (result === 'stopped') {
        this.heldResponse = { headers, endStream, data: [], dataEnd: false };
        return;
      }
      if (result === 'terminated') {
        this.upstream?.abandon();
        this.terminatedByFilter();
        return;
      }
      if (result === 'failed') {
        this.upstream?.abandon();
        this.filterFailed();
        return;
      }
    }
    this.sendResponseHeaders(headers, endStream);
  }

  private continueSending(): void {
    const held = this.heldResponse;
    if (!held || this.finished) return;
    const result = this.filters!.runSenders(this.stopPosition.index + 1, held.headers, held.endStream, this.stopPosition);
    if (result === 'stopped') return;
    this.heldResponse = undefined;
    if (result === 'terminated') {
      this.upstream?.abandon();
      this.terminatedByFilter();
      return;
    }
    if (result === 'failed') {
      this.upstream?.abandon();
      this.filterFailed();
      return;
    }
    this.sendResponseHeaders(held.headers, held.endStream);
    for (let i = 0; i < held.data.length; i++) this.onUpstreamData(this.upstream!, held.data[i], held.dataEnd && i === held.data.length - 1);
    if (held.trailers) this.onUpstreamTrailers(this.upstream!, held.trailers);
  }

  private sendResponseHeaders(headers: HeaderMap, endStream: boolean): void {
    this.responseStarted = true;
    this.record.markResponseReceived();
    this.responder.sendHeaders(headers, endStream);
    if (endStream) this.onResponseEnd();
  }

  private onResponseEnd(): void {
    this.responseEnded = true;
    this.finish(undefined);
  }

  /**
   * Answers the request from the proxy. After the response started, the only honest answer is
   * a reset.
   */
  sendLocalReply(status: number, body?: string | Buffer, headers?: Readonly<Record<string, string>>): void {
    if (this.finished) return;
    this.upstream?.abandon();
    if (this.responseStarted) {
      this.responder.reset('LocalReset');
      this.finish('LocalReset');
      return;
    }
    let bytes = typeof body === 'string' ? Buffer.from(body) : (body ?? Buffer.from(LOCAL_REPLY_BODY[status] ?? ''));
    let h: HeaderMap;
    if (status >= 400 && isGrpcRequest(this.headers)) {
      h = grpcLocalReplyHeaders(status, bytes.toString());
      bytes = Buffer.alloc(0);
    } else h = localReplyHeaders(status, bytes, headers);
    this.record.responseCode = status;
    this.record.responseHeaders = h;
    this.responseStarted = true;
    this.heldResponse = undefined;
    this.record.bytesSent += bytes.length;
    this.responder.sendHeaders(h, bytes.length === 0);
    if (bytes.length > 0) this.responder.sendData(bytes, true);
    this.responseEnded = true;
    this.finish(undefined);
  }

  private terminatedByFilter(): void {
    if (!this.finished) this.sendLocalReply(500);
  }

  /** fail_closed: a filter threw (500), or its plugin is quarantined (503: it is unavailable, not broken by this request). */
  private filterFailed(): void {
    const f = this.filters?.failure;
    if (f?.quarantined) {
      this.ctx.logger.debug({ filter: f.name }, 'stream filter quarantined; answering 503 (failure_policy fail_closed)');
      this.sendLocalReply(503, QUARANTINED_BODY);
      return;
    }
    this.ctx.logger.error({ filter: f?.name, err: f?.error instanceof Error ? f.error.message : String(f?.error) }, 'stream filter threw; answering 500');
    this.sendLocalReply(500);
  }

  // ---- handlers given to filters ----

  /** For the filter handlers: the matched route's per_filter_config entry of a filter. */
  perFilterConfigOf(name: string): unknown {
    return this.route?.perFilterConfig[name];
  }

  /** For the filter handlers. */
  get downstreamConnection(): Connection {
    return this.connection;
  }

  /** For the filter handlers. */
  resumeReceiving(): void {
    this.continueReceiving();
  }

  /** For the filter handlers. */
  resumeSending(): void {
    this.continueSending();
  }

  // ---- bookkeeping ----

  private retain(data: Buffer, pending = false): void {
    if (!pending && !this.bodyRetainable) return;
    this.body.push(data);
    this.bodyBytes += data.length;
    if (this.bodyBytes > RETRY_BUFFER_LIMIT) {
      this.bodyRetainable = false;
      if (pending && !this.readDisabledForBody) {
        // Waiting for an upstream with more than the limit buffered: stop reading the client.
        this.readDisabledForBody = true;
        this.responder.readDisable(true);
      }
    }
  }

  private markRequestReceived(): void {
    this.record.markRequestReceived();
  }

  private addForwardedHeaders(headers: HeaderMap): void {
    const ip = this.downstream.clientIp;
    if (ip) {
      const prior = headers.get('x-forwarded-for');
      headers.set('x-forwarded-for', prior ? `${prior}, ${ip}` : ip);
    }
    if (!headers.has('x-forwarded-proto')) headers.set('x-forwarded-proto', headers.get(':scheme') ?? 'http');
  }

  private finish(reset: StreamResetReason | undefined): void {
    if (this.finished) return;
    this.finished = true;
    this.globalTimer?.disarm();
    if (this.retriesInFlight && this.clusterName) this.ctx.clusterManager.releaseRetry(this.clusterName);
    if (!this.responseEnded && reset === undefined) this.upstream?.abandon();
    this.filters?.destroy();
    if (this.pinned !== undefined) {
      this.pinned.unpin();
      this.pinned = undefined;
    }
    this.record.markFinished();
    const stats = this.ctx.stats;
    stats.requestActive.dec();
    stats.countResponse(this.record.responseCode);
    stats.requestTime.observe(this.record.durationNs() / 1e6);
    if (reset !== undefined) stats.requestReset.inc();
    for (const log of this.ctx.accessLogs) log.log(this.record);
    this.body = [];
  }
}

function statusOf(headers: HeaderMap): number {
  const s = headers.get(':status');
  return s === undefined ? 0 : Number(s);
}
