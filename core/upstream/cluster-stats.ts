import { type Counter, type Gauge, type Histogram, Metrics } from '../metrics/metrics-registry';
import { UPSTREAM, UpstreamKeys, UpstreamRequestKeys } from '../metrics/metric-names';

/**
 * A cluster's upstream request metrics (MOSN's pkg/metrics/upstream.go keys in the
 * `upstream{cluster}` set), looked up once per cluster so the proxy and the pools update plain
 * fields per request. Durations are in milliseconds.
 *
 * Who updates what: the proxy counts requests (total, active, resets, timeouts, retries, duration,
 * success/failed); the pools count `request_pending_overflow` (MOSN counts both the pending-queue
 * and the max_requests breaker under it) and the `connection_*_close_with_active_request` keys.
 */
export class ClusterStats {
  readonly requestTotal: Counter;
  readonly requestActive: Gauge;
  readonly requestTimeout: Counter;
  readonly requestRetry: Counter;
  readonly requestRetryOverflow: Counter;
  readonly requestLocalReset: Counter;
  readonly requestRemoteReset: Counter;
  readonly requestPendingOverflow: Counter;
  readonly requestFailureEject: Counter;
  readonly requestDuration: Histogram;
  readonly requestDurationTotal: Counter;
  readonly responseSuccess: Counter;
  readonly responseFailed: Counter;
  readonly connectionLocalCloseWithActiveRequest: Counter;
  readonly connectionRemoteCloseWithActiveRequest: Counter;

  constructor(readonly set: Metrics) {
    this.requestTotal = set.counter(UpstreamRequestKeys.RequestTotal);
    this.requestActive = set.gauge(UpstreamRequestKeys.RequestActive);
    this.requestTimeout = set.counter(UpstreamRequestKeys.RequestTimeout);
    this.requestRetry = set.counter(UpstreamRequestKeys.RequestRetry);
    this.requestRetryOverflow = set.counter(UpstreamRequestKeys.RequestRetryOverflow);
    this.requestLocalReset = set.counter(UpstreamRequestKeys.RequestLocalReset);
    this.requestRemoteReset = set.counter(UpstreamRequestKeys.RequestRemoteReset);
    this.requestPendingOverflow = set.counter(UpstreamRequestKeys.RequestPendingOverflow);
    this.requestFailureEject = set.counter(UpstreamRequestKeys.RequestFailureEject);
    this.requestDuration = set.histogram(UpstreamRequestKeys.RequestDuration);
    this.requestDurationTotal = set.counter(UpstreamRequestKeys.RequestDurationTotal);
    this.responseSuccess = set.counter(UpstreamRequestKeys.ResponseSuccess);
    this.responseFailed = set.counter(UpstreamRequestKeys.ResponseFailed);
    this.connectionLocalCloseWithActiveRequest = set.counter(UpstreamKeys.ConnectionLocalCloseWithActiveRequest);
    this.connectionRemoteCloseWithActiveRequest = set.counter(UpstreamKeys.ConnectionRemoteCloseWithActiveRequest);
  }

  /** Stats not registered anywhere (for a cluster name that does not exist). */
  static detached(clusterName: string): ClusterStats {
    return new ClusterStats(new Metrics(UPSTREAM, { cluster: clusterName }));
  }
}
