import type { HeaderMap, StreamReceiver, StreamResetReason, StreamSender } from '../../plugin-sdk';
import { ResponseFlag } from '../accesslog/request-log-record';
import type { ClusterStats } from '../upstream/cluster-stats';
import type { ConnectionPool, PendingStream, PoolCallbacks, PoolFailureReason } from '../upstream/pool/connection-pool';
import type { UpstreamHost } from '../upstream/upstream-host';
import { Deadline, type DeadlineOwner } from '../network/deadlines';
import type { TryOutcome } from './retry-decision';
import { accountTryEnd, accountTryStart } from './try-accounting';

/** The downstream stream a try reports to. */
export interface UpstreamRequestOwner {
  onUpstreamReady(upstream: UpstreamRequest, sender: StreamSender, hostAddress: string): void;
  /** The try failed before the response started; `stale` marks a reused connection that died unused. */
  onUpstreamFailure(upstream: UpstreamRequest, outcome: TryOutcome, flag: number, status: number, stale: boolean): void;
  /** Returns false when the owner discarded the response (to retry). */
  onUpstreamHeaders(upstream: UpstreamRequest, headers: HeaderMap, endStream: boolean): boolean;
  onUpstreamData(upstream: UpstreamRequest, data: Buffer, endStream: boolean): void;
  onUpstreamTrailers(upstream: UpstreamRequest, trailers: HeaderMap): void;
  onUpstreamResetAfterResponse(upstream: UpstreamRequest, reason: StreamResetReason): void;
  /** Request-body backpressure: pause or resume reading the downstream. */
  pauseRequestBody(pause: boolean): void;
}

/**
 * One try of a request toward one upstream host: waits for a pooled stream, forwards the
 * request, relays the response, and turns failures and per-try timeouts into outcomes the
 * owner can retry.
 */
export class UpstreamRequest implements StreamReceiver, PoolCallbacks, DeadlineOwner {
  ready = false;
  private sender: StreamSender | undefined;
  private pending: PendingStream | undefined;
  private reused = false;
  /** A final (non-1xx) response began. */
  private responding = false;
  private done = false;
  private tryTimer: Deadline | undefined;
  private startedAt = 0;

  constructor(
    private readonly owner: UpstreamRequestOwner,
    private readonly pool: ConnectionPool,
    readonly headers: HeaderMap,
    private readonly tryTimeoutMs: number,
    private readonly stats: ClusterStats,
  ) {}

  start(): void {
    this.startedAt = performance.now();
    accountTryStart(this.stats, this.pool.host);
    if (this.tryTimeoutMs > 0) {
      this.tryTimer = new Deadline(this);
      this.tryTimer.arm(this.tryTimeoutMs);
    }
    this.pending = this.pool.newStream(this, this);
  }

  // ---- PoolCallbacks ----

  onPoolReady(sender: StreamSender, host: UpstreamHost, reused: boolean): void {
    this.pending = undefined;
    if (this.done) {
      sender.reset('LocalReset');
      return;
    }
    this.sender = sender;
    this.reused = reused;
    this.ready = true;
    this.owner.onUpstreamReady(this, sender, host.address);
  }

  onPoolFailure(reason: PoolFailureReason, _host: UpstreamHost, detail?: string): void {
    this.pending = undefined;
    if (this.done) return;
    this.end(false);
    if (reason === 'Overflow') {
      this.owner.onUpstreamFailure(this, { kind: 'overflow' }, ResponseFlag.UpstreamOverflow, 503, false);
    } else {
      void detail;
      this.owner.onUpstreamFailure(this, { kind: 'connect-failure' }, ResponseFlag.UpstreamConnectionFailure, 503, false);
    }
  }

  // ---- request body toward the upstream ----

  sendData(data: Buffer, endStream: boolean): void {
    const sender = this.sender;
    if (!sender || this.done) return;
    sender.sendData(data, endStream);
    if (!endStream && sender.aboveWriteBufferHighWatermark) {
      this.owner.pauseRequestBody(true);
      sender.onWritable = () => {
        sender.onWritable = undefined;
        this.owner.pauseRequestBody(false);
      };
    }
  }

  sendTrailers(trailers: HeaderMap): void {
    if (this.sender && !this.done) this.sender.sendTrailers(trailers);
  }

  /** Response backpressure: stop reading the upstream until the downstream drains. */
  pauseResponse(downstream: StreamSender): void {
    const sender = this.sender;
    if (!sender) return;
    sender.readDisable(true);
    downstream.onWritable = () => {
      downstream.onWritable = undefined;
      sender.readDisable(false);
    };
  }

  // ---- StreamReceiver: the upstream response ----

  onHeaders(headers: HeaderMap, endStream: boolean): void {
    if (this.done) return;
    const status = Number(headers.get(':status') ?? 0);
    const final = status < 100 || status >= 200 || status === 101;
    if (final) {
      this.responding = true;
      this.tryTimer?.disarm();
    }
    if (!this.owner.onUpstreamHeaders(this, headers, endStream)) return;
    if (final && endStream) this.end(status < 500);
  }

  onData(data: Buffer, endStream: boolean): void {
    if (this.done) return;
    this.owner.onUpstreamData(this, data, endStream);
    if (endStream) this.end(true);
  }

  onTrailers(trailers: HeaderMap): void {
    if (this.done) return;
    this.owner.onUpstreamTrailers(this, trailers);
    this.end(true);
  }

  onReset(reason: StreamResetReason): void {
    if (this.done) return;
    this.end(false);
    if (reason === 'LocalReset') this.stats.requestLocalReset.inc();
    else this.stats.requestRemoteReset.inc();
    if (this.responding) {
      this.owner.onUpstreamResetAfterResponse(this, reason);
      return;
    }
    // Replayable without a retry policy: a kept-alive connection the server closed as we used it,
    // or a stream the peer refused unprocessed (HTTP/2 REFUSED_STREAM, e.g. sent before its SETTINGS).
    const stale = (this.reused && reason === 'ConnectionTermination') || reason === 'Overflow';
    const flag =
      reason === 'ConnectionFailed'
        ? ResponseFlag.UpstreamConnectionFailure
        : reason === 'ConnectionTermination'
          ? ResponseFlag.UpstreamConnectionTermination
          : reason === 'Overflow'
            ? ResponseFlag.UpstreamOverflow
            : ResponseFlag.UpstreamRemoteReset;
    this.owner.onUpstreamFailure(this, reason === 'ConnectionFailed' ? { kind: 'connect-failure' } : { kind: 'reset' }, flag, 503, stale);
  }

  /** Gives up on this try: withdraws from the pool queue or resets the upstream stream. */
  abandon(): void {
    if (this.done) return;
    this.end(false);
    this.pending?.cancel();
    this.pending = undefined;
    this.sender?.reset('LocalReset');
  }

  /** DeadlineOwner: the per-try timeout passed. */
  onDeadline(): void {
    if (this.done || this.responding) return;
    this.stats.requestTimeout.inc();
    this.abandon();
    this.owner.onUpstreamFailure(this, { kind: 'per-try-timeout' }, ResponseFlag.UpstreamRequestTimeout, 504, false);
  }

  private end(success: boolean): void {
    if (this.done) return;
    this.done = true;
    this.tryTimer?.disarm();
    accountTryEnd(this.stats, this.pool.host, this.startedAt, success);
  }
}
