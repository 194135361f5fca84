/**
 * Metric types and keys, spelled as MOSN spells them (mosn/mosn pkg/metrics/downstream.go and
 * upstream.go, v1.x), so dashboards built for MOSN read mosn-ts. Downstream sets carry {listener}
 * (or {proxy}), upstream sets {cluster} (and {cluster, host}).
 *
 * MOSN keeps every connection key below as a counter, "connection_active" included (incremented on
 * open, decremented on close), so exporters show it as a counter too.
 */
export const DOWNSTREAM = 'downstream';
export const UPSTREAM = 'upstream';

export const DownstreamKeys = {
  ConnectionTotal: 'connection_total',
  ConnectionDestroy: 'connection_destroy',
  ConnectionActive: 'connection_active',
  BytesReadTotal: 'bytes_read_total',
  BytesReadBuffered: 'bytes_read_buffered',
  BytesWriteTotal: 'bytes_write_total',
  BytesWriteBuffered: 'bytes_write_buffered',
} as const;

export const UpstreamKeys = {
  ConnectionTotal: 'connection_total',
  ConnectionClose: 'connection_close',
  ConnectionActive: 'connection_active',
  ConnectionConFail: 'connection_con_fail',
  ConnectionRetry: 'connection_retry',
  ConnectionLocalClose: 'connection_local_close',
  ConnectionRemoteClose: 'connection_remote_close',
  ConnectionLocalCloseWithActiveRequest: 'connection_local_close_with_active_request',
  ConnectionRemoteCloseWithActiveRequest: 'connection_remote_close_with_active_request',
  ConnectionCloseNotify: 'connection_close_notify',
  /** Cluster sets only in MOSN. */
  BytesReadTotal: 'connection_bytes_read_total',
  BytesReadBuffered: 'connection_bytes_read_buffered',
  /** MOSN spells the write total without "_total" (unlike the read side); kept for compatibility. */
  BytesWriteTotal: 'connection_bytes_write',
  BytesWriteBuffered: 'connection_bytes_write_buffered',
} as const;

/** Request keys of downstream sets (pkg/metrics/downstream.go). Times are histograms, the rest counters. */
export const DownstreamRequestKeys = {
  RequestTotal: 'request_total',
  RequestActive: 'request_active',
  RequestReset: 'request_reset',
  RequestFailed: 'request_failed',
  RequestTime: 'request_time',
  RequestTimeTotal: 'request_time_total',
  ProcessTime: 'process_time',
  ProcessTimeTotal: 'process_time_total',
  /** Status codes MOSN counts by name; any other code goes to RequestOtherCode. */
  requestCodeTotal: (code: 200 | 206 | 302 | 304 | 400 | 403 | 404 | 416 | 499 | 500 | 502 | 503 | 504) =>
    `request_${code}_total`,
  RequestOtherCode: 'request_other_code',
} as const;

/** Request keys of upstream sets (pkg/metrics/upstream.go). Durations are histograms, the rest counters. */
export const UpstreamRequestKeys = {
  RequestTotal: 'request_total',
  RequestActive: 'request_active',
  RequestLocalReset: 'request_local_reset',
  RequestRemoteReset: 'request_remote_reset',
  RequestTimeout: 'request_timeout',
  RequestFailureEject: 'request_failure_eject',
  RequestPendingOverflow: 'request_pending_overflow',
  RequestDuration: 'request_duration_time',
  RequestDurationTotal: 'request_duration_time_total',
  ResponseSuccess: 'response_success',
  ResponseFailed: 'response_failed',
  /** Cluster sets only. */
  RequestRetry: 'request_retry',
  RequestRetryOverflow: 'request_retry_overflow',
} as const;

/**
 * Active health checking, one set per cluster: `healthcheck{cluster}`. MOSN's type and keys
 * (pkg/metrics/healthcheck.go) labelled by cluster rather than by service_name; MOSN's gauge is
 * misspelt "healty", here it is "healthy".
 */
export const HEALTH_CHECK = 'healthcheck';

export const HealthCheckKeys = {
  /** Checks started. */
  Attempt: 'attempt',
  Success: 'success',
  /** Every failed check (= active_failure + network_failure). */
  Failure: 'failure',
  /** The host answered, but wrongly (an unexpected HTTP status). */
  ActiveFailure: 'active_failure',
  /** No answer: connect refused or reset, or the check timed out. */
  NetworkFailure: 'network_failure',
  /** Gauge: hosts of the cluster health checking holds healthy. */
  Healthy: 'healthy',
  /** Gauge: hosts health checking holds unhealthy. */
  Unhealthy: 'unhealthy',
  /** Healthy → unhealthy transitions. */
  HostEjected: 'host_unhealthy_total',
  /** Unhealthy → healthy transitions. */
  HostRecovered: 'host_healthy_total',
} as const;

/** STRICT_DNS resolution, in the cluster's `upstream{cluster}` set (mosn-ts keys; MOSN keeps none). */
export const UpstreamDnsKeys = {
  /** Resolutions of one host name that returned records. */
  ResolveSuccess: 'dns_resolve_success',
  /** Resolutions that failed (error, timeout, no records): the last good addresses stay. */
  ResolveFailure: 'dns_resolve_failure',
  /** Gauge: hosts the cluster has now (resolved addresses plus literal IPs). */
  Hosts: 'dns_hosts',
} as const;
