import type { Host } from '../../plugin-sdk';
import type { ParsedAddress } from '../config/address';
import { PeakEwma } from './lb/peak-ewma';

/**
 * A host of a cluster, with the live state balancers read: health (set by active health
 * checking) and load (requests and connections in flight, kept by the proxy and the pools).
 * The same object lives as long as the host stays in its cluster (a DNS refresh that still
 * resolves the address keeps it), so counters and health survive host-set updates.
 */
export class UpstreamHost implements Host {
  /** False while active health checking holds the host failed; balancers skip it. */
  healthy = true;
  /** Upstream requests in flight to this host (LB_LEAST_REQUEST, LB_PEAK_EWMA). */
  activeRequests = 0;
  /** Open upstream connections to this host (LB_LEAST_CONNECTION). */
  activeConnections = 0;
  /** Peak-sensitive moving average of this host's request latency, in ms (LB_PEAK_EWMA). */
  readonly latency = new PeakEwma();

  constructor(
    readonly address: string,
    readonly parsedAddress: ParsedAddress,
    readonly weight: number,
    readonly hostname: string,
    readonly clusterName: string,
  ) {}

  /** The proxy starts a request (one try) toward this host. */
  requestStarted(): void {
    this.activeRequests++;
  }

  /**
   * That try ended after `durationMs`; `success` is false for resets, timeouts and 5xx. `now`
   * (performance.now()) saves a clock read when the caller has just read it.
   */
  requestFinished(durationMs: number, success: boolean, now = performance.now()): void {
    this.activeRequests--;
    // A failure counts at least as slow as the estimate: a host that fails fast must not look fast.
    this.latency.observe(success ? durationMs : Math.max(durationMs, this.latency.cost(now)), now);
  }
}
